"""The verifier registry: names to pure scoring functions.

A verifier is `fn(response, reference, params, context) -> Score`. It must never raise on model
output; the pool in orsta_bench.scoring bounds its time from outside. Registering needs no heavy
imports, so `list` and `validate` can check verifier names fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from orsta_bench.registry import Registry, first_doc_line, validated
from orsta_bench.score import Score

VerifierFn = Callable[[str, Any, dict[str, Any], dict[str, Any]], Score]


@dataclass(frozen=True)
class VerifierEntry:
    name: str
    fn: VerifierFn
    params_model: type[BaseModel] | None
    description: str


_REGISTRY: Registry[VerifierEntry] = Registry(
    "verifier", "orsta_bench.verifiers", listing="orsta-bench list --verifiers shows all")
# Name families such as "megabench.<metric>": prefix -> resolver returning an entry or None.
_FAMILIES: dict[str, Callable[[str], VerifierEntry | None]] = {}
# The params key holding the reward weights: read by orsta_bench.reward, never by a verifier.
REWARD_KEY = "reward"


def register_verifier(
    name: str, params_model: type[BaseModel] | None = None
) -> Callable[[VerifierFn], VerifierFn]:
    """Decorator: register `fn` under `name`; its docstring's first line is the description."""

    def wrap(fn: VerifierFn) -> VerifierFn:
        _REGISTRY.add(name, VerifierEntry(name, fn, params_model, first_doc_line(fn)))
        return fn

    return wrap


def register_verifier_family(prefix: str, resolve: Callable[[str], VerifierEntry | None]) -> None:
    """Names `prefix.<anything>` are resolved lazily by `resolve` (e.g. megabench.<metric>)."""
    _FAMILIES[prefix] = resolve


def get_verifier(name: str) -> VerifierEntry:
    """The entry for `name`; KeyError with close matches when unknown."""
    _REGISTRY.load_builtins()
    if name in _REGISTRY:
        return _REGISTRY[name]
    prefix, _, rest = name.partition(".")
    if rest and prefix in _FAMILIES:
        entry = _FAMILIES[prefix](name)
        if entry is not None:
            return entry
    raise _REGISTRY.unknown(name)


def verifier_names() -> list[str]:
    return _REGISTRY.names()


def verifier_params(params: dict[str, Any]) -> dict[str, Any]:
    """A verifier's own params: the call's params less the reward weights."""
    return {key: value for key, value in params.items() if key != REWARD_KEY}


def validate_verifier_params(name: str, params: dict[str, Any]) -> None:
    """Raise ValueError naming the problem when `name` is unknown or `params` do not fit."""
    try:
        entry = get_verifier(name)
    except KeyError as error:
        raise ValueError(error.args[0]) from None
    if entry.params_model is None:
        return
    try:
        validated(entry.params_model, verifier_params(params), "params")
    except ValueError as error:
        raise ValueError(f"verifier {name!r}: {error}") from None
