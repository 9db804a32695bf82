"""Build run folders (samples.jsonl + run.json) the way `orsta-bench run` writes them, for the
results, compare and leaderboard tests. Records follow docs/contracts.md "Run folder"."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np


def record(task: str, sample_id: Any, value: float, *, status: str = "ok", suite: str = "synth",
           family: str = "counting", category: str = "perception", data_source: str | None = None,
           dimensions: dict[str, Any] | None = None, metric: str = "mean",
           sample_hash: str | None = None) -> dict[str, Any]:
    """One samples.jsonl line with every field the runner writes."""
    digest = sample_hash or hashlib.sha256(f"{task}/{sample_id}".encode()).hexdigest()[:16]
    return {
        "task": task, "id": sample_id, "data_source": data_source or task,
        "sample_hash": digest, "prompt": f"question {sample_id}", "images": [],
        "response": "answer", "spec": task, "family": family, "category": category,
        "suite": suite, "metric": metric, "dimensions": dimensions or {},
        "score": {"value": value, "accuracy": value, "format": 0.0, "status": status,
                  "detail": "", "parsed": None, "extractor": "boxed", "parts": {}},
        "timing": {"generate_s": 0.01, "score_s": 0.001},
    }


def write_run(folder: Path, records: list[dict[str, Any]], *, model: str = "model-a",
              run: dict[str, Any] | None = None) -> Path:
    """A run folder with samples.jsonl and run.json; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "samples.jsonl").open("w", encoding="utf-8") as handle:
        for item in records:
            handle.write(json.dumps(item) + "\n")
    tasks = sorted({item["task"] for item in records})
    fingerprint = {"model": model, "backend": {"name": "oracle"},
                   "spec_hashes": {t: hashlib.sha256(t.encode()).hexdigest()[:12] for t in tasks},
                   "seed": 0, "package_version": "0.1.0"}
    fingerprint.update(run or {})
    (folder / "run.json").write_text(json.dumps(fingerprint), encoding="utf-8")
    return folder


def binary_task(task: str, n: int, accuracy: float, seed: int, **fields: Any
                ) -> list[dict[str, Any]]:
    """n binary samples with exactly round(accuracy * n) correct, in a seeded order."""
    correct = round(accuracy * n)
    values = np.zeros(n)
    values[:correct] = 1.0
    np.random.default_rng(seed).shuffle(values)
    return [record(task, i, float(v), **fields) for i, v in enumerate(values)]
