"""orsta-train stops in its first step when a data source cannot be scored at all (exit 2), and
decides it collectively when several processes train (torch.distributed, gloo, 2 ranks)."""

from __future__ import annotations

import os
import socket

import pytest
import torch.distributed as dist
import torch.multiprocessing as mp
from transformers import TrainerState

from orsta_bench.sample import Sample, VerifierCall, user_message
from orsta_bench.score import Score, Status
from orsta_train.dataset import TrainDataError, sample_record
from orsta_train.first_step import FirstStepError, check_first_step
from orsta_train.rewards import OrstaReward


def _sample(source: str, verifier: str = "exact", i: int = 0) -> Sample:
    return Sample(id=f"{source}{i}", task=f"task_{source}", data_source=source, messages=user_message("q", 0),
                  ground_truth="4", verifier=VerifierCall(verifier, {}))


def _call(reward: OrstaReward, samples: list[Sample], texts: list[str]):
    return reward(prompts=[None] * len(samples), completions=[[{"role": "assistant", "content": t}] for t in texts],
                  completion_ids=[[1, 3]] * len(samples), sample=[sample_record(s) for s in samples],
                  trainer_state=TrainerState(global_step=0, max_steps=10))


def test_a_source_with_only_unscorable_completions_stops_the_first_step():
    reward = OrstaReward(workers=0, timeout_s=10, max_completion_length=8, eos_token_ids=[3])
    samples = [_sample("good"), _sample("broken", "no_such_verifier"), _sample("broken", "no_such_verifier", 1)]
    try:
        with pytest.raises(FirstStepError, match=r"data source 'broken': all 2 completion\(s\) unscorable, "
                                                 r"first error: .*no_such_verifier.*task 'task_broken'") as caught:
            _call(reward, samples, ["4", "4", "4"])
    finally:
        reward.close()
    assert "'good'" not in str(caught.value)
    assert isinstance(caught.value, TrainDataError)  # the CLI's exit 2


def test_one_scorable_completion_is_enough_and_only_the_first_call_is_checked():
    reward = OrstaReward(workers=0, timeout_s=10, max_completion_length=8, eos_token_ids=[3])
    try:
        values = _call(reward, [_sample("mixed"), _sample("mixed", "no_such_verifier", 1)], ["5", "4"])
        assert values == [0.0, None]
        later = _call(reward, [_sample("broken", "no_such_verifier")], ["4"])  # step 2+: skipped, not fatal
        assert later == [None]
    finally:
        reward.close()


def test_a_math_only_vtriune_task_with_real_parquet_nulls_can_train():
    """The first-sample check no longer refuses math rows whose det_* fields are null (issue 17.1)."""
    from pathlib import Path

    from orsta_bench.interop.vtriune import read_vtriune
    from orsta_train.dataset import check_scorable

    rows = Path(__file__).parent / "fixtures" / "vtriune" / "null_rows.parquet"
    math = [s for s in read_vtriune(rows) if s.verifier.name == "vtriune.mathverify"]
    assert len(math) == 4
    for sample in math:
        check_scorable(sample)


def test_not_scored_counts_as_unscorable():
    samples = [_sample("judge")]
    with pytest.raises(FirstStepError, match="first not_scored: needs a judge"):
        check_first_step(samples, [Score.failure(Status.NOT_SCORED, "needs a judge")])


def _rank(rank: int, port: int, cases: list[list[list[tuple[str, str]]]], out: dict) -> None:
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=2)
    try:
        for case, layouts in enumerate(cases):
            pairs = layouts[rank]
            samples = [_sample(source, i=i) for i, (source, _) in enumerate(pairs)]
            scores = [Score.failure(Status.ERROR, f"broken on rank {rank}") if status == "error"
                      else Score(value=1.0, accuracy=1.0, status=Status.OK) for _, status in pairs]
            try:
                check_first_step(samples, scores)
                out[(case, rank)] = "ok"
            except FirstStepError as error:
                out[(case, rank)] = str(error)
            dist.barrier()  # a rank that had left the collective would hang here
    finally:
        dist.destroy_process_group()


def test_ranks_decide_together():
    cases = [
        # "a" fails everywhere on rank 0 but scores on rank 1: nobody stops;
        # "b" appears only on rank 1, all errors: both ranks stop, naming rank 1's detail.
        [[("a", "error"), ("a", "error")], [("a", "ok"), ("b", "error")]],
        [[("a", "error")], [("a", "ok")]],
    ]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = mp.Manager().dict()
    mp.start_processes(_rank, args=(port, cases, out), nprocs=2, join=True, start_method="spawn")
    for rank in (0, 1):
        assert "data source 'b'" in out[(0, rank)] and "broken on rank 1" in out[(0, rank)]
        assert "data source 'a'" not in out[(0, rank)]
        assert out[(1, rank)] == "ok"


def test_orsta_train_exits_2_with_the_message(monkeypatch, capsys):
    import typer

    import orsta_train.build as build
    from orsta_train.cli import _run

    def fail(cfg):
        raise FirstStepError("first training step: data source 'x': all 4 completion(s) unscorable")

    monkeypatch.setattr(build, "train", fail)
    with pytest.raises(typer.Exit) as caught:
        _run(None)
    assert caught.value.exit_code == 2
    assert "data source 'x'" in capsys.readouterr().err
