"""ScoringPool: input order, per-item timeouts that kill and replace a worker, lazy bounded intake."""

import itertools
import time

import pytest

from orsta_bench.score import Status
from orsta_bench.scoring import ScoreJob, ScoringPool
from orsta_bench.verifiers.registry import _REGISTRY, register_verifier

# math-verify hangs comparing 1 with 9^(9^9) (a 370-million-digit integer): a real pathological input.
HANG = ScoreJob("math", r"\boxed{9^{9^{9}}}", "1")


def count_job(n: int, truth: int = 3) -> ScoreJob:
    return ScoreJob("count", f"I count {n}", truth)


@pytest.fixture(scope="module")
def pool():
    with ScoringPool(workers=2, timeout_s=3.0) as shared:
        yield shared


def test_results_follow_input_order(pool):
    jobs = [count_job(i % 5) for i in range(60)]
    scores = pool.score_many(jobs)
    assert [s.accuracy for s in scores] == [1.0 if i % 5 == 3 else 0.0 for i in range(60)]
    assert [s.parsed for s in scores] == [i % 5 for i in range(60)]


def test_a_hanging_item_times_out_and_the_pool_goes_on(pool):
    replaced = pool.n_replaced
    start = time.monotonic()
    scores = pool.score_many([count_job(3), HANG, count_job(3), ScoreJob("nope", "x", 1), count_job(1)])
    elapsed = time.monotonic() - start
    assert [s.status for s in scores] == [Status.OK, Status.TIMEOUT, Status.OK, Status.ERROR, Status.OK]
    assert "3 s" in scores[1].detail
    assert pool.n_replaced == replaced + 1
    assert elapsed < 30  # one timeout plus one worker restart, not a stalled pool
    assert pool.score(count_job(3)).accuracy == 1.0  # the replacement worker scores


def test_intake_is_lazy_and_bounded(pool):
    taken = []

    def endless():
        for i in itertools.count():
            taken.append(i)
            yield count_job(3)

    first = list(itertools.islice(pool.imap(endless()), 5))
    assert [s.accuracy for s in first] == [1.0] * 5
    assert len(taken) <= 5 + pool.max_ahead + 1


def test_sample_jobs_and_in_process_mode():
    from orsta_bench.sample import Sample, VerifierCall

    sample = Sample(id="1", task="t", data_source="t", messages=[], ground_truth=4, verifier=VerifierCall("count"))
    with ScoringPool(workers=0, timeout_s=5) as local:
        assert local.score(ScoreJob.for_sample(sample, "4")).accuracy == 1.0


def test_in_process_timeout_interrupts_python_code():
    name = "test.busy_loop"
    if name not in _REGISTRY:

        @register_verifier(name)
        def busy(response, reference, params, context):
            """Spins in Python forever (test only)."""
            while True:
                pass

    with ScoringPool(workers=0, timeout_s=0.3) as local:
        start = time.monotonic()
        result = local.score(ScoreJob(name, "x", 1))
    assert result.status is Status.TIMEOUT and time.monotonic() - start < 5
    del _REGISTRY[name]


def test_bad_settings():
    with pytest.raises(ValueError):
        ScoringPool(workers=-1)
    with pytest.raises(ValueError):
        ScoringPool(workers=1, timeout_s=0)
