"""The closing lines of `orsta-bench run` about samples the model never answered: how many,
and the command that retries them (resume alone keeps them, as every finished sample)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from orsta_bench.runner.folder import SAMPLES_FILE
from orsta_bench.score import Status


def backend_error_count(results: dict[str, Any]) -> int:
    """`backend_error` samples in the whole run folder (this invocation and earlier ones)."""
    return sum((task.get("status_counts") or {}).get(Status.BACKEND_ERROR.value, 0)
               for task in results.get("tasks", {}).values())


def backend_error_note(count: int, output: Path) -> str:
    """What to tell the user about `count` unanswered samples in `output`."""
    samples = shlex.quote(str(output / SAMPLES_FILE))
    return (f"{count} sample(s) got no answer from the model (backend_error; the reason is in each "
            f"record's `error`). Resuming keeps them; to retry only those, drop their lines and run "
            f"the same command again:\n  sed -i '/\"status\":\"{Status.BACKEND_ERROR.value}\"/d' "
            f"{samples}")
