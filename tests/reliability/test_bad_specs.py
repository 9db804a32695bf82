"""The malformed-spec corpus through the real CLI app (in-process here; python -m
reliability.run runs each as a subprocess)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from orsta_bench.cli.app import app
from reliability.bad_specs import check_case, load_cases

CASES = load_cases()


def in_process(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "300"})
    return result.exit_code, result.output


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({case.path.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.path.stem)
def test_bad_spec_gives_one_clear_error_and_writes_nothing(case) -> None:
    assert check_case(case, in_process) == []


def test_hostile_specs_and_data_are_refused_with_bounded_work() -> None:
    """Every spec_bounds probe (issue 18: alias bomb, include fan-out, deep nesting, devices,
    FIFOs, duplicate keys, bad rows, paths outside the allowed folders) in one child process
    limited in time and address space, so a regression fails here instead of hanging."""
    import json
    import resource
    import subprocess
    import sys

    from reliability.spec_bounds import MEMORY_LIMIT, PROBES, REPO

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    done = subprocess.run([sys.executable, "-m", "reliability.spec_bounds"], capture_output=True,
                          text=True, timeout=300, preexec_fn=limit, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["failures"] == {}
    assert report["probes"] == report["held"] == len(PROBES) >= 30
