"""Time-bounded scoring in killable worker processes.

Signal-based timeouts cannot interrupt C code or a runaway regex, so every item gets a deadline
enforced from outside: a worker that misses it is killed and replaced, and the item gets
`Score(status=timeout)`. One pathological response therefore costs one timeout, never the run.
The runner, `orsta-bench score` and the trainer's reward path all use this pool.

`workers=0` scores in-process (no start-up cost, for tests and tiny jobs). Its time limit is best
effort: a SIGALRM interrupt, only in the main thread, that can stop Python code but not a long call
into C. Use workers >= 1 wherever the input is untrusted and the limit must hold.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

from orsta_bench.score import Score, Status

WORKER_START_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class ScoreJob:
    """One call of `orsta_bench.reward.score` (plain data, so it can cross a process boundary)."""

    verifier: str
    response: Any
    reference: Any
    params: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_sample(cls, sample: Any, response: Any, context: dict[str, Any] | None = None) -> ScoreJob:
        """The job `reward.score_sample(sample, response, context)` would run."""
        return cls(sample.verifier.name, response, sample.ground_truth, sample.verifier.params, context or {})


def run_job(job: ScoreJob) -> Score:
    """The job's Score, with `parsed` within the echo cap (orsta_bench.echo)."""
    from orsta_bench.echo import bounded_echo
    from orsta_bench.reward import score

    result = score(job.verifier, job.response, job.reference, job.params, job.context)
    result.parsed = bounded_echo(result.parsed)
    return result


def _timeout_score(timeout_s: float, where: str = "worker killed and replaced") -> Score:
    return Score.failure(Status.TIMEOUT, f"scoring took longer than {timeout_s:g} s ({where})")


def _warm_up() -> None:
    """Pay the first-call costs (imports, math-verify's grammar) before saying ready, so they
    never count against the time limit of a real item."""
    from orsta_bench.reward import score

    score("math", "\\boxed{\\frac{1}{2}}", "0.5", {}, {})


def _worker_main(conn: Connection) -> None:
    """Worker loop: warm up the imports, say ready, then score jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _warm_up()
    conn.send(("ready", None))
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        for index, job in chunk:
            conn.send(("score", index, _safe_payload(job)))


def _safe_payload(job: ScoreJob) -> dict[str, Any]:
    """The Score of one job as a picklable dict, whatever happens."""
    try:
        payload = run_job(job).to_dict()
    except BaseException as error:  # noqa: BLE001  (the parent must always get an answer)
        payload = Score.failure(Status.ERROR, f"scoring failed: {type(error).__name__}: {error}"[:500]).to_dict()
    try:
        pickle.dumps(payload)
    except Exception as error:  # an unpicklable `parsed`: send its repr
        payload["parsed"] = repr(payload.get("parsed"))[:200]
        payload["detail"] = (payload.get("detail") or "") + f" (parsed not serialisable: {type(error).__name__})"
    return payload


class _Worker:
    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.started = time.monotonic()
        self.ready = False
        self.pending: deque[tuple[int, ScoreJob]] = deque()  # sent, not yet answered, in order
        self.deadline = 0.0  # for the first pending item: its limit counts from the last answer

    def send(self, chunk: list[tuple[int, ScoreJob]], timeout_s: float) -> dict[int, Score]:
        """Send the chunk; a job that cannot be pickled (say, nested too deep) is not sent but
        answered at once with status error, so it costs its own item only."""
        refused: dict[int, Score] = {}
        try:
            self.conn.send(chunk)  # pickling comes first: a failure has written nothing
        except OSError:
            raise
        except Exception:
            sendable = []
            for index, job in chunk:
                try:
                    pickle.dumps(job)
                    sendable.append((index, job))
                except Exception as error:
                    reason = f"job cannot be sent to a scoring worker: {type(error).__name__}: {error}"
                    refused[index] = Score.failure(Status.ERROR, reason[:500])
            chunk = sendable
            if chunk:
                self.conn.send(chunk)
        if chunk and not self.pending:
            self.deadline = time.monotonic() + timeout_s
        self.pending.extend(chunk)
        return refused

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class ScoringPool:
    """`workers` killable processes scoring jobs with a per-item limit of `timeout_s` seconds."""

    def __init__(self, workers: int = 2, timeout_s: float = 10.0, max_ahead: int | None = None,
                 chunk_size: int = 16) -> None:
        if workers < 0:
            raise ValueError("workers must be >= 0")
        if not timeout_s > 0:
            raise ValueError("timeout_s must be > 0")
        if chunk_size < 1:
            raise ValueError("chunk_size must be >= 1")
        self.n_workers = workers
        self.timeout_s = float(timeout_s)
        # Jobs go out in chunks: one process wake-up per chunk, not per item (under load, wake-up
        # latency, not scoring, was the bottleneck). Each item still has its own time limit.
        self.chunk_size = chunk_size
        self.max_ahead = max_ahead or max(4 * workers * chunk_size, 8)
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[_Worker] = []
        self.n_timeouts = 0
        self.n_replaced = 0

    def __enter__(self) -> ScoringPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker (politely, then by force)."""
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self._workers:
            worker.process.join(timeout=2)
            worker.kill()
        self._workers = []

    def score(self, job: ScoreJob) -> Score:
        return next(self.imap([job]))

    def score_many(self, jobs: Iterable[ScoreJob]) -> list[Score]:
        return list(self.imap(jobs))

    def imap(self, jobs: Iterable[ScoreJob]) -> Iterator[Score]:
        """Scores in input order, lazily: at most `max_ahead` jobs are taken before being yielded."""
        if self.n_workers == 0:
            for job in jobs:
                yield self._score_in_process(job)
            return
        self._ensure_workers()
        source = iter(jobs)
        retry: deque[tuple[int, ScoreJob]] = deque()  # items of a killed worker, not yet scored
        exhausted = False
        taken = 0
        done: dict[int, Score] = {}
        next_out = 0
        while True:
            for worker in self._workers:
                if not worker.ready or worker.pending:
                    continue
                room = min(self.chunk_size, max(1, self.max_ahead - (taken - next_out)))
                chunk = [retry.popleft() for _ in range(min(room, len(retry)))]
                while len(chunk) < room and not exhausted and taken - next_out < self.max_ahead:
                    job = next(source, None)
                    if job is None:
                        exhausted = True
                        break
                    chunk.append((taken, job))
                    taken += 1
                if chunk:
                    done.update(worker.send(chunk, self.timeout_s))
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if exhausted and not retry and next_out == taken:
                return
            self._collect(done, retry)

    def _collect(self, done: dict[int, Score], retry: deque[tuple[int, ScoreJob]]) -> None:
        """Wait for the next message or deadline; record scores, replace dead or late workers.

        A late or dead worker's first pending item gets timeout / error; the rest are re-queued."""
        now = time.monotonic()
        busy = [w.deadline for w in self._workers if w.pending]
        wait_s = max(0.0, min(busy) - now) if busy else 1.0
        by_conn = {w.conn: w for w in self._workers}
        for conn in wait(list(by_conn), timeout=wait_s):
            worker = by_conn[conn]
            try:
                message = conn.recv()
            except (EOFError, OSError):
                worker.process.join(timeout=5)
                code = worker.process.exitcode
                if not worker.ready:
                    self.close()
                    raise RuntimeError(
                        f"scoring worker failed to start (exit code {code}); see its error above"
                    ) from None
                if worker.pending:
                    index, _ = worker.pending.popleft()
                    done[index] = Score.failure(Status.ERROR, f"scoring worker died (exit code {code}) on this item")
                self._replace(worker, retry)
                continue
            if message[0] == "ready":
                worker.ready = True
            elif worker.pending:
                index, _ = worker.pending.popleft()
                done[message[1]] = Score.from_dict(message[2])
                worker.deadline = time.monotonic() + self.timeout_s
        now = time.monotonic()
        for worker in list(self._workers):
            if worker.pending and now >= worker.deadline:
                index, _ = worker.pending.popleft()
                done[index] = _timeout_score(self.timeout_s)
                self.n_timeouts += 1
                self._replace(worker, retry)
            elif not worker.ready and now - worker.started > WORKER_START_TIMEOUT_S:
                raise RuntimeError(f"scoring worker did not start within {WORKER_START_TIMEOUT_S:g} s")

    def _ensure_workers(self) -> None:
        while len(self._workers) < self.n_workers:
            self._workers.append(_Worker(self._context))

    def _replace(self, worker: _Worker, retry: deque[tuple[int, ScoreJob]]) -> None:
        retry.extendleft(reversed(worker.pending))
        worker.kill()
        self._workers[self._workers.index(worker)] = _Worker(self._context)
        self.n_replaced += 1

    def _score_in_process(self, job: ScoreJob) -> Score:
        if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
            return run_job(job)
        previous = signal.signal(signal.SIGALRM, _raise_timeout)
        signal.setitimer(signal.ITIMER_REAL, self.timeout_s)
        try:
            return run_job(job)
        except _InProcessTimeout:
            self.n_timeouts += 1
            return _timeout_score(self.timeout_s, "interrupted in-process")
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class _InProcessTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so verifiers' `except Exception` cannot swallow it."""


def _raise_timeout(signum: int, frame: Any) -> None:
    raise _InProcessTimeout
