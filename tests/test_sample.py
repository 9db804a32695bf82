"""Sample records: hashing, JSON references, HF rows round trip."""

from __future__ import annotations

import json

from PIL import Image

from orsta_bench.sample import Sample, SampleImage, VerifierCall, user_message
from orsta_bench.score import Score, Status


def make_sample(color=(255, 0, 0), truth=3) -> Sample:
    image = SampleImage.from_pil(Image.new("RGB", (8, 8), color))
    return Sample(
        id="s1", task="t", data_source="src", messages=user_message("How many?", 1),
        ground_truth=truth, verifier=VerifierCall("count", {"reward": {"accuracy_weight": 1.0}}),
        images=[image], dimensions={"skill": "counting"},
    )


def test_png_encoding_is_deterministic():
    assert make_sample().images[0].data == make_sample().images[0].data


def test_content_hash_covers_prompt_image_and_truth():
    base = make_sample().content_hash
    assert make_sample().content_hash == base
    assert make_sample(color=(0, 0, 255)).content_hash != base
    assert make_sample(truth=4).content_hash != base


def test_json_record_references_images_never_inlines_bytes():
    record = make_sample().to_json_dict()
    text = json.dumps(record)
    assert record["images"] == [{"sha256": make_sample().images[0].sha256}]
    assert record["messages"][0]["content"][0] == {"type": "image", "index": 0}
    assert len(text) < 2000


def test_hf_row_round_trip(tmp_path):
    sample = make_sample()
    back = Sample.from_hf_row(sample.to_hf_row())
    assert back == sample
    assert back.content_hash == sample.content_hash


def test_hf_row_round_trip_through_datasets(tmp_path):
    import datasets

    rows = [make_sample().to_hf_row(), make_sample(truth=5).to_hf_row()]
    path = tmp_path / "s.parquet"
    datasets.Dataset.from_list(rows).to_parquet(str(path))
    loaded = datasets.Dataset.from_parquet(str(path))
    back = [Sample.from_hf_row(row) for row in loaded]
    assert [s.content_hash for s in back] == [make_sample().content_hash, make_sample(truth=5).content_hash]


def test_path_images_keep_their_path(tmp_path):
    path = tmp_path / "img.png"
    Image.new("RGB", (4, 4)).save(path)
    image = SampleImage(path=str(path))
    assert image.reference()["path"] == str(path)
    assert image.to_pil().size == (4, 4)


def test_score_round_trip_and_statuses():
    score = Score(value=0.5, accuracy=0.5, status="parse_error", parts={"iou": 0.3})
    assert Score.from_dict(score.to_dict()) == score
    assert Status.PARSE_ERROR.counts_in_score
    assert not Status.BACKEND_ERROR.counts_in_score
    assert not Score.failure(Status.NOT_SCORED, "no judge").counts_in_score
