"""aggregate_run: hand-checked scores for every grouping, excluded statuses counted, MEGA-Bench's
-1 kept in the denominator, robust reading of samples.jsonl, and the summary table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from results_runs import binary_task, record, write_run
from rich.console import Console

from orsta_bench.results.aggregate import aggregate_run
from orsta_bench.results.records import RecordsError
from orsta_bench.results.table import results_table

CREATED = "2026-01-01T00:00:00+00:00"


def _run(tmp_path: Path) -> Path:
    records = [
        record("count_a", 0, 1.0, dimensions={"skill": ["counting", "spatial"]}),
        record("count_a", 1, 0.0, status="parse_error", dimensions={"skill": "counting"}),
        record("count_a", 2, 1.0, dimensions={"skill": "counting"}),
        record("count_a", 3, 1.0, dimensions={"skill": "counting"}),
        record("count_a", 4, 0.0, status="error"),
        record("count_a", 5, 0.0, status="not_scored"),
        record("math_b", "x", 0.5, family="math", category="reasoning", data_source="geo",
               dimensions={"skill": "spatial"}),
        record("math_b", "y", 0.25, family="math", category="reasoning", data_source="geo"),
        record("math_b", "z", 0.0, family="math", category="reasoning", data_source="alg",
               status="no_answer"),
        record("math_b", "w", 0.0, family="math", category="reasoning", data_source="alg",
               status="backend_error"),
    ]
    return write_run(tmp_path / "run", records, model="tiny",
                     run={"model_name": "Tiny-1", "versions": {"orsta_bench": "9.9"}})


def test_scores_counts_and_groupings_match_hand_computation(tmp_path: Path) -> None:
    results = aggregate_run(_run(tmp_path), created=CREATED)
    assert results["schema_version"] == 1
    assert (results["model"], results["model_name"]) == ("tiny", "Tiny-1")
    assert results["versions"] == {"orsta_bench": "9.9"}
    assert set(results["spec_hashes"]) == {"count_a", "math_b"}
    assert results["n_samples"] == 10

    a, b = results["tasks"]["count_a"], results["tasks"]["math_b"]
    assert a["score"] == pytest.approx(0.75)  # (1 + 0 + 1 + 1) / 4; error, not_scored left out
    assert (a["n"], a["n_scored"]) == (6, 4)
    assert a["status_counts"] == {"ok": 3, "parse_error": 1, "error": 1, "not_scored": 1}
    assert (a["family"], a["category"], a["suite"]) == ("counting", "perception", "synth")
    assert b["score"] == pytest.approx(0.25)  # (0.5 + 0.25 + 0) / 3; backend_error left out
    assert (b["n"], b["n_scored"]) == (4, 3)
    for task in (a, b):
        assert task["ci_low"] <= task["score"] <= task["ci_high"]

    suite = results["suites"]["synth"]
    assert suite["score"] == pytest.approx(0.5)  # macro mean of 0.75 and 0.25
    assert (suite["n"], suite["n_scored"], suite["n_tasks"]) == (10, 7, 2)
    assert results["families"]["math"]["score"] == pytest.approx(0.25)
    assert results["categories"]["perception"]["score"] == pytest.approx(0.75)
    assert results["data_sources"]["geo"]["score"] == pytest.approx(0.375)
    assert results["data_sources"]["alg"]["score"] == pytest.approx(0.0)
    assert results["data_sources"]["alg"]["status_counts"] == {"no_answer": 1,
                                                               "backend_error": 1}
    # Dimension keywords are multi-label; a keyword's score is the macro mean over its tasks.
    skill = results["dimensions"]["skill"]
    assert skill["counting"]["score"] == pytest.approx(0.75)  # four count_a samples
    assert skill["spatial"]["score"] == pytest.approx((1.0 + 0.5) / 2)
    assert skill["spatial"]["n_tasks"] == 2


def test_results_are_deterministic_and_json_serialisable(tmp_path: Path) -> None:
    values = [((7 * i) % 101) / 100 for i in range(300)]  # many distinct levels
    run = write_run(tmp_path / "r", [record("t", i, v) for i, v in enumerate(values)])
    first = aggregate_run(run, created=CREATED)
    assert json.dumps(first) == json.dumps(aggregate_run(run, created=CREATED))
    other_seed = aggregate_run(run, created=CREATED, seed=1)["tasks"]["t"]
    assert other_seed["score"] == first["tasks"]["t"]["score"]
    assert other_seed["ci_low"] != first["tasks"]["t"]["ci_low"]


def test_megabench_minus_one_counts_zero_and_stays_in_the_denominator(tmp_path: Path) -> None:
    records = [record("mb_task", i, v, metric="megabench", family="megabench", suite="megabench")
               for i, v in enumerate([1.0, -1.0, 0.5, -1.0])]
    results = aggregate_run(write_run(tmp_path / "mb", records), created=CREATED)
    task = results["tasks"]["mb_task"]
    assert task["score"] == pytest.approx(0.375)  # (1 + 0 + 0.5 + 0) / 4
    assert task["n_scored"] == 4
    assert task["ci_low"] >= 0.0


def test_task_with_nothing_scored_has_no_score_and_no_weight_in_its_suite(tmp_path: Path) -> None:
    records = binary_task("good", 10, 0.6, seed=0) + [
        record("down", i, 0.0, status="backend_error") for i in range(3)]
    results = aggregate_run(write_run(tmp_path / "r", records), created=CREATED)
    assert results["tasks"]["down"]["score"] is None
    assert results["tasks"]["down"]["ci_low"] is None
    assert results["tasks"]["down"]["status_counts"] == {"backend_error": 3}
    assert results["suites"]["synth"]["score"] == pytest.approx(0.6)
    assert results["suites"]["synth"]["n_tasks"] == 1


def test_torn_last_line_is_ignored(tmp_path: Path) -> None:
    run = write_run(tmp_path / "r", binary_task("t", 20, 0.5, seed=1))
    with (run / "samples.jsonl").open("a") as handle:
        handle.write(json.dumps(record("t", 99, 1.0))[:40])  # killed mid-write
    results = aggregate_run(run, created=CREATED)
    assert results["tasks"]["t"]["n"] == 20
    assert results["tasks"]["t"]["score"] == pytest.approx(0.5)


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", r"samples.jsonl:2: not valid JSON"),
    (json.dumps({"task": "t", "id": 5, "sample_hash": "h"}), r":2: field 'score'"),
    (json.dumps(record("t", 0, 1.0)), r":2: sample \(task='t', id='0'\) already appeared on "
                                      r"line 1"),
    (json.dumps({**record("t", 7, 1.0), "score": {"value": 1, "status": "great"}}),
     r":2: bad score .* status must be one of"),
    (json.dumps({key: v for key, v in record("t", 8, 1.0).items() if key != "sample_hash"}),
     r":2: field 'sample_hash' is missing"),
])
def test_bad_records_name_the_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    run = write_run(tmp_path / "r", [record("t", 0, 1.0)])
    with (run / "samples.jsonl").open("a") as handle:
        handle.write(line + "\n" + json.dumps(record("t", 1, 0.0)) + "\n")
    with pytest.raises(RecordsError, match=message):
        aggregate_run(run)


def test_table_shows_intervals_and_failure_counts(tmp_path: Path) -> None:
    results = aggregate_run(_run(tmp_path), created=CREATED)
    console = Console(width=200, record=True)
    console.print(results_table(results))
    text = console.export_text()
    assert "count_a" in text and "math_b" in text
    a = results["tasks"]["count_a"]
    assert f"[{100 * a['ci_low']:.1f}, {100 * a['ci_high']:.1f}]" in text
    assert "parse:1" in text and "error:1 unscored:1" in text
    assert "backend:1" in text and "no-ans:1" in text
    assert "suite synth" in text and "2 tasks" in text and "50.0" in text


def test_megabench_runs_get_core_open_overall_with_intervals(tmp_path: Path) -> None:
    def mb(task: str, spec: str, values: list[float], **extra: object) -> list[dict]:
        rows = [record(task, f"{task}-{i}", v, metric="megabench", family="megabench",
                       suite="megabench") for i, v in enumerate(values)]
        for row in rows:
            row.update(spec=spec, **extra)
        return rows

    records = (mb("vln_identify_robot", "megabench_core", [1.0, 0.0, -1.0, 1.0])
               + mb("other_core", "megabench_core", [0.5, 0.5])
               + mb("judged_by_metadata", "megabench_core", [0.2, 0.4],
                    metadata={"megabench": {"eval_type": "llm"}})
               + mb("judged_by_spec", "megabench_open_single_image", [1.0, 1.0]))
    results = aggregate_run(write_run(tmp_path / "mb", records), created=CREATED)
    section = results["megabench"]
    assert section["core"]["score"] == pytest.approx((0.5 + 0.5) / 2)
    assert section["core"]["num_tasks"] == 2
    assert section["open"]["score"] == pytest.approx((0.3 + 1.0) / 2)
    assert section["overall"]["score"] == pytest.approx((0.5 + 0.5 + 0.3 + 1.0) / 4)
    for part in ("core", "open", "overall"):
        assert section[part]["ci_low"] <= section[part]["score"] <= section[part]["ci_high"]
    # Keyword breakdowns come from the shipped task metadata (only the real task name is in it).
    assert section["keywords"]["app"]["Planning"]["score"] == pytest.approx(0.5)
    assert "megabench" not in aggregate_run(_run(tmp_path), created=CREATED)
