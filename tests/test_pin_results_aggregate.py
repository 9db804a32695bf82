"""Pins for results/aggregate.py found by mutation testing (scripts/mutation.sh): results.json's
run fields (versions, spec hashes, timing, created, intervals), rounding, status counts across
tasks, the confidence used, whole-task draws reused by groups, an unscored MEGA-Bench task, the
tasks named as all-error (`orsta-bench run` exits 1 on them), chance levels and incomplete
MEGA-Bench tasks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from results_runs import binary_task, record, write_run

from orsta_bench import __version__
from orsta_bench.results.aggregate import aggregate_run, all_error_tasks

CREATED = "2026-01-01T00:00:00+00:00"


def run_with(tmp_path: Path, run_json: dict, records: list[dict] | None = None) -> Path:
    """A run folder whose run.json is exactly `run_json`."""
    folder = write_run(tmp_path / "run", records or binary_task("t", 6, 0.5, seed=0))
    (folder / "run.json").write_text(json.dumps(run_json))
    return folder


@pytest.mark.parametrize("key", ["spec_hashes", "task_hashes", "specs", "tasks"])
def test_spec_hashes_are_read_under_each_accepted_name(tmp_path, key):
    """A non-mapping or a mapping with non-string values under an earlier name is skipped."""
    run = {"tasks": ["t"], key: {"t": "h1", "a": "h0"}}
    if key != "spec_hashes":
        run["spec_hashes"] = {"t": 3}
    results = aggregate_run(run_with(tmp_path, run), created=CREATED)
    assert results["spec_hashes"] == {"a": "h0", "t": "h1"}


def test_versions_default_to_the_package_and_git_revision(tmp_path):
    results = aggregate_run(run_with(tmp_path, {"package_version": "7.1", "git_revision": "abc"}),
                            created=CREATED)
    assert results["versions"] == {"orsta_bench": "7.1", "git_revision": "abc"}
    assert results["git_revision"] == "abc"
    bare = aggregate_run(run_with(tmp_path, {}), created=CREATED)
    assert bare["versions"] == {"orsta_bench": __version__}
    assert bare["timing"] == {} and bare["spec_hashes"] == {}


def test_recorded_versions_and_timing_are_kept(tmp_path):
    run = {"versions": {"orsta_bench": "9.9"}, "timing": {"total_s": 3.5}, "package_version": "1"}
    results = aggregate_run(run_with(tmp_path, run), created=CREATED)
    assert results["versions"] == {"orsta_bench": "9.9"} and results["timing"] == {"total_s": 3.5}


def test_created_and_interval_settings(tmp_path):
    folder = run_with(tmp_path, {})
    assert aggregate_run(folder, created=CREATED)["created"] == CREATED
    now = aggregate_run(folder)["created"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", now)
    results = aggregate_run(folder, seed=5, resamples=300, confidence=0.9, created=CREATED)
    assert results["intervals"] == {
        "method": "percentile bootstrap, samples resampled within each task",
        "confidence": 0.9, "resamples": 300, "seed": 5}


def test_scores_round_to_six_places(tmp_path):
    records = [record("t", i, v) for i, v in enumerate([1.0, 0.0, 0.0])]
    results = aggregate_run(write_run(tmp_path / "r", records), created=CREATED)
    assert results["tasks"]["t"]["score"] == 0.333333


def test_confidence_sets_the_interval_width(tmp_path):
    folder = write_run(tmp_path / "r", binary_task("t", 40, 0.5, seed=1))
    wide = aggregate_run(folder, confidence=0.95, created=CREATED)["suites"]["synth"]
    narrow = aggregate_run(folder, confidence=0.5, created=CREATED)["suites"]["synth"]
    assert narrow["ci_high"] - narrow["ci_low"] < wide["ci_high"] - wide["ci_low"]


def test_status_counts_add_up_over_the_tasks_of_a_group(tmp_path):
    records = ([record("a", i, 1.0) for i in range(3)] + [record("a", 9, 0.0, status="error")]
               + [record("b", i, 0.0, status="parse_error") for i in range(2)])
    suite = aggregate_run(write_run(tmp_path / "r", records), created=CREATED)["suites"]["synth"]
    assert suite["status_counts"] == {"ok": 3, "error": 1, "parse_error": 2}
    assert (suite["n"], suite["n_scored"], suite["n_tasks"]) == (6, 5, 2)


def test_a_group_holding_a_whole_task_reuses_the_tasks_draws(tmp_path):
    """A one-task suite has exactly its task's interval (same resamples, label = task name);
    a group holding part of the task has its own."""
    records = [record("t", i, float(i % 3 == 0), family="half" if i < 10 else "other")
               for i in range(20)]
    results = aggregate_run(write_run(tmp_path / "r", records), created=CREATED)
    task, suite = results["tasks"]["t"], results["suites"]["synth"]
    assert (suite["ci_low"], suite["ci_high"]) == (task["ci_low"], task["ci_high"])
    assert results["families"]["half"]["ci_low"] is not None


def test_a_tasks_interval_is_the_bootstrap_of_its_values_labelled_by_the_task(tmp_path):
    """results.json's task interval = mean_interval(values, seed, label=task name): anyone can
    recompute it from samples.jsonl."""
    import numpy as np

    from orsta_bench.results.aggregate import RESULTS_RESAMPLES
    from orsta_bench.results.bootstrap import mean_interval

    values = [((i * 7) % 20) / 20 for i in range(20)]
    records = [record("t", i, v) for i, v in enumerate(values)]
    task = aggregate_run(write_run(tmp_path / "r", records), seed=2, created=CREATED)["tasks"]["t"]
    expected = mean_interval(np.array(values), seed=2, label="t", n_resamples=RESULTS_RESAMPLES)
    assert (task["ci_low"], task["ci_high"]) == (round(expected.low, 6), round(expected.high, 6))


def test_part_of_a_task_has_reproducible_draws(tmp_path):
    """Published intervals of groups holding part of a task are reproducible across versions:
    their resample stream is labelled `task|<first 16 hex of sha256(indices)>`. Values recorded
    from this implementation; change them only with a note that published intervals change."""
    records = [record("t", i, ((i * 7) % 20) / 20, family="half" if i < 10 else "other")
               for i in range(20)]
    results = aggregate_run(write_run(tmp_path / "r", records), resamples=200, created=CREATED)
    half = results["families"]["half"]
    # 0.1845 before samples were ordered by id within a task (so intervals no longer depend on
    # the line order of samples.jsonl, e.g. after a sharded run's merge): published intervals of
    # such groups changed once, on purpose.
    assert (half["score"], half["ci_low"], half["ci_high"]) == (0.375, 0.195, 0.535125)


def test_unscored_megabench_task_counts_zero_in_core(tmp_path):
    """A MEGA-Bench task with nothing scored (score null) enters Core as 0, not as 1."""
    rows = [record("mb_a", i, 1.0, metric="megabench", suite="megabench") for i in range(2)]
    rows += [record("mb_b", i, 0.0, metric="megabench", suite="megabench", status="error")
             for i in range(2)]
    results = aggregate_run(write_run(tmp_path / "r", rows), created=CREATED)
    assert results["megabench"]["core"]["score"] == pytest.approx(0.5)


def test_all_error_tasks_of_a_run_are_those_with_nothing_but_error(tmp_path):
    """Hand-counted run: `dead` (3 of 3 error) and `z_dead` (1 of 1) are named, in name order;
    `partly` (2 error + 1 ok), `one_ok` (1 ok: n = 1 but no error) and `backend` (backend_error
    is not `error`) are not."""
    rows = ([record("z_dead", 0, 0.0, status="error")]
            + [record("dead", i, 0.0, status="error") for i in range(3)]
            + [record("partly", i, 0.0, status="error") for i in range(2)] + [record("partly", 2, 1.0)]
            + [record("one_ok", 0, 1.0)]
            + [record("backend", i, 0.0, status="backend_error") for i in range(2)])
    results = aggregate_run(write_run(tmp_path / "r", rows), created=CREATED)
    assert all_error_tasks(results) == ["dead", "z_dead"]


def test_all_error_tasks_without_tasks_or_samples_names_nothing():
    """results without a tasks section, or a task with no samples (n 0), name nothing."""
    assert all_error_tasks({}) == []
    assert all_error_tasks({"tasks": {"empty": {"n": 0, "status_counts": {}}}}) == []


def test_chance_levels_come_from_run_json(tmp_path):
    """run.json's `chance` (spec name -> chance level) fills each task's `chance`; a task the
    mapping does not name, or a run.json without it, has chance null."""
    rows = binary_task("t", 4, 0.5, seed=0) + binary_task("u", 4, 0.5, seed=1)
    results = aggregate_run(write_run(tmp_path / "r", rows, run={"chance": {"t": 0.25}}), created=CREATED)
    assert (results["tasks"]["t"]["chance"], results["tasks"]["u"]["chance"]) == (0.25, None)
    bare = aggregate_run(write_run(tmp_path / "s", rows), created=CREATED)
    assert bare["tasks"]["t"]["chance"] is None


@pytest.mark.parametrize("status", ["error", "not_scored", "backend_error"])
def test_megabench_task_with_an_unscorable_sample_is_incomplete(tmp_path, status):
    """One `error`, `not_scored` or `backend_error` sample (left out of the score,
    docs/contracts.md) makes its MEGA-Bench task incomplete in Core and Overall."""
    rows = [record("mb_a", i, 1.0, metric="megabench", suite="megabench") for i in range(2)]
    rows += [record("mb_b", 0, 1.0, metric="megabench", suite="megabench"),
             record("mb_b", 1, 0.0, metric="megabench", suite="megabench", status=status)]
    summary = aggregate_run(write_run(tmp_path / "r", rows), created=CREATED)["megabench"]
    for part in ("core", "overall"):
        assert (summary[part]["complete"], summary[part]["incomplete_tasks"]) == (False, ["mb_b"])
