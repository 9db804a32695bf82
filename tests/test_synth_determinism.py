"""Same seed, same bytes: pinned content hashes per synth task, index independence, knob errors."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from orsta_bench.sample import SampleImage
from orsta_bench.sources.registry import validate_source_params
from orsta_bench.sources.synthetic import SyntheticParams
from orsta_bench.synth import GENERATORS, generate

REPO = Path(__file__).resolve().parents[1]
TASK_DIR = REPO / "tasks" / "synth"
PINNED_COUNT = 8
# sha256 (first 16 hex) of the first 8 samples of each task: prompt text, fields, ground truth,
# answer and PNG bytes. A change here means every published synth result changes: bump it
# deliberately (and say so), never to make a test pass.
PINNED = {
    "synth_chart": "8e736d9d5af99b1a",
    "synth_counting": "58e1b3c798ef71af",
    "synth_detection": "753a40247a186643",
    "synth_grounding": "e7df54bb7955e573",
    "synth_math": "52e764a2a5c26163",
    "synth_ocr": "c2417ffdb18e8a5c",
    "synth_puzzle": "b4b565868080d6ea",
    "synth_science": "131c5cd5fe21e037",
}


def task_params(task: str) -> SyntheticParams:
    """The task file's source block, read without the spec loader (independent of verifiers)."""
    source = dict(yaml.safe_load((TASK_DIR / f"{task}.yaml").read_text())["source"])
    source.pop("kind")
    return SyntheticParams.model_validate(source)


def item_digest(item) -> str:
    record = {"question": item.question, "fields": item.fields, "truth": item.ground_truth,
              "answer": item.answer, "png": SampleImage.from_pil(item.image).sha256}
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def task_hash(task: str) -> str:
    params = task_params(task)
    knobs = params.knobs()
    digest = hashlib.sha256()
    for index in range(PINNED_COUNT):
        digest.update(item_digest(generate(params.generator, params.seed, index, knobs)).encode())
    return digest.hexdigest()[:16]


def test_every_family_has_a_pinned_task():
    assert sorted(GENERATORS) == sorted(t.removeprefix("synth_") for t in PINNED)
    assert sorted(p.stem for p in TASK_DIR.glob("synth_*.yaml")) == sorted(PINNED)


@pytest.mark.parametrize("task", sorted(PINNED))
def test_pinned_content_hash(task):
    assert task_hash(task) == PINNED[task]


def test_hashes_equal_in_a_fresh_interpreter_with_another_hash_seed():
    """Nothing may depend on set/dict iteration of str hashes or on process state."""
    code = ("import json, sys; sys.path.insert(0, 'tests'); import test_synth_determinism as t;"
            "print(json.dumps({k: t.task_hash(k) for k in sorted(t.PINNED)}))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=120, check=True)
    assert json.loads(out.stdout) == {task: task_hash(task) for task in sorted(PINNED)}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_sample_i_depends_only_on_seed_and_index(name):
    forward = [item_digest(generate(name, 7, i)) for i in range(6)]
    assert item_digest(generate(name, 7, 4)) == forward[4]  # alone, out of order
    assert len(set(forward)) == 6  # samples differ from each other
    assert item_digest(generate(name, 8, 4)) != forward[4]  # the seed matters


def test_limit_and_n_do_not_shift_samples(tmp_path):
    from orsta_bench.sources.base import iter_samples
    from orsta_bench.spec.loader import load_spec

    def hashes(n: int, limit: int | None) -> list[tuple[str, str]]:
        path = tmp_path / f"t{n}.yaml"
        path.write_text(
            "name: t\nsuite: s\ncategory: perception\nfamily: counting\n"
            f"source: {{kind: synthetic, generator: counting, n: {n}, seed: 3}}\n"
            "prompt: {format: boxed}\nverifier: {name: count}\n"
        )
        return [(s.id, s.content_hash) for s in iter_samples(load_spec(path), limit)]

    assert hashes(3, None) == hashes(10, 3) == hashes(10, None)[:3]


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"generator": "counting", "n": 5, "max_objcts": 4}, "source.max_objcts: not a knob of this generator"),
        ({"generator": "counting", "n": 5, "min_objects": 9, "max_objects": 3}, "min_objects (9) > max_objects (3)"),
        ({"generator": "ocr", "n": 5, "fonts": ["comic"]}, "not shipped"),
        ({"generator": "chart", "n": 5, "kinds": ["donut"]}, "kinds must be"),
        ({"generator": "cooking", "n": 5}, "unknown synthetic generator 'cooking'"),
        ({"generator": "math", "n": 0}, "source.n"),
        ({"generator": "math", "n": 5, "image_size": 10}, "image_size"),
    ],
)
def test_bad_knobs_are_named(params, needle):
    with pytest.raises(ValueError) as error:
        validate_source_params("synthetic", params)
    assert needle in str(error.value)
