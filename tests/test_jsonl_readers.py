"""The project's readers of user and model JSONL (the jsonl task source, run-folder resume) end a
record at `\\n` only and refuse over-deep rows as one bad line, through orsta_bench.jsonlines."""

import json
import shutil
from pathlib import Path

import pytest

from orsta_bench.runner.folder import RunFolder, RunFolderError
from orsta_bench.sources.base import SourceError, iter_samples
from orsta_bench.spec.loader import load_spec

FIXTURES = Path(__file__).parent / "fixtures" / "run_tasks"


def arith_task(tmp_path: Path, rows: list[bytes]) -> Path:
    shutil.copy(FIXTURES / "run_arith.yaml", tmp_path / "run_arith.yaml")
    (tmp_path / "arith.jsonl").write_bytes(b"\n".join(rows) + b"\n")
    return tmp_path / "run_arith.yaml"


def test_jsonl_source_keeps_a_record_with_carriage_returns_whole(tmp_path):
    rows = [b'{"id": "a0",\r "question": "What is\r 0 + 3?", "answer": 3}', b'{"id": "a1", "question": "1 + 4?", "answer": 5}']
    samples = list(iter_samples(load_spec(arith_task(tmp_path, rows))))
    assert [s.id for s in samples] == ["a0", "a1"] and samples[0].ground_truth == 3


def test_jsonl_source_names_the_line_of_an_over_deep_row(tmp_path):
    deep = b'{"id": "a1", "question": ' + b"[" * 600 + b"]" * 600 + b', "answer": 5}'
    rows = [b'{"id": "a0", "question": "0 + 3?", "answer": 3}', deep]
    with pytest.raises(SourceError, match=r"arith.jsonl:2: .*nested deeper than 100"):
        list(iter_samples(load_spec(arith_task(tmp_path, rows))))


def test_resume_reads_a_record_with_a_carriage_return_as_one_line(tmp_path):
    record = json.dumps({"task": "t", "id": "x"}).replace(",", ",\r").encode()
    (tmp_path / "samples.jsonl").write_bytes(record + b"\n" + b'{"task": "t", "id": "y"}\n')
    assert RunFolder(tmp_path).finished_keys() == {("t", "x"), ("t", "y")}
    (tmp_path / "samples.jsonl").write_bytes(b'{"task": "t", "id": "x"}\n[1]\n')
    with pytest.raises(RunFolderError, match="samples.jsonl:2: not a sample record"):
        RunFolder(tmp_path).finished_keys()
