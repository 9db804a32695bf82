"""`orsta-bench compare` run as a real subprocess: the regression gate's verdicts and exit codes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from results_runs import binary_task, record, write_run

TASKS = ("synth_math", "synth_ocr", "synth_counting", "synth_chart", "synth_puzzle")


def _baseline() -> list[dict]:
    records = []
    for index, task in enumerate(TASKS):
        records += binary_task(task, 300, 0.4 + 0.1 * index, seed=index)
    return records


def _flip(records: list[dict], task: str, from_value: float, count: int, seed: int) -> None:
    """Change `count` samples of `task` with value `from_value` to the other value."""
    candidates = [r for r in records if r["task"] == task and r["score"]["value"] == from_value]
    chosen = np.random.default_rng(seed).choice(len(candidates), size=count, replace=False)
    for index in chosen:
        candidates[index]["score"]["value"] = 1.0 - from_value


def _noisy_copy(records: list[dict]) -> list[dict]:
    """The same model re-run with a little sample-level churn but no change in any task mean."""
    out = copy.deepcopy(records)
    for index, task in enumerate(TASKS):
        _flip(out, task, 1.0, 5, seed=100 + index)
        _flip(out, task, 0.0, 5, seed=200 + index)
    return out


def _compare(cli, base: Path, cand: Path, *extra: str) -> tuple[int, dict]:
    done = cli("compare", str(base), str(cand), "--json", *extra)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_a_run_compared_with_itself_has_no_regression(cli, tmp_path: Path) -> None:
    run = write_run(tmp_path / "base", _baseline())
    code, report = _compare(cli, run, run)
    assert code == 0
    assert report["verdict"] == "no regression" and report["regressions"] == []
    assert report["pairing"]["paired"] == 1500
    assert all(t["delta"] == 0.0 and t["ci_low"] == t["ci_high"] == 0.0
               for t in report["tasks"].values())
    table = cli("compare", str(run), str(run))  # the human table
    assert table.returncode == 0
    assert "verdict: no regression" in table.stdout and "synth_math" in table.stdout


def test_a_planted_ten_point_drop_on_one_task_is_caught(cli, tmp_path: Path) -> None:
    base = write_run(tmp_path / "base", _baseline())
    candidate = _noisy_copy(_baseline())
    _flip(candidate, "synth_ocr", 1.0, 30, seed=9)  # 30 of 300: -10 points
    cand = write_run(tmp_path / "cand", candidate, model="model-b")

    code, report = _compare(cli, base, cand)
    assert code == 1
    assert report["verdict"] == "regression"
    assert "task:synth_ocr" in report["regressions"]
    assert [t for t, e in report["tasks"].items() if e["regression"]] == ["synth_ocr"]
    ocr = report["tasks"]["synth_ocr"]
    assert ocr["delta"] == pytest.approx(-0.1)
    assert ocr["ci_high"] < 0 and ocr["p_holm"] < 0.05

    human = cli("compare", str(base), str(cand))
    assert human.returncode == 1
    assert "REGRESSION" in human.stdout and "verdict: regression" in human.stdout

    # A tolerance larger than the drop's interval reaches lets it through.
    code, report = _compare(cli, base, cand, "--max-drop", "0.2")
    assert code == 0 and report["settings"]["max_drop"] == 0.2


def test_a_half_point_noise_level_change_on_a_small_task_is_not_flagged(
        cli, tmp_path: Path) -> None:
    generator = np.random.default_rng(3)
    base_values = generator.uniform(0.2, 0.8, size=40)  # IoU-like scores on a small task
    noise = generator.normal(0.0, 0.05, size=40)
    noise += -0.005 - noise.mean()  # exactly -0.5 points on average
    cand_values = base_values + noise
    others = _baseline()
    base = write_run(tmp_path / "base", others + [
        record("small_iou", i, float(v), family="grounding") for i, v in enumerate(base_values)])
    cand = write_run(tmp_path / "cand", _noisy_copy(others) + [
        record("small_iou", i, float(v), family="grounding") for i, v in enumerate(cand_values)])

    code, report = _compare(cli, base, cand)
    assert code == 0, report["regressions"]
    small = report["tasks"]["small_iou"]
    assert small["delta"] == pytest.approx(-0.005, abs=1e-6)
    assert small["ci_low"] < -0.005 < small["ci_high"] and small["ci_high"] > 0
    assert not small["regression"] and not report["suites"]["synth"]["regression"]


def test_small_drops_everywhere_fail_the_suite_on_its_own_interval(cli, tmp_path: Path) -> None:
    records = []
    for index in range(8):
        records += binary_task(f"t{index}", 200, 0.5, seed=index)
    candidate = copy.deepcopy(records)
    for index in range(8):
        _flip(candidate, f"t{index}", 1.0, 4, seed=index)  # -2 points on every task
    base = write_run(tmp_path / "base", records)
    cand = write_run(tmp_path / "cand", candidate)

    code, report = _compare(cli, base, cand)
    assert code == 1
    assert report["regressions"] == ["suite:synth"]  # no single task is significant after Holm
    assert report["suites"]["synth"]["delta"] == pytest.approx(-0.02)


def test_unpaired_samples_are_reported_and_left_out(cli, tmp_path: Path) -> None:
    records = _baseline()
    base = write_run(tmp_path / "base", records)
    candidate = copy.deepcopy(records[:-100])  # 100 synth_puzzle samples never ran
    candidate[0]["sample_hash"] = "changed"
    candidate.append(record("new_task", 0, 1.0))
    cand = write_run(tmp_path / "cand", candidate)

    code, report = _compare(cli, base / "results.json", cand)  # a results.json path works too
    assert code == 0
    pairing = report["pairing"]
    assert (pairing["only_baseline"], pairing["only_candidate"], pairing["hash_mismatch"]) == (
        100, 1, 1)
    assert pairing["paired"] == 1500 - 101
    assert pairing["examples"]["only_candidate"] == ["new_task/0"]
    assert "new_task" not in report["tasks"]


def test_runs_that_mostly_do_not_pair_exit_2_with_an_explanation(cli, tmp_path: Path) -> None:
    base = write_run(tmp_path / "base", binary_task("synth_math", 100, 0.5, seed=0))
    other = write_run(tmp_path / "other", binary_task("synth_ocr", 100, 0.5, seed=0))
    done = cli("compare", str(base), str(other))
    assert done.returncode == 2
    assert "only 0 of 200 samples pair" in done.stderr
    assert "only_baseline: synth_math/0" in done.stderr and "Fix:" in done.stderr

    changed = [dict(r, sample_hash="v2-" + r["sample_hash"])
               for r in binary_task("synth_math", 100, 0.5, seed=0)]
    done = cli("compare", str(base), str(write_run(tmp_path / "v2", changed)), "--json")
    assert done.returncode == 2
    assert "100 with a different sample_hash" in done.stderr and done.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (("{missing}", "{base}"), "baseline: "),
    (("{base}", "{base}", "--confidence", "1.5"), "--confidence must be between 0 and 1"),
    (("{base}", "{base}", "--max-drop", "5"), "--max-drop is on the 0-1 score scale"),
    (("{base}",), "Missing argument"),
])
def test_bad_arguments_exit_2(cli, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    base = write_run(tmp_path / "base", binary_task("t", 10, 0.5, seed=0))
    paths = {"base": str(base), "missing": str(tmp_path / "nowhere")}
    done = cli("compare", *(arg.format(**paths) for arg in args))
    assert done.returncode == 2
    assert message in done.stderr


def test_a_task_with_too_few_pairs_gets_no_verdict_of_its_own(cli, tmp_path: Path) -> None:
    records = binary_task("big", 300, 0.5, seed=0, suite="a") + [
        record("tiny", i, 1.0, suite="b") for i in range(3)]
    candidate = copy.deepcopy(records)
    for row in candidate[-3:]:
        row["score"]["value"] = 0.0  # all three dropped: a point interval at -100
    code, report = _compare(cli, write_run(tmp_path / "base", records),
                            write_run(tmp_path / "cand", candidate))
    tiny = report["tasks"]["tiny"]
    assert tiny["delta"] == -1.0 and tiny["p_holm"] is None and not tiny["regression"]
    assert report["regressions"] == ["suite:b"] and code == 1  # the suite still sees it
    human = cli("compare", str(tmp_path / "base"), str(tmp_path / "cand"))
    assert "n/a" in human.stdout and "fewer than 10 pairs" in human.stdout


def test_noise_alone_rarely_flags_a_task(tmp_path: Path) -> None:
    """Holm keeps the family-wise false-alarm rate near alpha: 100 re-runs of an unchanged
    model (each sample re-drawn from its own difficulty) flag a task in at most ~5% of them."""
    from orsta_bench.results.compare import Settings, compare_runs

    generator = np.random.default_rng(11)
    difficulty = generator.uniform(0.05, 0.95, size=(5, 80))
    alarms = suite_alarms = 0
    for trial in range(100):
        runs = []
        for side in ("base", "cand"):
            outcomes = generator.random(difficulty.shape) < difficulty
            runs.append(write_run(tmp_path / f"{trial}-{side}", [
                record(f"t{t}", i, float(outcomes[t, i])) for t in range(5) for i in range(80)]))
        report = compare_runs(*runs, Settings(resamples=2_000, seed=trial))
        alarms += any(entry["regression"] for entry in report["tasks"].values())
        suite_alarms += report["suites"]["synth"]["regression"]
    # Expected at most 5 each (alpha = 0.05); 8 leaves room for sampling error.
    assert alarms <= 8 and suite_alarms <= 8
