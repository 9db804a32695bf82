"""The source registry: `source.kind` in a spec to a sample loader and its parameter model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from orsta_bench.registry import Registry, validated

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


_REGISTRY: Registry[SourceEntry] = Registry("source kind", "orsta_bench.sources")


def register_source(
    kind: str, params_model: type[BaseModel], count: Counter | None = None, check: ItemLoader | None = None
) -> Callable[[ItemLoader], ItemLoader]:
    """Decorator: `load(spec, params)` yields RawItems; `count` gives the sample count if cheap;
    `check`, for sources that name files row by row, yields the same items without reading
    pixels or decoding videos, so a run checks every path before it writes anything."""

    def wrap(load: ItemLoader) -> ItemLoader:
        _REGISTRY.add(kind, SourceEntry(kind, params_model, load, count or (lambda spec, p: None), check))
        return load

    return wrap


def get_source(kind: str) -> SourceEntry:
    return _REGISTRY.lookup(kind)


def validate_source_params(kind: str, params: dict[str, Any]) -> BaseModel:
    """The parsed parameters; ValueError naming the field when they do not fit."""
    try:
        entry = get_source(kind)
    except KeyError as error:
        raise ValueError(error.args[0]) from None
    try:
        return validated(entry.params_model, params, "source")
    except ValueError as error:
        raise ValueError(f"source kind {kind!r}: {error}") from None
