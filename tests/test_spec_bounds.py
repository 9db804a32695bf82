"""Caps and path policy of spec and data loading (issue 18), at the boundaries: what a normal
spec does must keep working, one step past a cap must be refused. The hostile cases through the
CLI are in reliability/spec_bounds.py (tests/reliability/test_bad_specs.py)."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
import yaml

from orsta_bench.safe_files import UnsafePathError, check_file, read_regular
from orsta_bench.sample import SampleImage
from orsta_bench.sources.base import SourceError, iter_samples
from orsta_bench.spec.bounded_yaml import MAX_DEPTH, Budget, YAMLLimitError, load_bounded
from orsta_bench.spec.loader import SpecError, load_spec, load_specs

PNG = (Path(__file__).parent / "fixtures" / "run_tasks" / "img00.png").read_bytes()
SPEC = """\
name: t
suite: s
category: perception
family: counting
source: {{kind: jsonl, path: '{path}'}}
verifier: {{name: count}}
"""


def nested(depth: int) -> str:
    return "a: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"


def test_depth_cap_is_exact():
    assert load_bounded(nested(MAX_DEPTH), Budget())[0] is not None
    with pytest.raises(YAMLLimitError, match=f"deeper than {MAX_DEPTH}"):
        load_bounded(nested(MAX_DEPTH + 1), Budget())


def test_anchors_aliases_and_merge_keys_still_work():
    text = "base: &b {x: 1, y: 2}\nlist: &l [1, 2]\nuse: {<<: *b, y: 3}\nagain: [*l, *l, *l]\n"
    data, _ = load_bounded(text, Budget())
    assert data["use"] == {"x": 1, "y": 3} and data["again"] == [[1, 2]] * 3


def test_a_small_alias_tree_loads_but_the_expanded_size_is_charged():
    levels = ["a0: &a0 [x, x, x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 5)]
    budget = Budget()
    data, _ = load_bounded("\n".join(levels) + "\n", budget)
    assert len(data["a4"]) == 3
    assert Budget().nodes - budget.nodes > 3**5  # every expansion counted, not just the text


def test_duplicate_keys_in_a_nested_mapping_name_key_and_line(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(SPEC.format(path="d.jsonl") + "generation:\n  max_new_tokens: 5\n  max_new_tokens: 6\n")
    with pytest.raises(SpecError, match=r"t.yaml:9: YAML error: duplicate key 'max_new_tokens' \(first at line 8\)"):
        load_spec(path)


def test_an_include_listed_twice_is_fine_under_the_cap(tmp_path):
    (tmp_path / "_d.yaml").write_text("description: shared\n")
    path = tmp_path / "t.yaml"
    path.write_text("include: [_d.yaml, _d.yaml]\n" + SPEC.format(path="d.jsonl"))
    assert load_spec(path).spec.description == "shared"


def write_task(folder: Path, data_path: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.yaml").write_text(SPEC.format(path=data_path))
    return folder


def test_data_outside_the_task_folder_needs_a_data_root(tmp_path, monkeypatch):
    monkeypatch.delenv("ORSTA_DATA_ROOT", raising=False)
    data = tmp_path / "data"
    data.mkdir()
    (data / "img.png").write_bytes(PNG)
    (data / "d.jsonl").write_text(json.dumps({"question": "q", "answer": 1, "images": ["img.png"]}) + "\n")
    tasks = write_task(tmp_path / "tasks", str(data / "d.jsonl"))
    with pytest.raises(SourceError, match="outside the allowed folders.*--data-root"):
        next(iter_samples(load_specs([tasks])[0]))
    sample = next(iter_samples(load_specs([tasks], data_roots=[data])[0]))
    assert sample.images[0].read_bytes() == PNG
    monkeypatch.setenv("ORSTA_DATA_ROOT", f"/nonexistent{os.pathsep}{data}")
    assert next(iter_samples(load_specs([tasks])[0])).images[0].read_bytes() == PNG


def test_a_symlink_inside_the_roots_to_a_regular_file_is_followed(tmp_path):
    """Downloaded datasets (HF cache) link files to blobs in the same folder: allowed."""
    (tmp_path / "blob").write_bytes(PNG)
    (tmp_path / "img.png").symlink_to(tmp_path / "blob")
    assert check_file(tmp_path / "img.png", [tmp_path], "image", 2**20) == (tmp_path / "blob").resolve()
    with pytest.raises(UnsafePathError, match="over the cap"):
        check_file(tmp_path / "img.png", [tmp_path], "image", 10)


def test_reading_a_fifo_or_device_never_blocks_or_floods(tmp_path):
    fifo = tmp_path / "img.png"
    os.mkfifo(fifo)
    signal.alarm(10)  # a blocking open would hang here without the non-blocking read
    try:
        with pytest.raises(UnsafePathError, match="FIFO"):
            SampleImage(path=str(fifo)).read_bytes()
        with pytest.raises(UnsafePathError, match="device"):
            read_regular("/dev/zero", 2**20)
    finally:
        signal.alarm(0)


def test_spec_file_given_directly_as_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "t.yaml")
    with pytest.raises(SpecError, match="FIFO"):
        load_specs([tmp_path / "t.yaml"])


def test_yaml_safe_dump_of_a_spec_round_trips(tmp_path):
    """Specs written by tools (yaml.safe_dump, as the tests and nano probes do) still load."""
    data = yaml.safe_load(SPEC.format(path="d.jsonl"))
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(data))
    assert load_spec(tmp_path / "t.yaml").spec.name == "t"
