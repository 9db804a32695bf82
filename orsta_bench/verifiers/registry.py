"""The verifier registry: names to pure scoring functions.

A verifier is `fn(response, reference, params, context) -> Score`. It must never raise on model
output; the pool in orsta_bench.scoring bounds its time from outside. Registering needs no heavy
imports, so `list` and `validate` can check verifier names fast.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from orsta_bench.score import Score

VerifierFn = Callable[[str, Any, dict[str, Any], dict[str, Any]], Score]


@dataclass(frozen=True)
class VerifierEntry:
    name: str
    fn: VerifierFn
    params_model: type[BaseModel] | None
    description: str


_REGISTRY: dict[str, VerifierEntry] = {}
# Name families such as "megabench.<metric>": prefix -> resolver returning an entry or None.
_FAMILIES: dict[str, Callable[[str], VerifierEntry | None]] = {}


def register_verifier(
    name: str, params_model: type[BaseModel] | None = None
) -> Callable[[VerifierFn], VerifierFn]:
    """Decorator: register `fn` under `name`; its docstring's first line is the description."""

    def wrap(fn: VerifierFn) -> VerifierFn:
        if name in _REGISTRY:
            raise RuntimeError(f"verifier {name!r} registered twice")
        description = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        _REGISTRY[name] = VerifierEntry(name, fn, params_model, description)
        return fn

    return wrap


def register_verifier_family(prefix: str, resolve: Callable[[str], VerifierEntry | None]) -> None:
    """Names `prefix.<anything>` are resolved lazily by `resolve` (e.g. megabench.<metric>)."""
    _FAMILIES[prefix] = resolve


def _ensure_loaded() -> None:
    import orsta_bench.verifiers  # noqa: F401  (registers the built-in verifiers)


def get_verifier(name: str) -> VerifierEntry:
    """The entry for `name`; KeyError with close matches when unknown."""
    _ensure_loaded()
    if name in _REGISTRY:
        return _REGISTRY[name]
    prefix, _, rest = name.partition(".")
    if rest and prefix in _FAMILIES:
        entry = _FAMILIES[prefix](name)
        if entry is not None:
            return entry
    close = difflib.get_close_matches(name, verifier_names(), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"unknown verifier {name!r}{hint} (orsta-bench list --verifiers shows all)")


def verifier_names() -> list[str]:
    _ensure_loaded()
    return sorted(_REGISTRY)


def validate_verifier_params(name: str, params: dict[str, Any]) -> None:
    """Raise ValueError naming the problem when `name` is unknown or `params` do not fit."""
    try:
        entry = get_verifier(name)
    except KeyError as error:
        raise ValueError(error.args[0]) from None
    if entry.params_model is None:
        return
    own = {key: value for key, value in params.items() if key != "reward"}
    try:
        entry.params_model.model_validate(own)
    except ValidationError as error:
        problems = "; ".join(
            f"params.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()
        )
        raise ValueError(f"verifier {name!r}: {problems}") from None
