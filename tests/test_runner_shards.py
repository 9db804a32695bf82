"""Shard files and rank markers of a data-parallel run (runner/shards.py, runner/ranks.py):
the merge is idempotent after a crash half way, torn lines are redone, a failed rank stops
rank 0 with that rank's message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orsta_bench.distributed import Launch
from orsta_bench.runner.ranks import Markers, RankFailed
from orsta_bench.runner.shards import cut_torn_tail, finished_keys, merge_shards, shard_path


def line(task: str, sample_id: str) -> bytes:
    return (json.dumps({"task": task, "id": sample_id, "response": sample_id}) + "\n").encode()


def test_merge_moves_complete_lines_once_and_removes_shards(tmp_path: Path) -> None:
    (tmp_path / "samples.jsonl").write_bytes(line("t", "1"))
    shard_path(tmp_path, 0).write_bytes(line("t", "2") + line("t", "1") + b'{"task": "t", "id"')
    shard_path(tmp_path, 1).write_bytes(line("t", "3"))
    assert finished_keys(tmp_path) == {("t", "1"), ("t", "2"), ("t", "3")}  # torn line: redone
    assert merge_shards(tmp_path) == 2
    lines = (tmp_path / "samples.jsonl").read_bytes().splitlines()
    assert sorted(json.loads(x)["id"] for x in lines) == ["1", "2", "3"]
    assert not list(tmp_path.glob("samples.shard-*"))
    assert merge_shards(tmp_path) == 0


def test_merge_killed_half_way_is_finished_without_duplicates(tmp_path: Path) -> None:
    shard_path(tmp_path, 0).write_bytes(line("t", "1") + line("t", "2"))
    # As if the merge died after copying the first line and half of the second.
    (tmp_path / "samples.jsonl").write_bytes(line("t", "1") + line("t", "2")[:7])
    merge_shards(tmp_path)
    ids = [json.loads(x)["id"] for x in (tmp_path / "samples.jsonl").read_bytes().splitlines()]
    assert ids == ["1", "2"]


def test_cut_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(line("t", "1") + b"x" * 100_000)
    cut_torn_tail(path)
    assert path.read_bytes() == line("t", "1")
    path.write_bytes(b"y" * 70_000)
    cut_torn_tail(path)
    assert path.read_bytes() == b""


def test_a_failed_rank_stops_rank_0_with_its_message(tmp_path: Path) -> None:
    token = Markers.new_token()
    main = Markers(tmp_path, token, Launch(0, 2, 0), poll_s=0.01)
    main.prepare()
    Markers(tmp_path, token, Launch(1, 2, 1)).failed("BackendConfigError: no GPU 1")
    main.done({"ok": 3})
    with pytest.raises(RankFailed, match="rank 1 failed: BackendConfigError: no GPU 1"):
        main.wait_all_done()


def test_rank_0_sums_the_status_counts_of_all_ranks(tmp_path: Path) -> None:
    token = Markers.new_token()
    main = Markers(tmp_path, token, Launch(0, 2, 0), poll_s=0.01)
    main.prepare()
    main.done({"ok": 3})
    Markers(tmp_path, token, Launch(1, 2, 1)).done({"ok": 1, "error": 2})
    assert main.wait_all_done() == {"ok": 4, "error": 2}


def test_waiting_rank_stops_when_rank_0_cleaned_up(tmp_path: Path) -> None:
    other = Markers(tmp_path, "gone", Launch(1, 2, 1), poll_s=0.01)
    with pytest.raises(RankFailed, match="rank 0 stopped"):
        other.wait_for_file(tmp_path / "run.json")


def test_intervals_do_not_depend_on_the_order_of_lines(tmp_path: Path) -> None:
    """A merged run lists samples rank by rank; its intervals must equal the one-process run's."""
    import random

    from orsta_bench.results.aggregate import aggregate_run
    from tests.results_runs import binary_task, record, write_run

    # Continuous scores (many levels: resampled index by index, so order could matter).
    rows = [record("a", i, (i * 37 % 101) / 100) for i in range(120)] + binary_task("b", 30, 0.3, seed=2)
    shuffled = rows[:]
    random.Random(0).shuffle(shuffled)

    def sections(folder: Path) -> dict:
        results = aggregate_run(folder, seed=3, created="x")
        return {key: results[key] for key in ("tasks", "suites", "overall") if key in results}

    first = sections(write_run(tmp_path / "in_order", rows))
    assert first == sections(write_run(tmp_path / "shuffled", shuffled))
    assert first["tasks"]["a"]["ci_low"] < first["tasks"]["a"]["ci_high"]  # a real interval
