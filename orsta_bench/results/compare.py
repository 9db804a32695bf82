"""Is the candidate worse than the baseline beyond noise? (`orsta-bench compare`)

Semantics (docs/contracts.md, docs/results.md): samples pair by (task, id, sample_hash); the rest
are reported and left out, and if fewer than half pair the runs are not comparable. Per task the
mean paired difference candidate - baseline gets a paired bootstrap interval; a task regresses
when that interval, at the Holm-corrected level, lies entirely below -max_drop. Per suite the
difference of macro means gets a stratified paired bootstrap interval, judged at the chosen
confidence without correction (one interval per suite, as the contract says).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from orsta_bench.results.bootstrap import (
    DEFAULT_CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    holm_below,
    macro_draws,
    p_not_below,
    percentile_interval,
    stratum_draws,
)
from orsta_bench.results.records import (
    SAMPLES_FILE,
    RecordsError,
    SampleRecord,
    read_samples,
    resolve_run_dir,
)

_EXAMPLES = 5  # unpaired sample keys shown per kind
# Below this many pairs a bootstrap interval is too narrow to trust (3 pairs that all dropped
# resample to a point interval): such tasks get no verdict of their own but count in the suite.
MIN_TASK_PAIRS = 10


class CompareError(ValueError):
    """The two runs cannot be compared (bad files, too little overlap); exit 2."""


@dataclass(frozen=True)
class Settings:
    max_drop: float = 0.0
    confidence: float = DEFAULT_CONFIDENCE
    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED

    def check(self) -> None:
        if not 0.0 < self.confidence < 1.0:
            raise CompareError(f"--confidence must be between 0 and 1, got {self.confidence} "
                               "(e.g. 0.95)")
        if not 0.0 <= self.max_drop <= 1.0:
            raise CompareError(f"--max-drop is on the 0-1 score scale and must be in [0, 1], "
                               f"got {self.max_drop} (e.g. 0.02 for two points)")
        if self.resamples < 100:
            raise CompareError(f"--resamples must be at least 100, got {self.resamples}")


def _load(path: Path, role: str) -> tuple[Path, list[SampleRecord]]:
    try:
        folder = resolve_run_dir(Path(path))
        return folder, read_samples(folder / SAMPLES_FILE)
    except RecordsError as error:
        raise CompareError(f"{role}: {error}") from None


def _pair(base: list[SampleRecord], cand: list[SampleRecord]
          ) -> tuple[list[tuple[SampleRecord, SampleRecord]], dict[str, Any]]:
    """Pairs by (task, id) with equal sample_hash, and a report of everything left out."""
    base_by = {r.key: r for r in base}
    cand_by = {r.key: r for r in cand}
    pairs, mismatch = [], []
    for key, b in base_by.items():
        c = cand_by.get(key)
        if c is None:
            continue
        if c.sample_hash == b.sample_hash:
            pairs.append((b, c))
        else:
            mismatch.append(key)
    only_base = sorted(k for k in base_by if k not in cand_by)
    only_cand = sorted(k for k in cand_by if k not in base_by)
    union = len(base_by) + len(only_cand)

    def shown(keys: list[tuple[str, str]]) -> list[str]:
        return [f"{task}/{sample_id}" for task, sample_id in sorted(keys)[:_EXAMPLES]]

    report = {
        "baseline_samples": len(base_by), "candidate_samples": len(cand_by),
        "union": union, "paired": len(pairs),
        "only_baseline": len(only_base), "only_candidate": len(only_cand),
        "hash_mismatch": len(mismatch),
        "examples": {"only_baseline": shown(only_base), "only_candidate": shown(only_cand),
                     "hash_mismatch": shown(mismatch)},
    }
    return pairs, report


def _too_little_overlap(report: dict[str, Any], base: Path, cand: Path) -> CompareError:
    lines = [f"only {report['paired']} of {report['union']} samples pair between {base} and "
             f"{cand} (at least half must): {report['only_baseline']} only in the baseline, "
             f"{report['only_candidate']} only in the candidate, {report['hash_mismatch']} with "
             "a different sample_hash (the task spec or data changed)."]
    for kind, keys in report["examples"].items():
        if keys:
            lines.append(f"  e.g. {kind}: {', '.join(keys)}")
    lines.append("Fix: run both models on the same tasks, --limit and spec versions.")
    return CompareError("\n".join(lines))


def _round(value: float) -> float | None:
    return None if value != value else round(float(value), 6)


def compare_runs(baseline: Path, candidate: Path, settings: Settings | None = None
                 ) -> dict[str, Any]:
    """The full comparison (the `--json` document). Raises CompareError on bad input."""
    settings = settings or Settings()
    settings.check()
    base_dir, base = _load(baseline, "baseline")
    cand_dir, cand = _load(candidate, "candidate")
    pairs, report = _pair(base, cand)
    if report["union"] == 0:
        raise CompareError(f"{base_dir} and {cand_dir} hold no samples; nothing to compare")
    if report["paired"] * 2 < report["union"]:
        raise _too_little_overlap(report, base_dir, cand_dir)

    by_task: dict[str, list[tuple[SampleRecord, SampleRecord]]] = defaultdict(list)
    excluded: dict[str, int] = defaultdict(int)
    for b, c in pairs:
        if b.counts and c.counts:
            by_task[b.task].append((b, c))
        else:
            excluded[b.task] += 1
    report["excluded_status"] = sum(excluded.values())
    if not by_task:
        raise CompareError("every paired sample has status error / not_scored / backend_error "
                           "in one of the runs; there is no score to compare")

    threshold = -settings.max_drop
    tasks: dict[str, Any] = {}
    draws: dict[str, np.ndarray] = {}
    for task in sorted(by_task):
        rows = by_task[task]
        b_values = np.array([b.scored_value for b, _ in rows])
        c_values = np.array([c.scored_value for _, c in rows])
        diffs = c_values - b_values
        draws[task] = stratum_draws(diffs, seed=settings.seed, label=f"compare|{task}",
                                    n_resamples=settings.resamples)
        low, high = percentile_interval(draws[task], settings.confidence)
        tasks[task] = {
            "suite": rows[0][0].suite, "n_paired": len(rows), "n_excluded": excluded[task],
            "baseline": _round(b_values.mean()), "candidate": _round(c_values.mean()),
            "delta": _round(diffs.mean()), "ci_low": _round(low), "ci_high": _round(high),
            "p_value": _round(p_not_below(draws[task], threshold)),
        }
    names = [t for t in tasks if tasks[t]["n_paired"] >= MIN_TASK_PAIRS]
    flags, adjusted = holm_below([draws[t] for t in names], threshold, settings.confidence)
    for name in tasks:
        tasks[name].update(p_holm=None, regression=False)
    for name, flag, p_holm in zip(names, flags, adjusted, strict=True):
        tasks[name].update(p_holm=_round(p_holm), regression=flag)

    suites: dict[str, Any] = {}
    members: dict[str, list[str]] = defaultdict(list)
    for name, entry in tasks.items():
        members[entry["suite"]].append(name)
    for suite, names_in in sorted(members.items()):
        suite_draws = macro_draws([draws[t] for t in names_in])
        low, high = percentile_interval(suite_draws, settings.confidence)
        suites[suite] = {
            "n_tasks": len(names_in),
            "baseline": _round(np.mean([tasks[t]["baseline"] for t in names_in])),
            "candidate": _round(np.mean([tasks[t]["candidate"] for t in names_in])),
            "delta": _round(np.mean([tasks[t]["delta"] for t in names_in])),
            "ci_low": _round(low), "ci_high": _round(high),
            "regression": bool(high < threshold),
        }

    regressions = ([f"task:{t}" for t, e in tasks.items() if e["regression"]]
                   + [f"suite:{s}" for s, e in suites.items() if e["regression"]])
    return {
        "baseline": str(base_dir), "candidate": str(cand_dir),
        "settings": {"max_drop": settings.max_drop, "confidence": settings.confidence,
                     "resamples": settings.resamples, "seed": settings.seed,
                     "correction": "holm across tasks"},
        "pairing": report, "tasks": tasks, "suites": suites,
        "regressions": regressions,
        "verdict": "regression" if regressions else "no regression",
    }
