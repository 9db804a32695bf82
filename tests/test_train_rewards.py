"""The reward adapter, monitoring and dataset adapter of orsta-train (fast, no model)."""

from __future__ import annotations

import pytest
from transformers import TrainerState

from orsta_bench.sample import Sample, VerifierCall, user_message
from orsta_train.dataset import (
    TaskSplit,
    TrainDataError,
    check_scorable,
    mixture,
    sample_from_record,
    sample_record,
    split_task,
    to_trl_prompt,
)
from orsta_train.monitoring import CompletionRecord, is_reflective, source_metrics
from orsta_train.rewards import OrstaReward


def _box_sample(i: int = 0) -> Sample:
    return Sample(id=f"g{i}", task="ground", data_source="ground_src", messages=user_message("Box it.", 0),
                  ground_truth=[100, 100, 200, 200], verifier=VerifierCall("iou", {"coords": "norm1000"}))


def _call(reward: OrstaReward, samples: list[Sample], texts: list[str], step: int, total: int):
    return reward(
        prompts=[None] * len(samples),
        completions=[[{"role": "assistant", "content": t}] for t in texts],
        completion_ids=[[1, 2, 3]] * len(samples),
        sample=[sample_record(s) for s in samples],
        trainer_state=TrainerState(global_step=step, max_steps=total),
    )


def test_dynamic_iou_threshold_follows_the_trainer_step():
    reward = OrstaReward(workers=0, timeout_s=10, max_completion_length=8, eos_token_ids=[3])
    box_iou_090 = "<answer>[100, 100, 200, 190]</answer>"  # IoU 0.90 with the reference
    box_iou_098 = "<answer>[100, 100, 200, 198]</answer>"  # IoU 0.98
    seen = {}
    try:
        for step in (0, 20, 50):  # r = 0, 0.2, 0.5 of 100 steps
            values = _call(reward, [_box_sample(), _box_sample(1)], [box_iou_090, box_iou_098], step, 100)
            thresholds = [r.parts["threshold"] for r in reward.last_records]
            seen[step] = (values, thresholds)
            assert all(c["step"] == step and c["total_steps"] == 100 and c["mode"] == "train"
                       for c in reward.last_contexts)
    finally:
        reward.close()
    assert [seen[s][1][0] for s in (0, 20, 50)] == [0.85, 0.95, 0.99]
    assert seen[0][0] == [1.0, 1.0]
    assert seen[20][0] == [0.0, 1.0]  # 0.90 < 0.95 <= 0.98
    assert seen[50][0] == [0.0, 0.0]  # both below 0.99


def test_unscorable_rows_are_skipped_not_rewarded_zero():
    bad = Sample(id="x", task="t", data_source="s", messages=user_message("q", 0), ground_truth="1",
                 verifier=VerifierCall("no_such_verifier", {}))
    reward = OrstaReward(workers=0, timeout_s=10, max_completion_length=3, eos_token_ids=[3])
    reward.first_step_checked = True  # a later step: source "s" was scorable in the first one
    try:
        values = _call(reward, [bad, _box_sample()], ["1", "<answer>[100,100,200,200]</answer>"], 0, 10)
    finally:
        reward.close()
    assert values[0] is None and values[1] == 1.0
    assert reward.last_records[0].status == "error"
    assert reward.last_records[1].clipped and not reward.last_records[1].truncated  # 3 tokens, ends in eos


def test_check_scorable_names_the_task_and_fix():
    bad = Sample(id="x", task="needs_judge", data_source="s", messages=user_message("q", 0),
                 ground_truth="1", verifier=VerifierCall("no_such_verifier", {}))
    with pytest.raises(TrainDataError, match="task 'needs_judge'.*cannot score training samples.*--tasks"):
        check_scorable(bad)
    check_scorable(_box_sample())


def test_source_metrics_split_by_source_and_by_correctness():
    records = [
        CompletionRecord("a", 1.0, 1.0, 0.0, "ok", 10, False, False, True, {"iou": 0.9}),
        CompletionRecord("a", 0.0, 0.0, 0.0, "ok", 20, True, True, False, {"iou": 0.1}),
        CompletionRecord("b", 0.5, 0.0, 1.0, "ok", 4, False, False, False),
    ]
    m = source_metrics(records)
    assert m["source/a/reward"] == 0.5 and m["source/a/part/iou"] == 0.5
    assert m["source/a/length_mean_correct"] == 10 and m["source/a/length_mean_wrong"] == 20
    assert m["source/a/clip_ratio"] == 0.5 and m["source/a/truncation_ratio"] == 0.5
    assert m["source/a/accuracy_reflective"] == 1.0 and m["source/a/accuracy_nonreflective"] == 0.0
    assert m["source/all/n"] == 3 and m["source/b/format"] == 1.0
    assert "source/b/accuracy_reflective" not in m  # no reflective response: not logged as 0
    assert is_reflective("Wait, let me re-check.") and not is_reflective("The answer is 4.")


def test_heldout_split_is_by_id_and_stable():
    samples = [_box_sample(i) for i in range(200)]
    split = split_task(samples, "ground", 0.1, 100)
    again = split_task(list(reversed(samples)) + [_box_sample(999)], "ground", 0.1, 100)
    assert 5 < len(split.heldout) < 40 and len(split.heldout) + len(split.train) == 200
    assert {s.id for s in split.heldout} <= {s.id for s in again.heldout}
    assert len(split_task(samples, "ground", 0.1, 3).heldout) == 3


def test_mixture_follows_task_weights():
    a = TaskSplit("a", [_box_sample(i) for i in range(10)], [])
    b = TaskSplit("b", [_box_sample(100 + i) for i in range(50)], [])
    rows = mixture([a, b], {"a": 3.0, "b": 1.0}, 40, seed=0)
    ids_a = [r for r in rows if int(r.id[1:]) < 100]
    assert len(rows) == 40 and len(ids_a) == 30  # 3:1 share, task a cycled 3 times
    assert rows == mixture([a, b], {"a": 3.0, "b": 1.0}, 40, seed=0)
    with pytest.raises(TrainDataError, match="task_weights names tasks not in --tasks: c"):
        mixture([a, b], {"c": 1.0}, None, 0)


def test_sample_record_round_trip_and_trl_prompt_with_cot():
    sample = Sample(id="1", task="t", data_source="s", messages=user_message("How many?", 1),
                    ground_truth=3, verifier=VerifierCall("count", {"reward": {"accuracy_weight": 1.0}}))
    back = sample_from_record(sample_record(sample))
    assert (back.id, back.ground_truth, back.verifier.params) == ("1", 3, sample.verifier.params)
    prompt = to_trl_prompt(sample, "Think first.")  # (the rule choosing it: test_train_release.py)
    assert prompt == [{"role": "user", "content": [
        {"type": "image"}, {"type": "text", "text": "How many?\n\nThink first."}]}]


def test_start_brings_the_scoring_workers_up_before_the_first_call():
    reward = OrstaReward(workers=2, timeout_s=10, max_completion_length=8, eos_token_ids=[3])
    try:
        reward.start()
        assert len(reward.pool._workers) == 2 and any(w.ready for w in reward.pool._workers)
        values = _call(reward, [_box_sample()], ["<answer>[100, 100, 200, 200]</answer>"], 0, 10)
        assert values == [1.0] and reward.pool.n_replaced == 0
    finally:
        reward.close()


def test_completion_table_keeps_a_few_rows_per_source_in_source_order():
    from orsta_train.completions_log import offered, table_rows

    items = [("b", "1", 1.0, "x" * 3000), ("a", "2", 0.0, "y"), ("b", "3", 0.5, "z"), ("a", "4", 1.0, "w")]
    assert offered(items, 1, 0) == [(0, "b", "1", 1.0, "x" * 2000), (0, "a", "2", 0.0, "y")]
    rows = table_rows(7, offered(items, 1, 0), per_source=1)
    assert rows == [[7, "a", 0, "2", 0.0, "y"], [7, "b", 0, "1", 1.0, "x" * 2000]]


def test_scores_submitted_ahead_are_reused_only_for_unchanged_jobs():
    """orsta_train.score_ahead: the trainer submits the decoded batch before the log-prob passes;
    the reward call reuses a score only if its job (text, sample, step context) is unchanged."""
    right, wrong = "<answer>[100, 100, 200, 200]</answer>", "<answer>[0, 0, 10, 10]</answer>"
    samples = [_box_sample(i) for i in range(3)]
    rows = [{"sample": sample_record(s), "image_grid_thw": None, "image_size": None} for s in samples]

    def submitted(texts: list[str], step: int) -> None:
        reward.prescore(rows, [[{"role": "assistant", "content": t}] for t in texts],
                        TrainerState(global_step=step, max_steps=100))

    reward = OrstaReward(workers=2, timeout_s=10, max_completion_length=8, eos_token_ids=[3], overlap=True)
    plain = OrstaReward(workers=0, timeout_s=10, max_completion_length=8, eos_token_ids=[3], overlap=True)
    try:
        assert plain.ahead is None  # in-process scoring is never moved to a thread
        submitted([right, right, right], 0)
        values = _call(reward, samples, [right, wrong, right], 0, 100)  # text 1 changed after submission
        assert values == [1.0, 0.0, 1.0] == _call(plain, samples, [right, wrong, right], 0, 100)
        assert [r.parts for r in reward.last_records] == [r.parts for r in plain.last_records]
        assert (reward.ahead.reused, reward.ahead.fallbacks, reward.ahead.last_fallbacks) == (2, 1, 1)

        near = "<answer>[100, 100, 200, 190]</answer>"  # IoU 0.90: 1 at step 0, 0 at step 20 (threshold 0.95)
        submitted([near] * 3, 0)
        assert _call(reward, samples, [near] * 3, 20, 100) == [0.0, 0.0, 0.0]  # the step moved: all rescored
        assert (reward.ahead.reused, reward.ahead.fallbacks) == (2, 4)

        assert _call(reward, samples, [right] * 3, 0, 100) == [1.0] * 3  # nothing submitted: scored now
        assert (reward.ahead.reused, reward.ahead.fallbacks, reward.ahead.last_fallbacks) == (2, 7, 3)
    finally:
        reward.close()
        plain.close()


def test_completion_table_takes_each_source_from_the_processes_in_turn():
    from orsta_train.completions_log import offered, table_rows

    rank0 = offered([("a", "0-1", 1.0, "p"), ("a", "0-2", 0.0, "q"), ("a", "0-3", 0.0, "r")], 3, 0)
    rank1 = offered([("b", "1-1", 1.0, "s"), ("a", "1-2", 0.5, "t")], 3, 1)
    rows = table_rows(4, rank0 + rank1, per_source=3)  # gathered in rank order
    assert [(r[1], r[2], r[3]) for r in rows] == [("a", 0, "0-1"), ("a", 1, "1-2"), ("a", 0, "0-2"), ("b", 1, "1-1")]
