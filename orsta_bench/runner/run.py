"""The evaluation loop: specs -> streamed samples -> backend -> scoring pool -> samples.jsonl,
then results.json. One lazy pipeline, so memory does not grow with the number of samples:

    samples (skipping finished ones) -> requests -> backend.generate (completion order, on a
      background thread, see feed.py) -> ScoringPool.score_many per burst of ready responses
      (killable workers, per-item time limit) -> one appended line each
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orsta_bench import __version__
from orsta_bench.backends.base import ChatRequest, ChatResponse
from orsta_bench.backends.resolve import build_backend, parse_model
from orsta_bench.distributed import Launch, detect_launch, take_shard
from orsta_bench.runner.feed import bursts
from orsta_bench.runner.folder import RUN_FILE, SAMPLES_FILE, RunFolder, RunFolderError
from orsta_bench.runner.lock import RunLock
from orsta_bench.runner.ranks import Markers, broadcast_from_main
from orsta_bench.runner.settings import RunConfig, check_gen_kwargs, generation_for
from orsta_bench.runner.shards import ShardFollower, merge_shards, shard_path
from orsta_bench.sample import Sample
from orsta_bench.score import Score, Status


@dataclass
class RunOutcome:
    results: dict[str, Any] | None  # None on ranks other than 0
    resumed: bool
    n_new: int
    n_kept: int
    status_counts: dict[str, int] = field(default_factory=dict)


def git_revision() -> str | None:
    """The checkout's commit (with '+dirty' when modified), or None outside a git checkout."""
    root = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return rev + ("+dirty" if dirty else "")


def fingerprint(config: RunConfig, specs: list[Any], gen: dict[str, Any]) -> dict[str, Any]:
    return {
        "model": config.model,
        "model_name": config.model_name,
        "judge": config.judge and {"model": config.judge, "model_name": config.judge_name,
                                   "prompts": config.judge_prompts.describe()},
        "backend_args": config.backend_args,
        "generation": {s.spec.name: generation_for(s.spec, gen, config.seed).to_dict() for s in specs},
        "spec_hashes": {s.spec.name: s.content_hash for s in specs},
        "chance": {s.spec.name: s.spec.chance for s in specs if s.spec.chance is not None},
        "seed": config.seed,
        "limit": config.limit,
        "package_version": __version__,
        "git_revision": git_revision(),
        "versions": {"orsta_bench": __version__, "python": platform.python_version()},
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def _check_sources_open(specs: list[Any], limit: int | None) -> None:
    """Read the first sample of every task and check every image path of the samples to run
    before anything is written, so missing data or a bad path fails the run with its clear
    SourceError and leaves no run folder behind."""
    from orsta_bench.sources.base import check_sample_files, iter_samples

    for loaded in specs:
        next(iter_samples(loaded, limit=1), None)
        check_sample_files(loaded, limit)


def _sample_key(sample: Sample) -> tuple[str, str]:
    return sample.task, sample.id


def sample_seed(run_seed: int, task: str, sample_id: str) -> int:
    """A sample's own generation seed: the same whatever its batch, shard or process count."""
    digest = hashlib.sha256(f"{run_seed}\0{task}\0{sample_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1  # fits a signed 64-bit seed


def _scoring_contexts(answered: list[tuple[Any, Sample, ChatResponse]], judge: Any,
                      prompts: Any = None) -> list[dict]:
    """The eval context of each answered sample; with a judge, MEGA-Bench judge fields are graded
    first (one judge call per burst) and handed to the verifier as `megabench_judged`."""
    from orsta_bench.reward import eval_context

    if judge is None:
        return [eval_context() for _ in answered]
    from orsta_bench.megabench.judge import judge_items_for, judge_scores, judged_fields

    items = [item for _, sample, response in answered if not response.error
             for item in judge_items_for(sample, response.text, prompts)]
    verdicts = judge_scores(items, judge) if items else {}
    return [eval_context(megabench_judged=judged_fields(sample, verdicts)) if verdicts else eval_context()
            for _, sample, _ in answered]


def _record(spec: Any, sample: Sample, response: ChatResponse, score: Score, score_s: float,
            log_samples: bool) -> dict[str, Any]:
    """One samples.jsonl line (docs/contracts.md "Run folder")."""
    record: dict[str, Any] = {
        "task": sample.task, "id": sample.id, "data_source": sample.data_source,
        "sample_hash": sample.content_hash, "spec": spec.name, "suite": spec.suite,
        "family": spec.family, "category": spec.category, "metric": spec.metric,
        "dimensions": sample.dimensions, "prompt": sample.prompt_text,
        "images": [image.reference() for image in sample.images],
        "response": response.text, "parsed": score.parsed, "status": score.status.value,
        "score": score.to_dict(),
        "timing": {"latency_s": round(response.latency_s, 4), "score_s": round(score_s, 4),
                   "prompt_tokens": response.prompt_tokens,
                   "completion_tokens": response.completion_tokens,
                   "finish_reason": response.finish_reason},
    }
    if response.error:
        record["error"] = response.error
    if log_samples:
        full = sample.to_json_dict()
        record.update(messages=full["messages"], ground_truth=full["ground_truth"],
                      verifier=full["verifier"], metadata=full["metadata"],
                      backend_extra=response.extra)
    return record


class Runner:
    """Runs one RunConfig as one process of `launch` (detected from the environment: torchrun,
    accelerate, srun; a single process otherwise); `display` receives progress callbacks."""

    def __init__(self, config: RunConfig, display: Any = None, launch: Launch | None = None) -> None:
        self.config = config
        self.display = display
        self.launch = launch or detect_launch()

    def run(self) -> RunOutcome:
        """Rank 0 holds the folder lock for the whole run; every rank evaluates its shard; rank 0
        merges the shards and writes results.json (RunOutcome.results is None on other ranks)."""
        from orsta_bench.spec.catalog import load_catalog, select_tasks

        config, launch = self.config, self.launch
        gen = check_gen_kwargs(config.gen_kwargs)
        ref = parse_model(config.model, config.model_name)
        specs = select_tasks(load_catalog(config.tasks_dir, config.data_roots), config.tasks)
        _check_sources_open(specs, config.limit)
        prints = fingerprint(config, specs, gen)
        lock = RunLock(config.output)
        token: Any = None
        if launch.is_main:
            try:
                lock.acquire()
                token = Markers.new_token()
                Markers(config.output, token, launch).prepare()
            except RunFolderError as error:
                token = error
        markers: Markers | None = None
        try:
            token = broadcast_from_main(launch, token)
            if isinstance(token, BaseException):
                raise RunFolderError(str(token))
            markers = Markers(config.output, token, launch)
            if lock.note:
                self._note(lock.note)
            return self._run_locked(specs, gen, ref, prints, markers)
        except BaseException as error:
            if markers is not None:
                markers.failed(str(error) if isinstance(error, RunFolderError)
                               else f"{type(error).__name__}: {error}")
            raise
        finally:
            if launch.is_main and isinstance(token, str):  # this launch holds the lock
                Markers(config.output, token, launch).remove()
                lock.release()

    def _note(self, message: str) -> None:
        """Tell the user: on the live display, or on stderr when there is none (--no-progress)."""
        if self.display is not None:
            self.display.note(message)
        else:
            print(message, file=sys.stderr, flush=True)

    def _run_locked(self, specs: list[Any], gen: dict[str, Any], ref: Any, prints: dict[str, Any],
                    markers: Markers) -> RunOutcome:
        from orsta_bench.results.aggregate import aggregate_run
        from orsta_bench.scoring import ScoringPool

        config, launch = self.config, self.launch
        sharded = launch.world_size > 1
        records_name = shard_path(config.output, launch.rank).name if sharded else SAMPLES_FILE
        folder = RunFolder(config.output, records_name)
        resumed = folder.check_fingerprint(prints)
        finished = folder.finished_keys()
        todo = self._plan(specs, finished)
        follower = ShardFollower(config.output, launch, self.display)
        started = time.perf_counter()
        counts: dict[str, int] = {}
        tokens = 0
        n_new = 0
        if any(todo.values()):
            with ScoringPool(workers=config.workers) as pool:
                backend = self._load_backend(ref, pool)
                judge = self._load_judge()
                try:
                    self._start_folder(folder, prints, backend.describe(), markers)
                    for spec, sample, response, score, score_s in self._pipeline(
                            specs, finished, gen, backend, pool, judge):
                        folder.append(_record(spec, sample, response, score, score_s,
                                              config.log_samples))
                        n_new += 1
                        tokens += response.completion_tokens or 0
                        counts[score.status.value] = counts.get(score.status.value, 0) + 1
                        if self.display is not None:
                            self.display.advance(spec.name, score.status.value)
                            follower.poll()
                finally:
                    folder.close()
                    backend.close()
                    if judge is not None:
                        judge.close()
        elif not resumed:  # nothing to evaluate (e.g. an empty task): still a valid run folder
            self._start_folder(folder, prints, {"backend": ref.backend, "model": config.model}, markers)
        markers.done(counts)
        if not launch.is_main:
            return RunOutcome(None, resumed, n_new, len(finished), counts)
        if sharded:
            counts = markers.wait_all_done(follower.poll)
            n_new = sum(counts.values())
        merge_s = time.perf_counter()
        merge_shards(config.output)
        merge_s = time.perf_counter() - merge_s
        wall = time.perf_counter() - started
        results = aggregate_run(folder.path, seed=config.seed)
        results["timing"] = {"wall_s": round(wall, 3), "new_samples": n_new,
                             "samples_per_s": round(n_new / wall, 3) if wall > 0 else None,
                             "generated_tokens_per_s": round(tokens / wall, 3) if wall > 0 and not sharded else None,
                             "processes": launch.world_size, "merge_s": round(merge_s, 3)}
        folder.write_results(results)
        return RunOutcome(results, resumed, n_new, len(finished), counts)

    def _start_folder(self, folder: RunFolder, prints: dict[str, Any], described: dict[str, Any],
                      markers: Markers) -> None:
        """Rank 0 writes run.json (or checks it on resume); the others wait for it, then check."""
        if not self.launch.is_main:
            markers.wait_for_file(folder.path / RUN_FILE)
        folder.start(prints, described)

    def _load_backend(self, ref: Any, pool: Any) -> Any:
        """Build the backend while the scoring workers start (both take seconds)."""
        warm = threading.Thread(target=pool.score_many, args=([],), name="orsta-pool-start",
                                daemon=True)
        warm.start()
        try:
            return build_backend(ref, batch_size=self.config.batch_size,
                                 backend_args=self.config.backend_args, seed=self.config.seed)
        finally:
            warm.join()

    def _load_judge(self) -> Any:
        """The backend that grades MEGA-Bench judge fields (--judge), or None."""
        if self.config.judge is None:
            return None
        return build_backend(parse_model(self.config.judge, self.config.judge_name),
                             batch_size=self.config.batch_size, backend_args={}, seed=self.config.seed)

    def _plan(self, specs: list[Any], finished: set[tuple[str, str]]) -> dict[str, int | None]:
        """Per task, how many samples remain (None when the source cannot count cheaply)."""
        from orsta_bench.sources.base import count_samples

        todo: dict[str, int | None] = {}
        for loaded in specs:
            total = count_samples(loaded)
            if total is not None and self.config.limit is not None:
                total = min(total, self.config.limit)
            done = sum(1 for task, _ in finished if task == loaded.spec.name)
            todo[loaded.spec.name] = None if total is None else max(total - done, 0)
            if self.display is not None:
                self.display.add_task(loaded.spec.name, total, done)
        return {name: (1 if left is None else left) for name, left in todo.items()}

    def _requests(self, specs: list[Any], finished: set[tuple[str, str]], gen: dict[str, Any],
                  oracle: bool, pending: dict[str, tuple[Any, Sample]]) -> Iterator[ChatRequest]:
        from orsta_bench.sources.base import iter_samples

        counter = 0
        for loaded in specs:
            settings = generation_for(loaded.spec, gen, self.config.seed)
            mine = take_shard(iter_samples(loaded, self.config.limit), _sample_key,
                              self.launch.rank, self.launch.world_size)
            for sample in mine:
                if (sample.task, sample.id) in finished:
                    continue
                counter += 1
                request_id = f"r{counter}"
                pending[request_id] = (loaded.spec, sample)
                answer = None
                if oracle:
                    from orsta_bench.oracle import ideal_response

                    answer = ideal_response(sample)
                yield ChatRequest(request_id, sample.messages, sample.images, settings, answer,
                                  sample_seed(self.config.seed, sample.task, sample.id))

    def _pipeline(self, specs: list[Any], finished: set[tuple[str, str]], gen: dict[str, Any],
                  backend: Any, pool: Any, judge: Any = None,
                  ) -> Iterator[tuple[Any, Sample, ChatResponse, Score, float]]:
        from orsta_bench.scoring import ScoreJob

        pending: dict[str, tuple[Any, Sample]] = {}
        requests = self._requests(specs, finished, gen, backend.name == "oracle", pending)
        for burst in bursts(backend.generate(requests)):
            answered = [(*pending.pop(response.request_id), response) for response in burst]
            contexts = _scoring_contexts(answered, judge, self.config.judge_prompts)
            jobs = [ScoreJob.for_sample(sample, response.text, context)
                    for (_, sample, response), context in zip(answered, contexts, strict=True)
                    if not response.error]
            started = time.perf_counter()
            scores = iter(pool.score_many(jobs))
            each = (time.perf_counter() - started) / max(len(jobs), 1)
            for spec, sample, response in answered:
                if response.error:
                    yield spec, sample, response, Score.failure(Status.BACKEND_ERROR, response.error[:500]), 0.0
                else:
                    yield spec, sample, response, next(scores), each
