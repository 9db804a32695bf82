"""SIGKILL an `orsta-bench run` at random points, resume each time, and compare the result with an
uninterrupted run: no sample lost, none duplicated, identical responses, scores and results.

Kill points are seeded: either a random delay after start (early ones land during start-up,
before any sample is written) or a random number of newly written samples. Every kill lands on
a live process (a run that finished first is not counted as a kill).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _cmd(model: str, output: Path, tasks: str, limit: int, extra: list[str]) -> list[str]:
    return [sys.executable, "-m", "orsta_bench.cli", "run", "--model", model, "--tasks", tasks,
            "--limit", str(limit), "--output", str(output), "--no-progress", *extra]


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def _records(output: Path) -> dict[tuple[str, str], dict]:
    records: dict[tuple[str, str], dict] = {}
    for line in (output / "samples.jsonl").read_text().splitlines():
        record = json.loads(line)
        key = (record["task"], str(record["id"]))
        if key in records:
            raise AssertionError(f"duplicate sample {key}")
        records[key] = record
    return records


def _summary(output: Path) -> dict[str, Any]:
    results = json.loads((output / "results.json").read_text())
    return {name: {k: task[k] for k in ("score", "n", "n_scored", "ci_low", "ci_high", "status_counts")}
            for name, task in results["tasks"].items()}


def run_kill_resume(root: Path, kills: int = 10, seed: int = 0, model: str = "oracle",
                    tasks: str = "synth", limit: int = 25, extra: list[str] | None = None) -> dict[str, Any]:
    """`kills` SIGKILLs of one run folder, then a final resume; compared with a clean run."""
    extra = extra or ["--workers", "1", "--batch-size", "4"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    rng = random.Random(seed)
    clean, killed = root / "clean", root / "killed"
    started = time.perf_counter()
    done = subprocess.run(_cmd(model, clean, tasks, limit, extra), capture_output=True, text=True,
                          timeout=900, env=env)
    if done.returncode != 0:
        return {"check": "kill_resume", "passed": False, "error": done.stderr[-1000:]}
    total = _lines(clean / "samples.jsonl")
    clean_s = time.perf_counter() - started
    samples = killed / "samples.jsonl"
    points: list[dict[str, Any]] = []
    attempts = 0
    while len(points) < kills and attempts < kills * 4:
        attempts += 1
        before = _lines(samples)
        by_time = rng.random() < 0.3
        # Time kills land within the first half of a clean run's duration (start-up included),
        # so a fast machine still gets all its kills in before the work runs out.
        target = (rng.uniform(0.05, max(0.1, clean_s / 2)) if by_time
                  else rng.randint(1, max(1, (total - before) // 3)))
        process = subprocess.Popen(_cmd(model, killed, tasks, limit, extra), env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        begin = time.monotonic()
        while process.poll() is None:
            if (time.monotonic() - begin >= target) if by_time else (_lines(samples) - before >= target):
                break
            time.sleep(0.005)
        if process.poll() is not None:
            break  # the run finished before the kill point: no more work to interrupt
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        raw = samples.read_bytes() if samples.exists() else b""
        points.append({"after_s" if by_time else "after_new_samples": round(target, 2) if by_time else target,
                       "lines_kept": raw.count(b"\n"), "torn_last_line": bool(raw) and not raw.endswith(b"\n")})
    final = subprocess.run(_cmd(model, killed, tasks, limit, extra), capture_output=True, text=True,
                           timeout=900, env=env)
    report: dict[str, Any] = {"check": "kill_resume", "model": model, "tasks": tasks, "limit": limit,
                              "samples": total, "clean_run_s": round(clean_s, 1), "kills": len(points),
                              "kill_points": points, "final_exit": final.returncode, "passed": False}
    if final.returncode != 0:
        report["error"] = final.stderr[-1000:]
        return report
    try:
        got, want = _records(killed), _records(clean)
    except AssertionError as error:
        report["error"] = str(error)
        return report
    fields = ("sample_hash", "response", "score")
    differing = [key for key in want if key in got and any(got[key][f] != want[key][f] for f in fields)]
    report.update(missing=len(set(want) - set(got)), extra=len(set(got) - set(want)),
                  differing=len(differing), results_identical=_summary(killed) == _summary(clean))
    report["passed"] = (len(points) == kills and not report["missing"] and not report["extra"]
                        and not differing and report["results_identical"])
    return report
