"""Hostile specs and data (issue 18): every probe builds its victim files in a fresh temp folder,
runs `orsta-bench run --model oracle` (and `validate` where the problem is in the spec), and
checks: exit 2, a short message naming the file and the words of the fix, no traceback, no run
folder and nothing else written. Positive controls (a clean task, MEGA-Bench data outside the
task folder named with --data-root) must run with exit 0.

The probes are bounded by the caps they test; each CLI call also runs under a time limit and,
in a subprocess, an address-space limit, so a regression fails the probe instead of the machine.

    python -m reliability.spec_bounds              # in-process, prints a JSON report
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reliability.spec_probes import PROBES, REPO, Probe

TIME_LIMIT_S = 60
MEMORY_LIMIT = 3 * 2**30  # address space of one CLI subprocess
ENV_CLEARED = ("ORSTA_DATA_ROOT", "ORSTA_DATA_DIR", "ORSTA_MEGABENCH_DIR", "ORSTA_TASKS_DIR")

Cli = Callable[[list[str]], tuple[int, str]]


def subprocess_cli(args: list[str]) -> tuple[int, str]:
    """The real CLI in a child with a time and an address-space limit."""
    env = {key: value for key, value in os.environ.items() if key not in ENV_CLEARED}
    env.update(HF_HUB_OFFLINE="1", COLUMNS="300")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    try:
        done = subprocess.run([sys.executable, "-m", "orsta_bench.cli", *args], capture_output=True,
                              text=True, timeout=TIME_LIMIT_S, env=env, preexec_fn=limit, cwd=REPO)
    except subprocess.TimeoutExpired:
        return -1, f"timed out after {TIME_LIMIT_S} s"
    return done.returncode, done.stdout + done.stderr


def check_probe(probe: Probe, cli: Cli) -> list[str]:
    """Problems with how the CLI handled this probe (empty: held)."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="orsta-specbounds-") as tmp:
        root = Path(tmp)
        setup = probe.build(root)
        before = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
        output = root / "out"
        code, text = cli(["run", "--model", "oracle", "--tasks", "*", "--tasks-dir", str(setup.tasks),
                          "--output", str(output), "--no-progress", "--workers", "0", *setup.extra])
        if probe.ok:
            return [] if code == 0 else [f"control run exited {code}: {text[-400:]}"]
        problems += _judge("run", code, text, setup.names, probe.words)
        after = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
        if output.exists() or after != before:
            problems.append(f"run wrote files: {sorted(set(after) - set(before))[:5]}")
        if probe.validate:
            code, text = cli(["validate", str(setup.tasks)])
            problems += _judge("validate", code, text, setup.names, probe.words)
            if "1 problem(s) found" not in text:
                problems.append(f"validate did not report exactly one problem: {text[-300:]}")
    return problems


def _judge(command: str, code: int, text: str, names: str, words: tuple[str, ...]) -> list[str]:
    problems = []
    flat = " ".join(text.split())
    if code != 2:
        problems.append(f"{command} exited {code}, expected 2: {flat[-300:]}")
    if "Traceback" in text:
        problems.append(f"{command} printed a traceback")
    lines = [line for line in text.splitlines() if line.strip() and "invalid task specs" not in line
             and "problem(s) found" not in line]
    if len(lines) != 1:
        problems.append(f"{command} message is {len(lines)} lines, expected one: {flat[-300:]}")
    for needle in (names, *words):
        if needle and needle not in flat:
            problems.append(f"{command} message does not mention {needle!r}: {flat[-300:]}")
    return problems


def run_spec_bounds(cli: Cli = subprocess_cli) -> dict[str, Any]:
    """Every probe; the report counts tried and held and keeps the slowest probe's time."""
    failures: dict[str, list[str]] = {}
    slowest = (0.0, "")
    for probe in PROBES:
        started = time.perf_counter()
        problems = check_probe(probe, cli)
        took = time.perf_counter() - started
        slowest = max(slowest, (round(took, 2), probe.name))
        if problems:
            failures[probe.name] = problems
    held = len(PROBES) - len(failures)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    return {"check": "spec_bounds", "probes": len(PROBES), "held": held, "failures": failures,
            "slowest_probe_s": slowest, "peak_child_rss_mib": peak, "passed": not failures}


def in_process_cli(args: list[str]) -> tuple[int, str]:
    """The CLI app in this process (one interpreter for all probes; see tests/reliability)."""
    from typer.testing import CliRunner

    from orsta_bench.cli.app import app

    for key in ENV_CLEARED:
        os.environ.pop(key, None)
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    return result.exit_code, result.output


if __name__ == "__main__":
    print(json.dumps(run_spec_bounds(in_process_cli), indent=1))
