"""The one registry shape for orsta_bench's plugin tables: verifiers, source kinds and synthetic
generators each keep a `Registry` of their own entries, filled by decorators when the package
that holds the built-ins is imported."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

E = TypeVar("E")
M = TypeVar("M", bound=BaseModel)


class Registry(dict[str, E]):
    """Names to entries. `what` names the kind in messages ("verifier"); `builtins` is the module
    whose import registers the built-in entries; `listing` replaces "known: a, b" in the unknown-
    name message (e.g. a command that lists them)."""

    def __init__(self, what: str, builtins: str, listing: str = "") -> None:
        super().__init__()
        self.what = what
        self._builtins = builtins
        self._listing = listing

    def add(self, name: str, entry: E) -> E:
        """Register `entry`; a second entry under one name is a programming error."""
        if name in self:
            raise RuntimeError(f"{self.what} {name!r} registered twice")
        self[name] = entry
        return entry

    def load_builtins(self) -> None:
        importlib.import_module(self._builtins)

    def names(self) -> list[str]:
        self.load_builtins()
        return sorted(self)

    def lookup(self, name: str) -> E:
        """The entry for `name`, built-ins loaded first; KeyError with close matches if unknown."""
        self.load_builtins()
        if name in self:
            return self[name]
        raise self.unknown(name)

    def unknown(self, name: str) -> KeyError:
        """The error for a name nobody registered: close matches, then the listing."""
        close = difflib.get_close_matches(name, sorted(self), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        listing = self._listing or f"known: {', '.join(sorted(self))}"
        return KeyError(f"unknown {self.what} {name!r}{hint} ({listing})")


def first_doc_line(fn: Callable[..., Any]) -> str:
    """A registered function's description: its docstring's first line ('' without one)."""
    return (fn.__doc__ or "").strip().splitlines()[0] if (fn.__doc__ or "").strip() else ""


def validated(model: type[M], data: dict[str, Any], prefix: str) -> M:
    """`data` parsed by `model`; ValueError listing every bad field as `prefix.field: problem`."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ValueError("; ".join(f"{prefix}.{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                   for e in error.errors())) from None
