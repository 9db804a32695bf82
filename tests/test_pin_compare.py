"""Pins for results/compare.py found by mutation testing (scripts/mutation.sh): which pairs
enter the differences, the excluded count, the "at least half must pair" rule and
MIN_TASK_PAIRS at their boundaries, settings limits, and the report's numbers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from results_runs import record, write_run

from orsta_bench.results.compare import MIN_TASK_PAIRS, CompareError, Settings, compare_runs

FAST = Settings(resamples=200)


def runs(tmp_path: Path, base: list[dict], cand: list[dict]) -> tuple[Path, Path]:
    return write_run(tmp_path / "base", base), write_run(tmp_path / "cand", cand)


def test_a_pair_enters_the_differences_only_when_both_sides_count(tmp_path):
    """`b.counts and c.counts`: an error on either side excludes the pair, and each is counted."""
    base = [record("t", i, 1.0) for i in range(6)] + [record("t", 6, 1.0, status="error")]
    cand = ([record("t", i, 1.0) for i in range(4)] + [record("t", 4, 0.0, status="not_scored"),
            record("t", 5, 0.0, status="backend_error"), record("t", 6, 0.0)])
    report = compare_runs(*runs(tmp_path, base, cand), FAST)
    task = report["tasks"]["t"]
    assert (task["n_paired"], task["n_excluded"], report["pairing"]["excluded_status"]) == (4, 3, 3)
    assert (task["baseline"], task["candidate"], task["delta"]) == (1.0, 1.0, 0.0)


def test_every_pair_excluded_is_an_error(tmp_path):
    base = [record("t", i, 1.0, status="error") for i in range(3)]
    with pytest.raises(CompareError, match="every paired sample has status error"):
        compare_runs(*runs(tmp_path, base, [record("t", i, 1.0) for i in range(3)]), FAST)


def test_runs_without_samples_are_an_error(tmp_path):
    with pytest.raises(CompareError, match="hold no samples"):
        compare_runs(*runs(tmp_path, [], []), FAST)


@pytest.mark.parametrize(("mismatched", "comparable"), [(5, True), (6, False)])
def test_exactly_half_paired_is_enough(tmp_path, mismatched, comparable):
    """10 samples on each side, `mismatched` of them with another sample_hash: 5 of 10 pair
    (exactly half) is comparable, 4 of 10 is not."""
    base = [record("t", i, 1.0) for i in range(10)]
    cand = [record("t", i, 1.0, sample_hash="other" if i < mismatched else None) for i in range(10)]
    if comparable:
        report = compare_runs(*runs(tmp_path, base, cand), FAST)
        assert report["pairing"]["paired"] == 10 - mismatched
        assert report["pairing"]["hash_mismatch"] == mismatched
    else:
        with pytest.raises(CompareError, match=r"only 4 of 10 samples pair .*6 with a different"):
            compare_runs(*runs(tmp_path, base, cand), FAST)


def test_pairing_report_counts(tmp_path):
    base = [record("t", i, 1.0) for i in range(8)]
    cand = [record("t", i, 1.0) for i in range(2, 10)]
    pairing = compare_runs(*runs(tmp_path, base, cand), FAST)["pairing"]
    assert {k: pairing[k] for k in ("baseline_samples", "candidate_samples", "union", "paired",
                                    "only_baseline", "only_candidate", "hash_mismatch")} == {
        "baseline_samples": 8, "candidate_samples": 8, "union": 10, "paired": 6,
        "only_baseline": 2, "only_candidate": 2, "hash_mismatch": 0}
    assert pairing["examples"]["only_baseline"] == ["t/0", "t/1"]
    assert pairing["examples"]["only_candidate"] == ["t/8", "t/9"]


@pytest.mark.parametrize(("n", "judged"), [(MIN_TASK_PAIRS - 1, False), (MIN_TASK_PAIRS, True)])
def test_min_task_pairs_boundary(tmp_path, n, judged):
    """A task with MIN_TASK_PAIRS pairs gets its own Holm verdict; one pair fewer does not."""
    base = [record("t", i, 1.0) for i in range(n)]
    cand = [record("t", i, 0.0) for i in range(n)]
    task = compare_runs(*runs(tmp_path, base, cand), FAST)["tasks"]["t"]
    assert task["regression"] is judged
    assert (task["p_holm"] is not None) is judged
    assert task["delta"] == -1.0 and task["ci_low"] == task["ci_high"] == -1.0


def test_max_drop_moves_the_threshold_and_the_suite_verdict(tmp_path):
    """A 0.1 drop on every sample: a regression at max_drop 0, not at max_drop 0.1 (the interval
    is the point -0.1, not below -0.1); p-values are against -max_drop."""
    base = [record("t", i, 1.0) for i in range(20)]
    cand = [record("t", i, 0.9) for i in range(20)]
    paths = runs(tmp_path, base, cand)
    strict = compare_runs(*paths, Settings(resamples=200, max_drop=0.0))
    assert strict["verdict"] == "regression" and strict["regressions"] == ["task:t", "suite:synth"]
    assert strict["tasks"]["t"]["p_value"] == round(2 / 201, 6)
    lenient = compare_runs(*paths, Settings(resamples=200, max_drop=0.1))
    assert lenient["verdict"] == "no regression" and lenient["regressions"] == []
    assert lenient["suites"]["synth"] == {
        "n_tasks": 1, "baseline": 1.0, "candidate": 0.9, "delta": -0.1, "ci_low": -0.1,
        "ci_high": -0.1, "regression": False}
    assert lenient["settings"] == {"max_drop": 0.1, "confidence": 0.95, "resamples": 200,
                                   "seed": 0, "correction": "holm across tasks"}


@pytest.mark.parametrize("settings", [
    Settings(confidence=0.0), Settings(confidence=1.0), Settings(max_drop=-0.01),
    Settings(max_drop=1.01), Settings(resamples=99)])
def test_settings_out_of_range_are_refused(settings):
    with pytest.raises(CompareError, match="--"):
        settings.check()


@pytest.mark.parametrize("settings", [Settings(max_drop=0.0), Settings(max_drop=1.0),
                                      Settings(resamples=100), Settings(confidence=0.5)])
def test_settings_at_their_limits_are_accepted(settings):
    settings.check()


def test_nan_rounds_to_none_and_numbers_to_six_places():
    from orsta_bench.results.compare import _round
    assert _round(math.nan) is None
    assert _round(1 / 3) == 0.333333


def test_report_names_both_runs_and_takes_the_suite_from_the_baseline(tmp_path):
    base = [record("t", 0, 1.0, suite="old")]
    cand = [record("t", 0, 1.0, suite="new")]
    base_dir, cand_dir = runs(tmp_path, base, cand)
    report = compare_runs(base_dir, cand_dir, FAST)
    assert (report["baseline"], report["candidate"]) == (str(base_dir), str(cand_dir))
    assert report["tasks"]["t"]["suite"] == "old" and list(report["suites"]) == ["old"]


@pytest.mark.parametrize("role", ["baseline", "candidate"])
def test_unreadable_run_names_its_role(tmp_path, role):
    good = write_run(tmp_path / "good", [record("t", 0, 1.0)])
    paths = {"baseline": good, "candidate": good, role: tmp_path / "missing"}
    with pytest.raises(CompareError) as caught:
        compare_runs(paths["baseline"], paths["candidate"], FAST)
    assert str(caught.value).startswith(f"{role}: ") and "missing" in str(caught.value)


def test_too_little_overlap_message(tmp_path):
    base = [record("t", i, 1.0) for i in range(4)]
    cand = [record("t", i, 1.0, sample_hash="x" if i == 0 else None) for i in range(1)] + [
        record("t", i, 1.0) for i in range(5, 8)]
    base_dir, cand_dir = runs(tmp_path, base, cand)
    with pytest.raises(CompareError) as caught:
        compare_runs(base_dir, cand_dir, FAST)
    assert str(caught.value).split("\n") == [
        f"only 0 of 7 samples pair between {base_dir} and {cand_dir} (at least half must): "
        "3 only in the baseline, 3 only in the candidate, 1 with a different sample_hash "
        "(the task spec or data changed).",
        "  e.g. only_baseline: t/1, t/2, t/3",
        "  e.g. only_candidate: t/5, t/6, t/7",
        "  e.g. hash_mismatch: t/0",
        "Fix: run both models on the same tasks, --limit and spec versions."]


def test_all_excluded_message_is_exact(tmp_path):
    base = [record("t", 0, 1.0, status="error")]
    with pytest.raises(CompareError) as caught:
        compare_runs(*runs(tmp_path, base, [record("t", 0, 1.0)]), FAST)
    assert str(caught.value) == ("every paired sample has status error / not_scored / "
                                 "backend_error in one of the runs; there is no score to compare")


def test_confidence_message_is_exact():
    with pytest.raises(CompareError) as caught:
        Settings(confidence=2.0).check()
    assert str(caught.value) == "--confidence must be between 0 and 1, got 2.0 (e.g. 0.95)"


def test_confidence_drives_task_interval_holm_and_suite(tmp_path):
    """Diffs -1 x4, +1 x1, 0 x5 (mean -0.3): below 0 at confidence 0.5, not at 0.95 (task,
    Holm verdict and suite)."""
    diffs = [-1.0] * 4 + [1.0] + [0.0] * 5
    base = [record("t", i, 0.0 if d > 0 else 1.0) for i, d in enumerate(diffs)]
    cand = [record("t", i, 1.0 if d > 0 else 1.0 + d) for i, d in enumerate(diffs)]
    paths = runs(tmp_path, base, cand)
    loose = compare_runs(*paths, Settings(resamples=2000, confidence=0.5))
    strict = compare_runs(*paths, Settings(resamples=2000, confidence=0.95))
    assert loose["regressions"] == ["task:t", "suite:synth"] and strict["regressions"] == []
    assert loose["tasks"]["t"]["ci_high"] < 0 <= strict["tasks"]["t"]["ci_high"]


def test_an_interval_ending_exactly_at_minus_max_drop_is_not_a_regression(tmp_path):
    """A uniform drop of exactly 0.25 with --max-drop 0.25: the interval is the point -0.25,
    which is not *below* -0.25 (task and suite)."""
    base = [record("t", i, 0.5) for i in range(12)]
    cand = [record("t", i, 0.25) for i in range(12)]
    report = compare_runs(*runs(tmp_path, base, cand), Settings(resamples=200, max_drop=0.25))
    assert report["suites"]["synth"]["ci_high"] == -0.25
    assert report["regressions"] == []
