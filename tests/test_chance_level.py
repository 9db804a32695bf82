"""A task's chance level: stated in its spec, checked against the shipped generators, carried
into results.json per task and shown as a row on both leaderboard pages."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import pytest
from pydantic import ValidationError
from results_runs import binary_task, write_run

from orsta_bench.results.aggregate import aggregate_run
from orsta_bench.results.leaderboard import add_results, build_board
from orsta_bench.results.leaderboard_checks import group_chance
from orsta_bench.sources.base import iter_samples
from orsta_bench.spec.catalog import load_catalog, select_tasks
from orsta_bench.spec.schema import TaskSpec


def test_chance_must_be_a_probability():
    base = {"name": "t", "suite": "s", "category": "reasoning", "family": "f",
            "source": {"kind": "jsonl", "path": "x.jsonl"}, "verifier": {"name": "choice"}}
    assert TaskSpec(**base).chance is None
    assert TaskSpec(**base, chance=0.25).chance == 0.25
    with pytest.raises(ValidationError):
        TaskSpec(**base, chance=1.5)


def test_shipped_multiple_choice_tasks_state_one_over_their_option_count():
    stated = {}
    for loaded in select_tasks(load_catalog(None), "synth"):
        if loaded.spec.chance is None:
            continue
        counts = {len(s.metadata["synth"]["options"]) for s in islice(iter_samples(loaded), 100)}
        assert len(counts) == 1, f"{loaded.name}: option counts vary {counts}"
        assert loaded.spec.chance == pytest.approx(1 / counts.pop(), abs=1e-6)
        stated[loaded.name] = loaded.spec.chance
    assert set(stated) == {"synth_puzzle", "synth_science"}


def _results(root: Path, model: str, accuracy: float) -> Path:
    records = (binary_task("synth_puzzle", 40, accuracy, seed=1, family="puzzle")
               + binary_task("synth_ocr", 40, accuracy, seed=2, family="ocr"))
    folder = write_run(root / model, records, model=model, run={"chance": {"synth_puzzle": 0.25}})
    results = aggregate_run(folder, resamples=200, created="2026-03-04T05:06:07+00:00")
    (folder / "results.json").write_text(json.dumps(results), encoding="utf-8")
    return folder


def test_results_json_carries_each_task_chance(tmp_path: Path):
    results = json.loads((_results(tmp_path, "m", 0.5) / "results.json").read_text())
    assert results["tasks"]["synth_puzzle"]["chance"] == 0.25
    assert results["tasks"]["synth_ocr"]["chance"] is None


def test_a_group_has_a_chance_level_only_when_every_task_states_one():
    results = [{"tasks": {"a": {"suite": "s", "family": "x", "chance": 0.25},
                          "b": {"suite": "s", "family": "y", "chance": 0.5}}},
               {"tasks": {"c": {"suite": "s", "family": "y", "chance": None}}}]
    assert group_chance(results, "family", "x") == 0.25
    assert group_chance(results, "family", "y") is None  # c states none: no partial mean
    assert group_chance(results[:1], "suite", "s") == pytest.approx(0.375)


def test_leaderboard_shows_a_chance_row_on_both_pages(tmp_path: Path):
    board = tmp_path / "board"
    for model, accuracy in (("m1", 0.5), ("m2", 0.7)):
        add_results(_results(tmp_path, model, accuracy), board)
    build_board(board)
    readme = (board / "README.md").read_text().splitlines()
    head = next(line for line in readme if line.startswith("| # |"))
    row = next(line for line in readme if line.startswith("|  | *chance level* |"))
    cells = dict(zip([c.strip() for c in head.split("|")], [c.strip() for c in row.split("|")], strict=True))
    assert cells["puzzle"] == "25.0" and cells["ocr"] == "-"
    assert cells["synth (95% CI)"] == "-"  # synth_ocr states no chance level
    page = (board / "index.html").read_text()
    assert page.count('<tr class="chance">') == 1 and "<em>chance level</em>" in page
    assert "<th>chance</th>" in page and "<td>25.0</td>" in page
