"""Cost of results: aggregate_run and compare on 10 tasks x 1,000 samples (10,000 bootstrap
resamples each, the defaults). Binary scores take the multinomial shortcut; IoU-like continuous
scores take index resampling, the slow path. Run: pytest benchmarks/bench_results.py
--benchmark-only"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from orsta_bench.results.aggregate import aggregate_run
from orsta_bench.results.compare import compare_runs

TASKS, SAMPLES = 10, 1_000


def _write(folder: Path, values: np.ndarray) -> Path:
    folder.mkdir(parents=True)
    with (folder / "samples.jsonl").open("w") as handle:
        for task in range(TASKS):
            for index in range(SAMPLES):
                value = float(values[task, index])
                handle.write(json.dumps({
                    "task": f"task{task}", "id": index, "data_source": f"task{task}",
                    "sample_hash": f"{task}-{index}", "spec": f"task{task}", "suite": "bench",
                    "family": ("math", "ocr")[task % 2], "category": "reasoning",
                    "dimensions": {"skill": [f"s{task % 3}", f"s{index % 2}"]},
                    "score": {"value": value, "status": "ok"}}) + "\n")
    return folder


@pytest.fixture(scope="module", params=["binary", "continuous"])
def runs(request, tmp_path_factory) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    if request.param == "binary":
        base = (rng.random((TASKS, SAMPLES)) < 0.6).astype(float)
        flips = rng.random((TASKS, SAMPLES)) < 0.05
        cand = np.where(flips, 1.0 - base, base)
    else:
        base = rng.uniform(0, 1, (TASKS, SAMPLES)).round(4)
        cand = np.clip(base + rng.normal(0, 0.05, base.shape), 0, 1).round(4)
    root = tmp_path_factory.mktemp(request.param)
    return _write(root / "base", base), _write(root / "cand", cand)


def test_aggregate_run(benchmark, runs) -> None:
    results = benchmark.pedantic(aggregate_run, args=(runs[0],), rounds=3, iterations=1)
    assert len(results["tasks"]) == TASKS


def test_compare(benchmark, runs) -> None:
    report = benchmark.pedantic(compare_runs, args=runs, rounds=3, iterations=1)
    assert report["pairing"]["paired"] == TASKS * SAMPLES
