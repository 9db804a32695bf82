"""What changed between the settings a run folder was started with and the ones asked for now,
in words a user can act on ("different max_new_tokens: 128 then, 512 now"), for the resume
refusal. Pure: two run.json fingerprints in, one sentence out."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

MAX_NAMES = 4  # task names listed before "and N more"
PER_TASK = ("generation", "spec_hashes")  # fingerprint keys that map task name -> value


def describe_fingerprint_change(old: dict[str, Any], new: dict[str, Any],
                                keys: Iterable[str]) -> str:
    """The differences between `old` and `new` over `keys`, '; '-separated ('' when none)."""
    keys = list(keys)
    parts: list[str] = []
    old_tasks, new_tasks = _tasks(old, keys), _tasks(new, keys)
    if old_tasks != new_tasks:
        parts.append(f"different tasks: {_names(old_tasks)} then, {_names(new_tasks)} now")
    for key in keys:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        if key == "generation":
            parts += _generation_changes(before or {}, after or {}, old_tasks & new_tasks)
        elif key == "spec_hashes":
            edited = sorted(t for t in old_tasks & new_tasks if (before or {}).get(t) != (after or {}).get(t))
            if edited:
                parts.append(f"task spec(s) edited since: {_names(edited)}")
        elif isinstance(before, dict) and isinstance(after, dict):
            parts += [f"different {key} {name}: {_word(before.get(name))} then, "
                      f"{_word(after.get(name))} now"
                      for name in sorted(set(before) | set(after)) if before.get(name) != after.get(name)]
        else:
            parts.append(f"different {key}: {_word(before)} then, {_word(after)} now")
    if not parts:  # a difference no phrase above describes (e.g. a field missing from old run.json)
        parts = [f"different {key}" for key in keys if old.get(key) != new.get(key)]
    return "; ".join(parts)


def _tasks(fingerprint: dict[str, Any], keys: list[str]) -> set[str]:
    return {task for key in PER_TASK if key in keys
            for task in (fingerprint.get(key) or {})}


def _generation_changes(before: dict[str, Any], after: dict[str, Any], tasks: set[str]) -> list[str]:
    """One phrase per changed setting; the task names only when the change is not the same for
    every task."""
    changes: dict[tuple[str, str, str], list[str]] = {}
    for task in sorted(tasks):
        old, new = before.get(task) or {}, after.get(task) or {}
        for setting in sorted(set(old) | set(new)):
            if old.get(setting) != new.get(setting):
                change = (setting, _word(old.get(setting)), _word(new.get(setting)))
                changes.setdefault(change, []).append(task)
    return [f"different {setting}{'' if len(names) == len(tasks) else ' for ' + _names(names)}: "
            f"{then} then, {now} now" for (setting, then, now), names in changes.items()]


def _names(names: Iterable[str]) -> str:
    names = sorted(names)
    if not names:
        return "none"
    shown = ", ".join(names[:MAX_NAMES])
    return shown + (f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else "")


def _word(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)
