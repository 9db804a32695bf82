"""Turn a run folder's samples.jsonl into the results.json structure of docs/contracts.md.

Every grouping (task, data source, family, category, suite, dimension keyword) is computed the
same way: per task, the mean of the values of the group's samples that count; then the macro mean
over tasks (MEGA-Bench Core style), so a large task cannot drown a small one. Intervals come from
the stratified bootstrap in `bootstrap.py` (resampling samples within each task). Samples whose
status is error / not_scored / backend_error are left out of scores and counted, always visible.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from orsta_bench.results.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_SEED,
    macro_draws,
    percentile_interval,
    stratum_draws,
)
from orsta_bench.results.records import SAMPLES_FILE, SampleRecord, read_run_json, read_samples
from orsta_bench.score import EXCLUDED_STATUSES, Status

SCHEMA_VERSION = 1
# results.json intervals describe; compare's decide (10,000 there). 2,000 resamples put the
# Monte Carlo error of a 95% endpoint near 5% of a standard error, at a fifth of the cost.
RESULTS_RESAMPLES = 2_000
_RUN_KEYS = ("model", "model_name", "backend", "versions", "timing", "limit", "git_revision", "judge")


def _number(value: float) -> float | None:
    """JSON has no NaN: a group without scored samples has score null."""
    return None if value != value else round(float(value), 6)


_STATUSES = [status.value for status in Status]


class _Aggregator:
    """Holds each task's values and statuses as arrays, and the bootstrap draws already made
    (a task slice shared by several groups is resampled once)."""

    def __init__(self, records: list[SampleRecord], *, seed: int, resamples: int,
                 confidence: float) -> None:
        self.by_task: dict[str, list[SampleRecord]] = defaultdict(list)
        for record in records:
            self.by_task[record.task].append(record)
        for rows in self.by_task.values():  # intervals must not depend on the order of lines
            rows.sort(key=lambda record: record.id)  # (completion order, merged rank shards)
        self.values = {t: np.array([r.scored_value for r in rows], dtype=np.float64)
                       for t, rows in self.by_task.items()}
        self.counts = {t: np.array([r.counts for r in rows], dtype=bool)
                       for t, rows in self.by_task.items()}
        self.status = {t: np.array([_STATUSES.index(r.status.value) for r in rows])
                       for t, rows in self.by_task.items()}
        self.seed, self.resamples, self.confidence = seed, resamples, confidence
        self._draws: dict[tuple[str, bytes], np.ndarray] = {}

    def _task_draws(self, task: str, members: np.ndarray) -> np.ndarray:
        key = (task, members.tobytes())
        if key not in self._draws:
            full = members.size == len(self.by_task[task])
            label = task if full else f"{task}|{hashlib.sha256(key[1]).hexdigest()[:16]}"
            self._draws[key] = stratum_draws(self.values[task][members], seed=self.seed,
                                             label=label, n_resamples=self.resamples)
        return self._draws[key]

    def group(self, members: dict[str, list[int]]) -> dict[str, Any]:
        """Score, interval and counts of a group given as task -> indices of its samples."""
        counts = np.zeros(len(_STATUSES), dtype=np.int64)
        n = n_scored = 0
        task_means: list[float] = []
        draws: list[np.ndarray] = []
        for task, indices in sorted(members.items()):
            chosen = np.asarray(indices, dtype=np.int64)
            counts += np.bincount(self.status[task][chosen], minlength=len(_STATUSES))
            scored = chosen[self.counts[task][chosen]]
            n += chosen.size
            n_scored += scored.size
            if scored.size:
                task_means.append(float(self.values[task][scored].mean()))
                draws.append(self._task_draws(task, scored))
        if task_means:
            score = float(np.mean(task_means))
            low, high = percentile_interval(macro_draws(draws), self.confidence)
        else:
            score = low = high = float("nan")
        return {"score": _number(score), "ci_low": _number(low), "ci_high": _number(high),
                "n": n, "n_scored": n_scored, "n_tasks": len(task_means),
                "status_counts": {k: int(v) for k, v in zip(_STATUSES, counts, strict=True)
                                   if v}}

    def by(self, key_of: Any) -> dict[str, dict[str, list[int]]]:
        """name -> task -> sample indices, for a function giving each record its group names."""
        groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for task, records in self.by_task.items():
            for index, record in enumerate(records):
                for name in key_of(record):
                    groups[name][task].append(index)
        return groups


def _first(records: Iterable[SampleRecord], field: str) -> str:
    return next(getattr(r, field) for r in records)


def aggregate_records(agg: _Aggregator) -> dict[str, Any]:
    """The score sections of results.json (tasks ... dimensions)."""
    tasks: dict[str, Any] = {}
    for task in sorted(agg.by_task):
        rows = agg.by_task[task]
        entry = agg.group({task: list(range(len(rows)))})
        entry.pop("n_tasks")
        for field in ("family", "category", "suite", "spec", "metric"):
            entry[field] = _first(rows, field)
        tasks[task] = entry

    def section(key_of: Any) -> dict[str, Any]:
        groups = agg.by(key_of)
        return {name: agg.group(groups[name]) for name in sorted(groups)}

    dimension_keys = sorted({key for rows in agg.by_task.values() for r in rows
                             for key in r.dimensions})
    dimensions = {key: section(lambda r, key=key: r.dimensions.get(key, []))
                  for key in dimension_keys}
    return {
        "tasks": tasks,
        "data_sources": section(lambda r: [r.data_source]),
        "families": section(lambda r: [r.family]),
        "categories": section(lambda r: [r.category]),
        "suites": section(lambda r: [r.suite]),
        "dimensions": dimensions,
    }


_OPEN_SPEC = re.compile(r"(^|_)open(_|$)")


def _megabench_section(agg: _Aggregator, tasks: dict[str, Any]) -> dict[str, Any] | None:
    """Core / Open / Overall and keyword breakdowns of the MEGA-Bench tasks, computed by the
    MEGA-Bench module (it owns those semantics), with this module's intervals added.

    A task is Open (judge-scored) when its records say so (metadata.megabench.eval_type, logged
    with --log-samples) or its spec is an `open` config (megabench_open, ..._open_single_image)."""
    names = [name for name, entry in tasks.items() if entry["metric"] == "megabench"]
    if not names:
        return None
    from orsta_bench.megabench.aggregate import summarize

    open_tasks = {name for name in names
                  if any(r.judged for r in agg.by_task[name])
                  or _OPEN_SPEC.search(tasks[name]["spec"])}
    # a sample left out of the score (no response, or not scorable) leaves the task partial
    incomplete = {name for name in names if any(tasks[name]["status_counts"].get(status.value)
                                                for status in EXCLUDED_STATUSES)}
    summary = summarize({name: tasks[name]["score"] or 0.0 for name in names}, open_tasks,
                        incomplete_tasks=incomplete)
    for part, members in (("core", [n for n in names if n not in open_tasks]),
                          ("open", sorted(open_tasks)), ("overall", names)):
        if members:
            grouped = agg.group({n: list(range(len(agg.by_task[n]))) for n in members})
            summary[part].update(ci_low=grouped["ci_low"], ci_high=grouped["ci_high"])
    return summary


def aggregate_run(run_dir: Path, *, seed: int = DEFAULT_SEED,
                  resamples: int = RESULTS_RESAMPLES, confidence: float = DEFAULT_CONFIDENCE,
                  created: str | None = None) -> dict[str, Any]:
    """The full results.json (schema_version 1) of a run folder: DIR/samples.jsonl for scores,
    DIR/run.json (if present) for model, backend, versions, spec hashes and timing.

    Raises RecordsError (with file and line) on unreadable input."""
    run_dir = Path(run_dir)
    records = read_samples(run_dir / SAMPLES_FILE)
    run = read_run_json(run_dir)
    results: dict[str, Any] = {"schema_version": SCHEMA_VERSION}
    for key in _RUN_KEYS:
        results[key] = run.get(key)
    results["versions"] = results["versions"] or _versions(run)
    results["timing"] = results["timing"] or {}
    results["created"] = created or datetime.now(timezone.utc).isoformat(timespec="seconds")
    results["spec_hashes"] = _spec_hashes(run)
    results["intervals"] = {
        "method": "percentile bootstrap, samples resampled within each task",
        "confidence": confidence, "resamples": resamples, "seed": seed,
    }
    results["n_samples"] = len(records)
    agg = _Aggregator(records, seed=seed, resamples=resamples, confidence=confidence)
    results.update(aggregate_records(agg))
    chances = run.get("chance") or {}
    for name, entry in results["tasks"].items():
        entry["chance"] = chances.get(name)  # the spec's chance level; None when it states none
    megabench = _megabench_section(agg, results["tasks"])
    if megabench is not None:
        results["megabench"] = megabench
    return results


def all_error_tasks(results: dict[str, Any]) -> list[str]:
    """Tasks whose every sample has status `error`: a task the harness could not score at all,
    which `orsta-bench run` names (exit 1) instead of letting it vanish from the scores."""
    return sorted(name for name, entry in results.get("tasks", {}).items()
                  if entry["n"] and entry["status_counts"].get(Status.ERROR.value, 0) == entry["n"])


def _versions(run: dict[str, Any]) -> dict[str, Any]:
    from orsta_bench import __version__

    versions: dict[str, Any] = {"orsta_bench": run.get("package_version", __version__)}
    if run.get("git_revision"):
        versions["git_revision"] = run["git_revision"]
    return versions


def _spec_hashes(run: dict[str, Any]) -> dict[str, str]:
    """task spec name -> content hash, whichever name run.json uses for that mapping."""
    for key in ("spec_hashes", "task_hashes", "specs", "tasks"):
        value = run.get(key)
        if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            return dict(sorted(value.items()))
    return {}
