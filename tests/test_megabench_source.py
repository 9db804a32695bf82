"""The megabench source on a local fixture in the HF dataset schema (tests/fixtures/megabench)."""

from pathlib import Path

import pytest
import yaml

from orsta_bench.reward import score_sample
from orsta_bench.sources.base import SourceError, iter_samples
from orsta_bench.spec.loader import load_specs

FIXTURE = Path(__file__).parent / "fixtures" / "megabench"


def spec(tmp_path, **source):
    data = {"name": "mb", "suite": "megabench", "category": "reasoning", "family": "megabench",
            "source": {"kind": "megabench", **source}, "verifier": {"name": "megabench"}, "metric": "megabench"}
    (tmp_path / "mb.yaml").write_text(yaml.safe_dump(data))
    return load_specs([tmp_path], data_roots=[FIXTURE])[0]  # the fixture is a named data root


def test_rows_become_samples_with_official_prompt_and_image_order(tmp_path):
    samples = list(iter_samples(spec(tmp_path, path=str(FIXTURE), config="core")))
    assert [s.task for s in samples] == ["2d_image_jigsaw_puzzle_easy"] * 2 + ["Ad_count_detection", "chess_find_legal_moves"]
    first = samples[0]
    content = first.messages[0]["content"]
    kinds = [part["type"] for part in content]
    assert kinds == ["text", "image", "text", "image", "text"]  # demo image, then query image
    assert [Path(i.path).name for i in first.images] == ["blue.png", "red.png"]
    assert content[0]["text"].startswith("Pick the colour of the image.\nExample: ")
    assert "Answer: B\nQuestion: " in content[2]["text"]
    assert first.ground_truth == {"answer": "A"} and first.verifier.name == "megabench"
    assert first.dimensions["skills"] and first.metadata["megabench"]["eval_type"] == "rule"
    # global media come first, then the query's, each at its placeholder
    third = samples[2]
    assert [Path(i.path).name for i in third.images] == ["green.png", "red.png", "blue.png"]


def test_video_is_given_as_frames(tmp_path):
    video = list(iter_samples(spec(tmp_path, path=str(FIXTURE), config="core", max_video_frames=2)))[3]
    assert len(video.images) == 2 and [Path(i.path).name for i in video.images] == ["000.png", "002.png"]
    texts = [p["text"] for p in video.messages[0]["content"] if p["type"] == "text"]
    assert "[video start]" in texts[0] and "[video end]" in texts[1]


def test_samples_score_through_the_reward_path(tmp_path):
    samples = list(iter_samples(spec(tmp_path, path=str(FIXTURE), config="core")))
    assert score_sample(samples[0], "The image is red.\nAnswer: A").value == 1
    assert score_sample(samples[1], "Answer: (A) red").value == 0
    assert score_sample(samples[2], 'Answer: {"red": "1", "blue": "1"}').value == 1
    # official quirk: positive_int_match literal-evaluates the value, so JSON numbers score 0
    assert score_sample(samples[2], 'Answer: {"red": 1, "blue": 1}').value == 0
    assert score_sample(samples[3], "Answer: d4, e4!").value == 1
    # the parser hands the list on as its str(), read again as a set of moves (official: 1.0)
    assert score_sample(samples[3], "Answer: ['d4', 'e4']").value == 1


def test_open_config_is_judge_scored(tmp_path):
    sample = next(iter_samples(spec(tmp_path, path=str(FIXTURE), config="open")))
    assert sample.metadata["megabench"]["eval_type"] == "llm"
    assert score_sample(sample, "a red square").status.value == "not_scored"


def test_parquet_layout_and_env_var(tmp_path, monkeypatch):
    pa = pytest.importorskip("pyarrow")
    import json

    import pyarrow.parquet as pq

    rows = [json.loads(line) for line in (FIXTURE / "core" / "test.jsonl").read_text().splitlines()]
    data = tmp_path / "data"
    (data / "core").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), data / "core" / "test-00000-of-00001.parquet")
    monkeypatch.setenv("ORSTA_MEGABENCH_DIR", str(data))
    samples = list(iter_samples(spec(tmp_path, config="core", media_dir=str(FIXTURE))))
    assert len(samples) == 4 and samples[0].images[0].read_bytes()[:4] == b"\x89PNG"


def test_missing_data_and_bad_rows_name_the_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("ORSTA_MEGABENCH_DIR", raising=False)
    with pytest.raises(SourceError, match="ORSTA_MEGABENCH_DIR"):
        next(iter_samples(spec(tmp_path, config="core")))
    bad = tmp_path / "bad" / "core"
    bad.mkdir(parents=True)
    row = (FIXTURE / "core" / "test.jsonl").read_text().splitlines()[0].replace("(A) red", "<image> (A) red")
    (bad / "test.jsonl").write_text(row + "\n")
    with pytest.raises(SourceError, match="placeholders"):
        next(iter_samples(spec(tmp_path, path=str(tmp_path / "bad"), media_dir=str(FIXTURE))))
    evil = (FIXTURE / "core" / "test.jsonl").read_text().splitlines()[0]
    evil = evil.replace("\"answer\": \"{'answer': 'A'}\"", "\"answer\": \"__import__('os').system('false')\"")
    (bad / "test.jsonl").write_text(evil + "\n")
    with pytest.raises(SourceError, match="not a Python literal"):
        next(iter_samples(spec(tmp_path, path=str(tmp_path / "bad"), media_dir=str(FIXTURE))))
