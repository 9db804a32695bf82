"""Sandbox escapes through the ScoringPool, backend faults and SIGKILL/resume of a real run
(small samples; python -m reliability.run --full runs the documented counts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orsta_bench.megabench.sandbox import unavailable_reason
from reliability.backend_faults import PERSISTENT, run_backend_faults
from reliability.kill_resume import run_kill_resume
from reliability.sandbox_escapes import run_sandbox_escapes


@pytest.mark.skipif(unavailable_reason() != "" and os.environ.get("ORSTA_REQUIRE_SANDBOX") != "1",
                    reason=unavailable_reason())
def test_program_judge_escapes_are_contained() -> None:
    report = run_sandbox_escapes(rounds=1)
    assert report["control_scored_1"]  # the check can see a success
    escaped = sorted(name for name, probe in report["probes"].items() if not probe["held"])
    assert escaped == [] and report["tried"] == report["held"] >= 18, report
    assert not any(report["outside_effects"].values()), report["outside_effects"]
    assert report["passed"]


def test_backend_faults_are_counted_not_scored_wrong(tmp_path: Path) -> None:
    report = run_backend_faults(tmp_path / "run")
    assert report["backend_error_ids"] == sorted(PERSISTENT)
    assert report["arith"]["score"] == 1.0 and report["arith"]["n_scored"] == 4
    assert report["passed"], report


def test_sigkill_at_random_points_then_resume(tmp_path: Path) -> None:
    report = run_kill_resume(tmp_path, kills=2, seed=5, limit=3)
    assert report["kills"] == 2
    assert report["missing"] == report["extra"] == report["differing"] == 0
    assert report["results_identical"] and report["passed"], report
