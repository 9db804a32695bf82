"""The data-parallel helpers: launch detection and stable sharding (orsta_bench/distributed.py)."""

from __future__ import annotations

import pytest

from orsta_bench.distributed import Launch, detect_launch, shard_of, take_shard


def test_single_process_without_launch_variables() -> None:
    assert detect_launch({}) == Launch(0, 1, 0)
    assert detect_launch({}).is_main


def test_torchrun_variables() -> None:
    launch = detect_launch({"RANK": "3", "WORLD_SIZE": "4", "LOCAL_RANK": "1", "MASTER_ADDR": "x"})
    assert launch == Launch(3, 4, 1) and not launch.is_main


def test_slurm_variables_when_torchrun_absent() -> None:
    assert detect_launch({"SLURM_PROCID": "5", "SLURM_NTASKS": "16", "SLURM_LOCALID": "5"}) == Launch(5, 16, 5)


def test_torchrun_wins_over_slurm() -> None:
    env = {"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1",
           "SLURM_PROCID": "0", "SLURM_NTASKS": "1", "SLURM_LOCALID": "0"}
    assert detect_launch(env) == Launch(1, 2, 1)


@pytest.mark.parametrize(("env", "name"), [
    ({"RANK": "2", "WORLD_SIZE": "2", "LOCAL_RANK": "0"}, "RANK"),
    ({"RANK": "0", "WORLD_SIZE": "0", "LOCAL_RANK": "0"}, "WORLD_SIZE"),
    ({"RANK": "x", "WORLD_SIZE": "2"}, "RANK"),
    ({"WORLD_SIZE": "2"}, "RANK"),
    ({"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "3"}, "LOCAL_RANK"),
    ({"SLURM_PROCID": "0", "SLURM_NTASKS": "-1"}, "SLURM_NTASKS"),
])
def test_inconsistent_launch_names_the_variable(env: dict[str, str], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        detect_launch(env)


def test_shard_is_stable_and_known() -> None:
    # sha256("t\0a")[:8] as a big-endian integer, modulo 7: pinned so a change of hash is noticed
    import hashlib

    expected = int.from_bytes(hashlib.sha256(b"t\x00a").digest()[:8], "big") % 7
    assert shard_of("t", "a", 7) == expected
    assert shard_of("t", "a", 1) == 0
    with pytest.raises(ValueError):
        shard_of("t", "a", 0)


def test_task_and_id_are_not_confused() -> None:
    owners = {shard_of(task, sid, 1000) for task, sid in [("ab", "c"), ("a", "bc")]}
    assert len(owners) == 2


def test_shards_partition_and_ignore_order_and_count() -> None:
    items = [("task", str(i)) for i in range(500)] + [("other", str(i)) for i in range(50)]
    shards = [list(take_shard(items, lambda item: item, rank, 3)) for rank in range(3)]
    assert sorted(sum(shards, [])) == sorted(items)
    assert all(len(shard) > 100 for shard in shards[:3])  # roughly balanced
    # Reversed order and a subset: every item keeps its owner.
    for rank in range(3):
        again = list(take_shard(reversed(items[:100]), lambda item: item, rank, 3))
        assert set(again) == set(shards[rank]) & set(items[:100])
    assert shards[0] == [item for item in items if item in set(shards[0])]  # input order kept


def test_take_shard_checks_rank() -> None:
    with pytest.raises(ValueError):
        list(take_shard([], lambda item: item, 2, 2))
