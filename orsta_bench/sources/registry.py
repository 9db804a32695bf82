"""The source registry: `source.kind` in a spec to a sample loader and its parameter model."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from orsta_bench.sources.base import RawItem
    from orsta_bench.spec.loaded import LoadedSpec

ItemLoader = Callable[["LoadedSpec", BaseModel], Iterator["RawItem"]]
Counter = Callable[["LoadedSpec", BaseModel], "int | None"]


@dataclass(frozen=True)
class SourceEntry:
    kind: str
    params_model: type[BaseModel]
    load: ItemLoader
    count: Counter
    check: ItemLoader | None = None


_REGISTRY: dict[str, SourceEntry] = {}


def register_source(
    kind: str, params_model: type[BaseModel], count: Counter | None = None, check: ItemLoader | None = None
) -> Callable[[ItemLoader], ItemLoader]:
    """Decorator: `load(spec, params)` yields RawItems; `count` gives the sample count if cheap;
    `check`, for sources that name files row by row, yields the same items without reading
    pixels or decoding videos, so a run checks every path before it writes anything."""

    def wrap(load: ItemLoader) -> ItemLoader:
        if kind in _REGISTRY:
            raise RuntimeError(f"source kind {kind!r} registered twice")
        _REGISTRY[kind] = SourceEntry(kind, params_model, load, count or (lambda spec, p: None), check)
        return load

    return wrap


def get_source(kind: str) -> SourceEntry:
    import orsta_bench.sources  # noqa: F401  (registers the built-in sources)

    if kind not in _REGISTRY:
        close = difflib.get_close_matches(kind, sorted(_REGISTRY), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown source kind {kind!r}{hint} (known: {known})")
    return _REGISTRY[kind]


def validate_source_params(kind: str, params: dict[str, Any]) -> BaseModel:
    """The parsed parameters; ValueError naming the field when they do not fit."""
    try:
        entry = get_source(kind)
    except KeyError as error:
        raise ValueError(error.args[0]) from None
    try:
        return entry.params_model.model_validate(params)
    except ValidationError as error:
        problems = "; ".join(
            f"source.{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()
        )
        raise ValueError(f"source kind {kind!r}: {problems}") from None
