"""Generated samples round-trip through parquet (HF datasets) unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from orsta_bench.sources.base import iter_samples
from orsta_bench.spec.loader import load_spec
from orsta_bench.synth.export import export_parquet, load_parquet

TASK = Path(__file__).resolve().parents[1] / "tasks" / "synth" / "synth_counting.yaml"


def test_parquet_round_trip_keeps_every_sample_hash(tmp_path):
    samples = list(iter_samples(load_spec(TASK), 6))
    path = tmp_path / "out" / "synth.parquet"
    assert export_parquet(samples, path) == 6
    assert [p.name for p in path.parent.iterdir()] == ["synth.parquet"]  # no temporary left
    back = load_parquet(path)
    assert [s.content_hash for s in back] == [s.content_hash for s in samples]
    assert back[2].images[0].read_bytes() == samples[2].images[0].read_bytes()
    assert back[2].metadata == samples[2].metadata


def test_empty_export_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="no samples"):
        export_parquet([], tmp_path / "x.parquet")
    assert list(tmp_path.iterdir()) == []
