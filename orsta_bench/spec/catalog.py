"""Finding the task folder and selecting tasks by name, suite or glob (`--tasks`)."""

from __future__ import annotations

import difflib
import fnmatch
import os
from pathlib import Path

from orsta_bench.spec.loaded import LoadedSpec
from orsta_bench.spec.loader import load_specs

TASKS_DIR_ENV = "ORSTA_TASKS_DIR"


class SelectionError(ValueError):
    """A --tasks item matched nothing; the message lists near names."""


def builtin_tasks_dir() -> Path:
    """$ORSTA_TASKS_DIR, else the tasks/ folder shipped with the package (or the checkout's)."""
    if os.environ.get(TASKS_DIR_ENV):
        return Path(os.environ[TASKS_DIR_ENV])
    package = Path(__file__).resolve().parents[1]
    shipped = package / "_builtin_tasks"
    return shipped if shipped.is_dir() else package.parent / "tasks"


def load_catalog(tasks_dirs: list[Path] | None = None, data_roots: list[Path] | None = None) -> list[LoadedSpec]:
    return load_specs(tasks_dirs or [builtin_tasks_dir()], data_roots or [])


def select_tasks(specs: list[LoadedSpec], selector: str) -> list[LoadedSpec]:
    """`a,b` names, `synth` a whole suite, `synth_*` a glob; order follows the selector, no repeats."""
    chosen: list[LoadedSpec] = []
    for item in (part.strip() for part in selector.split(",")):
        if not item:
            continue
        matches = [s for s in specs if s.name == item] or [s for s in specs if s.spec.suite == item]
        if not matches and any(ch in item for ch in "*?["):
            matches = [s for s in specs if fnmatch.fnmatchcase(s.name, item)]
        if not matches:
            names = sorted({s.name for s in specs} | {s.spec.suite for s in specs})
            close = difflib.get_close_matches(item, names, n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise SelectionError(
                f"--tasks item {item!r} matches no task name, suite or glob.{hint}"
                " (`orsta-bench list` shows what exists)"
            )
        chosen.extend(m for m in matches if m not in chosen)
    if not chosen:
        raise SelectionError("--tasks selected nothing; give task names, suites or globs")
    return chosen
