"""`orsta-bench run` names a task whose samples are all `error` and exits 1 (docs/contracts.md):
a task the harness could not score must not just vanish from the scores."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from orsta_bench.results.aggregate import all_error_tasks

FIXTURES = Path(__file__).parent / "fixtures" / "run_tasks"


def test_a_task_with_only_error_samples_is_named_and_the_run_exits_1(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    shutil.copy(FIXTURES / "arith.jsonl", tasks)
    shutil.copy(FIXTURES / "run_arith.yaml", tasks)
    spec = (FIXTURES / "run_arith.yaml").read_text()
    # all detection component weights 0: a configuration the verifier reports as `error` per sample
    (tasks / "run_broken.yaml").write_text(spec.replace("name: run_arith", "name: run_broken")
                                           .replace("verifier: {name: number}", "verifier: {name: vtriune.detection}"))
    done = subprocess.run(
        [sys.executable, "-m", "orsta_bench.cli", "run", "--model", "oracle", "--tasks", "runfix", "--tasks-dir",
         str(tasks), "--output", str(tmp_path / "run"), "--no-progress", "--workers", "0"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 1, done.stderr
    named = [line for line in done.stderr.splitlines() if "every sample `error`" in line]
    assert named == ["task(s) with every sample `error` (nothing scored): run_broken"], done.stderr


def test_all_error_tasks_only_counts_tasks_with_nothing_but_error() -> None:
    tasks = {
        "all_error": {"n": 3, "status_counts": {"error": 3}},
        "some_error": {"n": 3, "status_counts": {"error": 2, "ok": 1}},
        "backend": {"n": 2, "status_counts": {"backend_error": 2}},
        "not_scored": {"n": 2, "status_counts": {"not_scored": 2}},
        "empty": {"n": 0, "status_counts": {}},
    }
    assert all_error_tasks({"tasks": tasks}) == ["all_error"]
