"""Sanity questions written as ordinary task folders (`python -m research.sanity_task`):
the spec loads like any task, its answers are what the images hold, the verifier scores them, and
bad arguments change nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from scipy import ndimage

from orsta_bench.reward import score_sample
from orsta_bench.sources.base import iter_samples
from orsta_bench.spec.loader import load_spec
from research.sanity_task import write_task
from tests.test_nano_sanity import ink

REPO = Path(__file__).resolve().parents[1]


def test_a_count_task_loads_and_its_answers_are_the_drawn_shapes(tmp_path: Path) -> None:
    spec = write_task("count", 12, seed=1, output=tmp_path / "t")
    samples = list(iter_samples(load_spec(spec)))
    assert len(samples) == 12 and {s.task for s in samples} == {"sanity_count"}
    for sample, row in zip(samples, map(json.loads, (tmp_path / "t" / "rows.jsonl").read_text().splitlines()),
                           strict=True):
        drawn = ndimage.label(ink(Image.open(tmp_path / "t" / row["images"][0]).convert("RGB")))[1]
        assert str(sample.ground_truth) == row["answer"] == str(drawn)
        assert score_sample(sample, row["answer"]).value == 1.0
        assert score_sample(sample, str(drawn % 4 + 1)).value == 0.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]  # no staging folder left behind


def test_the_side_task_uses_the_exact_verifier_and_seeds_give_their_own_stream(tmp_path: Path) -> None:
    spec = write_task("side", 20, seed=1, output=tmp_path / "a")
    again = write_task("side", 20, seed=1, output=tmp_path / "b")
    other = write_task("side", 20, seed=2, output=tmp_path / "c")
    rows = [(path.parent / "rows.jsonl").read_text() for path in (spec, again, other)]
    assert rows[0] == rows[1] and rows[0].replace("-1-", "-2-") != rows[2]
    samples = list(iter_samples(load_spec(spec)))
    assert {s.ground_truth for s in samples} == {"left", "right"}
    for sample in samples:
        wrong = "left" if sample.ground_truth == "right" else "right"
        assert score_sample(sample, sample.ground_truth).value == 1.0 and score_sample(sample, wrong).value == 0.0


@pytest.mark.parametrize(("args", "message"), [
    (["--question", "size"], "invalid choice"),
    (["--question", "count", "--n", "0"], "--n must be >= 1"),
])
def test_bad_arguments_exit_2_and_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    done = subprocess.run([sys.executable, "-m", "research.sanity_task", "--output", str(tmp_path / "t"),
                           *args], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr
    assert not (tmp_path / "t").exists()


def test_an_existing_folder_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "keep.txt").write_text("mine")
    done = subprocess.run([sys.executable, "-m", "research.sanity_task", "--question", "count",
                           "--output", str(tmp_path / "t")], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "exists" in done.stderr
    assert [p.name for p in (tmp_path / "t").iterdir()] == ["keep.txt"]
