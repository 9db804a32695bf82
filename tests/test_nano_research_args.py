"""The one argument style of research/ (research/common.py): `--set KEY=VALUE` addresses a field
of the nano recipe by its dotted path, with values read the way `orsta-train --set` reads them."""

from __future__ import annotations

import argparse

import pytest

from orsta_train.nano.recipe import NanoRecipe
from research.common import apply_sets, parse_assignments, parse_value, settable


@pytest.mark.parametrize(("raw", "value"), [
    ("3e-5", 3e-5), ("0.5", 0.5), ("16", 16), ("false", False), ("[1,1,1]", [1, 1, 1]),
    ("[0.5, 0.5, 0.5]", [0.5, 0.5, 0.5]), ("dynamic", "dynamic"), ("", None),
])
def test_values_read_as_yaml_with_exponent_floats(raw: str, value: object) -> None:
    parsed = parse_value(raw)
    assert parsed == value and type(parsed) is type(value)


def test_values_mean_what_orsta_train_set_makes_of_them() -> None:
    """After orsta-train's own typing (YAML, then its config's field types) the value is ours."""
    from orsta_train.config import TrainConfig, parse_set_items

    for item in ("learning_rate=3e-5", "temperature=1", "freeze_vision=false", "max_completion_length=40"):
        key, _, raw = item.partition("=")
        required = {"model": "m", "tasks": "synth_counting", "output": "o"}
        theirs = TrainConfig.model_validate({**required, key: parse_set_items([item])[key]})
        assert getattr(theirs, key) == parse_value(raw)


def test_dotted_keys_replace_one_nested_field_and_keep_the_rest() -> None:
    parser = argparse.ArgumentParser()
    sets = parse_assignments(["arch.rope_theta=1000000", "grpo.learning_rate=3e-5", "grpo.tasks=[synth_math]"],
                             "--set", parser)
    recipe = apply_sets(NanoRecipe(), sets, settable(NanoRecipe(), ""), parser)
    assert recipe.arch.rope_theta == 1e6 and isinstance(recipe.arch.rope_theta, float)
    assert recipe.grpo.learning_rate == 3e-5 and recipe.grpo.tasks == ("synth_math",)
    assert recipe.arch.hidden_size == NanoRecipe().arch.hidden_size and recipe.sft == NanoRecipe().sft


@pytest.mark.parametrize(("items", "message"), [
    (["arch.rope_thetaa=5"], "unknown or fixed key 'arch.rope_thetaa'"),
    (["grpo.learning_rate=1e-5"], "unknown or fixed key 'grpo.learning_rate'"),  # not arch.*
    (["arch.rope_theta"], "expected KEY=VALUE"),
])
def test_keys_outside_what_the_script_takes_are_usage_errors(items: list[str], message: str, capsys) -> None:
    parser = argparse.ArgumentParser(prog="research.x")
    with pytest.raises(SystemExit) as exit_:
        apply_sets(NanoRecipe(), parse_assignments(items, "--set", parser), settable(NanoRecipe().arch, "arch"), parser)
    assert exit_.value.code == 2 and message in capsys.readouterr().err
