"""Rows of a JSONL data file, read with bounds: one object per line, each error naming file:line.

The file is opened with orsta_bench.safe_files.open_regular: without blocking, and checked to be
a regular file (the spec's path was already checked by the path policy; this covers a file
swapped since). Lines are read in binary with a
length cap, so a file without newlines cannot fill memory, and decoded one by one with the
project's JSON Lines rules (orsta_bench.jsonlines: `\\n` ends a record, bounded depth), so a
non-UTF-8 byte or an over-deep row names its line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orsta_bench.jsonlines import LineError, decode_line
from orsta_bench.safe_files import UnsafePathError, open_regular
from orsta_bench.sources.base import SourceError

MAX_LINE_BYTES = 64 * 2**20
_FIX = "write one UTF-8 JSON object per line, nested at most a few levels"


def iter_json_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) for every non-blank line; SourceError naming file:line otherwise."""
    try:
        with open_regular(path, "data file") as handle:  # raises only on opening
            number = 0
            while line := handle.readline(MAX_LINE_BYTES + 1):
                number += 1
                if len(line) > MAX_LINE_BYTES:
                    raise SourceError(f"{path}:{number}: line longer than {MAX_LINE_BYTES:,} bytes "
                                      "(docs/specs.md, Caps); one JSON object per line")
                if line.strip():
                    yield number, _row(line, path, number)
    except UnsafePathError as error:
        raise SourceError(f"{error}; point source.path at a regular file") from None


def _row(line: bytes, path: Path, number: int) -> dict[str, Any]:
    try:
        row = decode_line(line)
    except LineError as error:
        raise SourceError(f"{path}:{number}: {error}; {_FIX}") from None
    if not isinstance(row, dict):
        raise SourceError(f"{path}:{number}: row is a JSON {_json_type(row)}, expected an object "
                          "({\"question\": ..., \"answer\": ...})")
    return row


def _json_type(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        type(value), "null")
