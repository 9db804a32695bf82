"""orsta_bench.registry: the one registry shape behind verifiers, source kinds and generators."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from orsta_bench.registry import Registry, first_doc_line, validated
from orsta_bench.sources.registry import get_source
from orsta_bench.synth import get_generator
from orsta_bench.verifiers.registry import get_verifier, verifier_params


def test_unknown_names_get_close_matches_and_the_listing() -> None:
    table: Registry[int] = Registry("widget", "orsta_bench.score")
    table.add("circle", 1)
    table.add("square", 2)
    assert table.lookup("square") == 2
    assert str(table.unknown("circel").args[0]) == "unknown widget 'circel'; did you mean circle? (known: circle, square)"
    with pytest.raises(RuntimeError, match="widget 'circle' registered twice"):
        table.add("circle", 3)


def test_the_three_registries_share_the_message() -> None:
    with pytest.raises(KeyError, match="unknown verifier 'exakt'; did you mean exact"):
        get_verifier("exakt")
    with pytest.raises(KeyError, match="unknown source kind 'jsnol'; did you mean jsonl"):
        get_source("jsnol")
    with pytest.raises(KeyError, match="unknown synthetic generator 'cuont'; did you mean count"):
        get_generator("cuont")


def test_reward_weights_are_not_a_verifier_param() -> None:
    assert verifier_params({"reward": {"format_weight": 1}, "tolerance": 0.1}) == {"tolerance": 0.1}


def test_validation_names_every_bad_field() -> None:
    class Knobs(BaseModel):
        n: int
        side: int

    with pytest.raises(ValueError, match=r"^source\.n: .*; source\.side: Field required$"):
        validated(Knobs, {"n": "many"}, "source")


def test_first_doc_line() -> None:
    def documented() -> None:
        """Counts things.

        More here."""

    assert first_doc_line(documented) == "Counts things."
    assert first_doc_line(lambda: None) == ""
