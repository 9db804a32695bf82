"""The one KEY=VALUE parser, for every flag that takes settings that way (`orsta-bench run
--gen-kwargs/--backend-args`, `orsta-train --set`, the research drivers' `--set`).

A value is typed by one documented rule, the same for every flag:
  - `true` / `false` (any case)                      -> bool
  - an int or float literal (3, -2, 0.5, 1e-5, inf)  -> int / float
  - `null` or nothing (`key=`)                       -> None
  - a YAML flow list or mapping (`[a, b]`, `{k: 1}`) -> list / dict (items typed by YAML)
  - anything else                                    -> the text itself, stripped (`float32`)
The receiver then checks names and types (pydantic models, a backend's accepted arguments).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def parse_value(raw: str) -> Any:
    """One value, typed by the rule in the module docstring."""
    text = raw.strip()
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("", "null"):
        return None
    for number in (int, float):
        try:
            return number(text)
        except ValueError:
            pass
    if text[0] in "[{":
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError:
            return text
    return text


def parse_pairs(items: Iterable[str], flag: str, example: str) -> dict[str, Any]:
    """`KEY=VALUE` items to {key: typed value}; blank items are skipped. ValueError naming the
    flag, the item and `example` (a valid item) for an item without `=` or without a key."""
    out: dict[str, Any] = {}
    for item in items:
        if not item.strip():
            continue
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"{flag}: {item!r} is not key=value (expected KEY=VALUE, e.g. {flag} {example})")
        out[key] = parse_value(raw)
    return out
