"""The echo cap: how much of a Score's `parsed` answer is carried into output records.

`parsed` echoes what a verifier read from the response, and a hostile response can make it huge
(MEGA-Bench's json parser, failing, sets every answer field to the whole response: 100 fields x
1 MB made one 100 MB output line) or deeply nested. Past the cap, `parsed` becomes a marker with
a short preview; scores are unaffected (the cap applies after scoring). Documented in
docs/contracts.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from orsta_bench.jsonlines import MAX_DEPTH, nesting_depth

ECHO_MAX_CHARS = 65_536  # characters of text in `parsed` (strings, numbers, keys), before escaping
# Half the record cap, so a record holding `parsed` a few levels down stays readable as JSONL.
ECHO_MAX_DEPTH = MAX_DEPTH // 2
PREVIEW_CHARS = 1_000
TRUNCATED_KEY = "parsed_truncated"
_FIXED_COST = 8  # brackets, quotes, separators, true/false/null: a rough, safe upper bound per item


def bounded_echo(parsed: Any, max_chars: int = ECHO_MAX_CHARS, max_depth: int = ECHO_MAX_DEPTH) -> Any:
    """`parsed` itself when it is within the cap, else the truncation marker
    `{"parsed_truncated": true, "reason": ..., "preview": first PREVIEW_CHARS of its JSON}`."""
    if parsed is None or (isinstance(parsed, (bool, int, float)) and not _huge_int(parsed)):
        return parsed
    if nesting_depth(parsed, max_depth) > max_depth:
        reason = f"nested deeper than {max_depth} levels"
    elif _size(parsed, max_chars) > max_chars:
        reason = f"more than {max_chars} characters"
    else:
        return parsed
    return {TRUNCATED_KEY: True, "reason": f"parsed answer {reason} (echo cap)", "preview": preview(parsed)}


def _huge_int(value: Any) -> bool:
    return isinstance(value, int) and value.bit_length() > 4 * ECHO_MAX_CHARS


def _size(value: Any, stop_after: int) -> int:
    """Approximate characters of `value` as JSON, counted without recursion; stops past `stop_after`."""
    total = 0
    stack = [value]
    while stack and total <= stop_after:
        item = stack.pop()
        total += _FIXED_COST
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 3
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
    return total


def preview(value: Any, limit: int = PREVIEW_CHARS) -> str:
    """The first `limit` characters of `value` written as JSON (no recursion, bounded work)."""
    out: list[str] = []
    used = 0
    stack: list[Any] = [value]
    while stack and used < limit:
        item = stack.pop()
        if isinstance(item, _Raw):
            text = item.text
        elif isinstance(item, dict):
            text = "{"
            stack.extend(reversed(_joined(_key_values(item, limit), "}")))
        elif isinstance(item, (list, tuple, set, frozenset)):
            text = "["
            stack.extend(reversed(_joined([[element] for element in _first(item, limit)], "]")))
        elif isinstance(item, str):
            text = json.dumps(item[:limit])
        elif _huge_int(item):
            text = f"<int of {item.bit_length()} bits>"
        elif item is None or isinstance(item, (bool, int, float)):
            text = json.dumps(item)
        else:
            text = f"<{type(item).__name__}>"
        out.append(text)
        used += len(text)
    shown = "".join(out)
    return shown[:limit] + "..." if stack or len(shown) > limit else shown


class _Raw:
    """Text to emit as it is (punctuation), as opposed to a value to render."""

    def __init__(self, text: str) -> None:
        self.text = text


def _first(items: Iterable[Any], limit: int) -> list[Any]:
    taken = []
    for item in items:
        if len(taken) >= limit:
            break
        taken.append(item)
    return taken


def _key_values(mapping: dict[Any, Any], limit: int) -> list[list[Any]]:
    return [[_Raw(json.dumps(str(key)[:limit]) + ": "), value] for key, value in _first(mapping.items(), limit)]


def _joined(entries: list[list[Any]], closing: str) -> list[Any]:
    """The tokens of each entry (an element, or a key and its value), separated by ", " and closed."""
    tokens: list[Any] = []
    for index, entry in enumerate(entries):
        if index:
            tokens.append(_Raw(", "))
        tokens.extend(entry)
    tokens.append(_Raw(closing))
    return tokens
