"""The malformed-spec corpus (tests/fixtures/bad_specs/): each file alone in a fresh tasks folder
must make `orsta-bench run` exit 2 with one clear error naming the file, the field and the
problem, and leave nothing behind; `orsta-bench validate` must agree (same exit, one problem).

Each corpus file states what it expects in its first comment lines:
    # expect-field: reward.accuracy_weight   (empty for file-level errors such as YAML syntax)
    # expect-words: valid number
    # expect-issues: 2                        (optional; default 1)
    # run-only: ...                           (optional; validate cannot see this problem)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "bad_specs"


@dataclass(frozen=True)
class Case:
    path: Path
    field: str
    words: str
    issues: int
    run_only: bool


def load_cases(corpus: Path = CORPUS) -> list[Case]:
    cases = []
    for path in sorted(corpus.glob("*.yaml")):
        header: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("# "):
                break
            key, _, value = line[2:].partition(":")
            header[key.strip()] = value.strip()
        issues = int(header.get("expect-issues", "1").split()[0])
        cases.append(Case(path, header.get("expect-field", ""), header["expect-words"], issues,
                          "run-only" in header))
    return cases


def _cli(args: list[str]) -> tuple[int, str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "300"}
    done = subprocess.run([sys.executable, "-m", "orsta_bench.cli", *args], capture_output=True,
                          text=True, timeout=120, env=env)
    return done.returncode, done.stdout + done.stderr


def check_case(case: Case, cli=_cli) -> list[str]:
    """Problems with how the CLI handled this corpus file (empty list: handled well)."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "tasks"
        folder.mkdir()
        shutil.copy(case.path, folder / case.path.name)
        output = Path(tmp) / "out"
        code, text = cli(["run", "--model", "oracle", "--tasks", "*", "--tasks-dir", str(folder),
                          "--output", str(output), "--no-progress", "--workers", "0"])
        flat = " ".join(text.split())
        if code != 2:
            problems.append(f"run exited {code}, expected 2")
        for needle in (case.path.name, case.field, case.words):
            if needle and needle not in flat:
                problems.append(f"run output does not mention {needle!r}: {flat[-300:]}")
        if output.exists() or sorted(p.name for p in Path(tmp).iterdir()) != ["tasks"]:
            problems.append("run left files behind")
        if [p.name for p in folder.iterdir()] != [case.path.name]:
            problems.append("run wrote into the tasks folder")
        if case.run_only:
            return problems
        code, text = cli(["validate", str(folder)])
        flat = " ".join(text.split())
        if code != 2:
            problems.append(f"validate exited {code}, expected 2")
        if f"{case.issues} problem(s) found" not in flat:
            problems.append(f"validate did not report exactly {case.issues} problem(s): {flat[-300:]}")
    return problems


def run_bad_specs(cli=_cli) -> dict[str, Any]:
    cases = load_cases()
    failures = {}
    for case in cases:
        problems = check_case(case, cli)
        if problems:
            failures[case.path.name] = problems
    return {"check": "bad_specs", "cases": len(cases), "failures": failures,
            "passed": len(cases) >= 30 and not failures}
