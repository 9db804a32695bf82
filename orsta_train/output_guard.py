"""Never train over an earlier run by accident: an --output folder that already holds a run
(its configuration, metrics or checkpoints) needs --resume to continue it or --overwrite to replace it."""

from __future__ import annotations

import shutil
from pathlib import Path

# What a started run leaves in its folder (build.train, monitoring, completions_log).
RUN_FILES = ("train_config.json", "metrics.jsonl", "completion_tables.jsonl")


def earlier_run_files(output: Path) -> list[Path]:
    """The files and checkpoint folders of an earlier run in `output` (empty if none)."""
    if not output.is_dir():
        return []
    found = [output / name for name in RUN_FILES if (output / name).exists()]
    return found + sorted(output.glob("checkpoint-*"))


def refusal(output: Path) -> str | None:
    """The one-line refusal for an `output` that holds a run, or None if it is free."""
    if not earlier_run_files(output):
        return None
    return (f"{output} already holds a training run; continue it with --resume last "
            f"(or --resume CHECKPOINT), or replace it with --overwrite, or choose another --output")


def clear_earlier_run(output: Path) -> None:
    """--overwrite: remove the earlier run's logs and checkpoints so nothing of it is appended to
    or resumed from; the final model files are replaced when the new run saves. Every rank of a
    distributed launch runs this, so a file another rank removed first is not an error."""
    for path in earlier_run_files(output):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
