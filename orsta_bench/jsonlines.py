"""JSON Lines as every reader of user or model data reads them: one record per `\\n`, bounded depth.

`bytes.splitlines()` and text-mode files also end a line at `\\r` (and str.splitlines at U+2028
and more), so one record holding such a character became two broken lines. JSON whitespace may
be `\\r`, so only `\\n` ends a record here, and a raw control character other than `\\n` inside a
string (which strict JSON would refuse) is accepted. Decoding refuses records nested deeper than
`MAX_DEPTH`: deeper ones raise RecursionError in json, pickle or any recursive walk, which must
cost one line an error, never the whole file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

MAX_DEPTH = 100  # containers inside containers; real records nest a handful of levels


class LineError(ValueError):
    """One line is not a usable JSON record; the message says why (no file or line number)."""


def iter_lines(source: bytes | Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """(line number from 1, line) for each non-blank line of `source`, split at `\\n` only.

    `source` is the whole data or a file opened in binary mode (which iterates by `\\n` only)."""
    lines = source.split(b"\n") if isinstance(source, bytes) else source
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            yield number, raw.rstrip(b"\n")


def decode_line(raw: bytes, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value of one line; LineError when it is not UTF-8, not JSON or nested too deep."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LineError("not valid UTF-8") from None
    try:
        value = json.loads(text, strict=False)  # raw \r or \t inside strings, as some writers emit
    except RecursionError:
        raise LineError(f"nested deeper than {max_depth} levels") from None
    except ValueError as error:
        raise LineError(f"not valid JSON ({error})") from None
    if nesting_depth(value, max_depth) > max_depth:
        raise LineError(f"nested deeper than {max_depth} levels")
    return value


def nesting_depth(value: Any, stop_after: int = MAX_DEPTH) -> int:
    """How deeply lists/tuples/dicts nest in `value` (a scalar is 0), counted without recursion;
    stops counting once past `stop_after`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > stop_after:
            return deepest
        stack.extend((child, depth) for child in children)
    return deepest
