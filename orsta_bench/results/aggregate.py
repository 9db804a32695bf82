"""Turn a run folder's samples.jsonl into the results.json structure of docs/contracts.md.

Every grouping (task, data source, family, category, suite, dimension keyword) is computed the
same way: per task, the mean of the values of the group's samples that count; then the macro mean
over tasks (MEGA-Bench Core style), so a large task cannot drown a small one. Intervals come from
the stratified bootstrap in `bootstrap.py` (resampling samples within each task). Samples whose
status is error / not_scored / backend_error are left out of scores and counted, always visible.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from orsta_bench.results.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    macro_draws,
    percentile_interval,
    stratum_draws,
)
from orsta_bench.results.records import SAMPLES_FILE, SampleRecord, read_run_json, read_samples
from orsta_bench.score import Status

SCHEMA_VERSION = 1
_RUN_KEYS = ("model", "model_name", "backend", "versions", "timing", "limit", "git_revision")


def _number(value: float) -> float | None:
    """JSON has no NaN: a group without scored samples has score null."""
    return None if value != value else round(float(value), 6)


class _Aggregator:
    """Holds the records by task and the bootstrap draws already made (shared across groups)."""

    def __init__(self, records: list[SampleRecord], *, seed: int, resamples: int,
                 confidence: float) -> None:
        self.by_task: dict[str, list[SampleRecord]] = defaultdict(list)
        for record in records:
            self.by_task[record.task].append(record)
        self.seed, self.resamples, self.confidence = seed, resamples, confidence
        self._draws: dict[tuple[str, bytes], np.ndarray] = {}

    def _task_draws(self, task: str, members: np.ndarray, values: np.ndarray) -> np.ndarray:
        key = (task, members.tobytes())
        if key not in self._draws:
            full = members.size == len(self.by_task[task])
            label = task if full else f"{task}|{hashlib.sha256(key[1]).hexdigest()[:16]}"
            self._draws[key] = stratum_draws(values, seed=self.seed, label=label,
                                             n_resamples=self.resamples)
        return self._draws[key]

    def group(self, members: dict[str, list[int]]) -> dict[str, Any]:
        """Score, interval and counts of a group given as task -> indices of its samples."""
        counts = dict.fromkeys((s.value for s in Status), 0)
        n = n_scored = 0
        task_means: list[float] = []
        draws: list[np.ndarray] = []
        for task, indices in sorted(members.items()):
            records = self.by_task[task]
            chosen = [records[i] for i in indices]
            for record in chosen:
                counts[record.status.value] += 1
            scored = np.array([i for i in indices if records[i].counts], dtype=np.int64)
            values = np.array([records[i].scored_value for i in scored], dtype=np.float64)
            n += len(chosen)
            n_scored += values.size
            if values.size:
                task_means.append(float(values.mean()))
                draws.append(self._task_draws(task, scored, values))
        if task_means:
            score = float(np.mean(task_means))
            low, high = percentile_interval(macro_draws(draws), self.confidence)
        else:
            score = low = high = float("nan")
        return {"score": _number(score), "ci_low": _number(low), "ci_high": _number(high),
                "n": n, "n_scored": n_scored, "n_tasks": len(task_means),
                "status_counts": {k: v for k, v in counts.items() if v}}

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


def aggregate_records(records: list[SampleRecord], *, seed: int = DEFAULT_SEED,
                      resamples: int = DEFAULT_RESAMPLES,
                      confidence: float = DEFAULT_CONFIDENCE) -> dict[str, Any]:
    """The score sections of results.json (tasks ... dimensions) from parsed sample records."""
    agg = _Aggregator(records, seed=seed, resamples=resamples, confidence=confidence)
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

    dimension_keys = sorted({key for r in records for key in r.dimensions})
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


def _megabench_section(tasks: dict[str, Any]) -> dict[str, Any] | None:
    """Core / Open / Overall and keyword breakdowns for MEGA-Bench tasks, from the MEGA-Bench
    module when it is installed in this tree (it owns those semantics)."""
    scores = {name: entry["score"] or 0.0 for name, entry in tasks.items()
              if entry["metric"] == "megabench"}
    if not scores:
        return None
    try:
        from orsta_bench.megabench.aggregate import summarize
    except ImportError:
        return None
    return summarize(scores)


def aggregate_run(run_dir: Path, *, seed: int = DEFAULT_SEED,
                  resamples: int = DEFAULT_RESAMPLES, confidence: float = DEFAULT_CONFIDENCE,
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
    results.update(aggregate_records(records, seed=seed, resamples=resamples,
                                     confidence=confidence))
    megabench = _megabench_section(results["tasks"])
    if megabench is not None:
        results["megabench"] = megabench
    return results


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
