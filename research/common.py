"""The argument style every research script shares.

`--set KEY=VALUE` always overrides a field of the nano-Orsta recipe (`orsta_train.nano.recipe.
NanoRecipe`, as written to a rebuild's recipe.json) by its dotted path: `arch.rope_theta=1e6`,
`grpo.learning_rate=3e-5`. Each script says which parts it honours. Values are typed by the one
KEY=VALUE parser, `orsta_bench.keyvalue`, exactly as `orsta-train --set` types them (true/false,
numbers with `3e-5` one too, null, `[lists]`, else text), and a whole number given for a float
field becomes a float. Other KEY=VALUE flags (`--source`) use the same value reading.
"""

from __future__ import annotations

import argparse
from dataclasses import fields, is_dataclass, replace
from typing import Any

from orsta_bench.api import parse_pairs, parse_value  # noqa: F401  (parse_value: kept importable here)

SET_HELP = "override a recipe field by its dotted path, e.g. {example} (repeatable)"


def parse_assignments(items: list[str], flag: str, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """KEY=VALUE items into a mapping (a later item wins), values typed by orsta_bench.keyvalue
    (the typing of `orsta-train --set`); a malformed item is a usage error."""
    try:
        return parse_pairs(items, flag, "arch.rope_theta=1e6")
    except ValueError as error:
        parser.error(str(error))


def arch_recipe(items: list[str], seed: int, parser: argparse.ArgumentParser) -> tuple[dict[str, Any], Any]:
    """(the parsed `--set` items, the nano recipe of `seed` with them applied), for scripts that
    take `arch.*` keys only; a key outside them or an architecture that fails its check is a
    usage error."""
    from orsta_train.nano.recipe import NanoRecipe

    sets = parse_assignments(items, "--set", parser)
    recipe = apply_sets(NanoRecipe(seed=seed), sets, settable(NanoRecipe().arch, "arch"), parser)
    try:
        recipe.arch.check()
    except ValueError as error:
        parser.error(f"--set: {error}")
    return sets, recipe


def add_set_option(parser: argparse.ArgumentParser, example: str) -> None:
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help=SET_HELP.format(example=example))


def settable(obj: Any, prefix: str) -> list[str]:
    """Every leaf field path of the dataclass `obj`, each under `prefix`."""
    paths = []
    for f in fields(obj):
        value = getattr(obj, f.name)
        path = f"{prefix}.{f.name}" if prefix else f.name
        paths.extend(settable(value, path) if is_dataclass(value) else [path])
    return paths


def apply_sets(recipe: Any, sets: dict[str, Any], allowed: list[str], parser: argparse.ArgumentParser) -> Any:
    """`recipe` with the parsed `--set` items applied; a key outside `allowed` is a usage error."""
    for key, value in sets.items():
        if key not in allowed:
            parser.error(f"--set: unknown or fixed key {key!r}; this script takes {', '.join(allowed)}")
        recipe = _replace_path(recipe, key.split("."), value)
    return recipe


def _replace_path(obj: Any, parts: list[str], value: Any) -> Any:
    current = getattr(obj, parts[0])
    if len(parts) > 1:
        return replace(obj, **{parts[0]: _replace_path(current, parts[1:], value)})
    if isinstance(current, float) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(current, tuple) and isinstance(value, list):
        value = tuple(value)
    return replace(obj, **{parts[0]: value})
