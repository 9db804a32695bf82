"""The `vtriune` source over a fixture in exactly the released Orsta-Data-47k schema: rows load
as samples routed to vtriune.* with their own parameters, and score as the released reward
server would (expected rewards computed by hand from the spec in ../shared/specs)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orsta_bench.interop.vtriune import arrow_schema, read_vtriune
from orsta_bench.reward import score_sample
from orsta_bench.sources.base import SourceError, iter_samples
from orsta_bench.spec.loader import load_spec

FIXTURE = Path(__file__).parent / "fixtures" / "vtriune" / "orsta_sample.parquet"
REPO = Path(__file__).resolve().parents[1]
F = float(np.float32(0.1))  # the released format_ratio, stored as float32
C = float(np.float32(0.3))  # the released iou_completeness, stored as float32


def load_with_fixture(path: Path):
    """The spec, allowed to read the fixture folder (a data root, as --data-root would give)."""
    return load_spec(path, [path.parent, FIXTURE.parent])


def write_spec(folder: Path, source: str, name: str = "vt_fixture", verifier: str = "vtriune.mathverify") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nsuite: vt\ncategory: reasoning\nfamily: math\n"
        f"source: {source}\nverifier: {{name: {verifier}}}\n", encoding="utf-8")
    return path


@pytest.fixture
def samples(tmp_path):
    spec = load_with_fixture(write_spec(tmp_path, f"{{kind: vtriune, files: '{FIXTURE}', math_instruction: none}}"))
    return {s.id: s for s in iter_samples(spec)}


def test_rows_become_samples_with_their_own_verifier_call(samples):
    assert list(samples) == ["mm_math_0", "puzzlevqa_7", "v3det_12", "coco_5"]
    math, puzzle, dog, multi = samples.values()
    assert (math.task, math.data_source) == ("vt_fixture", "mm_math")
    assert math.verifier.name == "vtriune.mathverify"
    assert (math.verifier.params["accuracy_ratio"], math.verifier.params["format_ratio"]) == (1.0, 0.0)
    assert puzzle.verifier.params["format_ratio"] == F  # float32 as stored, not 0.1
    assert dog.verifier.name == "vtriune.detection"
    assert dog.verifier.params["verifier_parm"]["det_verifier_normalized"] is True
    assert dog.verifier.params["verifier_parm"]["det_reward_ratio"]["iou_completeness"] == C
    assert "verifier_parm" not in math.verifier.params  # math rows hold nulls there
    assert dog.ground_truth.startswith("<answer>\n[{'bbox_2d': [100, 100, 500, 500]")
    assert math.messages == [{"role": "user", "content": [
        {"type": "image", "index": 0}, {"type": "text", "text": "What is 2 + 2?"}]}]
    assert dog.images[0].to_pil().size == (280, 280)
    assert math.metadata["ability"] == "math" and multi.metadata["image_path"] == "images/coco_5.png"


@pytest.mark.parametrize(("sample_id", "response", "expected"), [
    ("mm_math_0", "The answer is \\boxed{4}.", 1.0),
    ("mm_math_0", "4", 0.0),  # a bare number is not extracted by the released server
    ("mm_math_0", "\\boxed{5}", 0.0),
    ("puzzlevqa_7", "<think>\nthe gap\n</think>\n<answer>\n\\boxed{3}\n</answer>", 1.0),
    # accuracy 0, format 0.25 (only "<think>\n" occurs exactly once)
    ("puzzlevqa_7", "<think>\nguess</think>\\boxed{5}", 0.25 * F / (1 + F)),
])
def test_mathverify_rows_score_as_the_released_server(samples, sample_id, response, expected):
    score = score_sample(samples[sample_id], response, {"mode": "eval"})
    assert score.value == pytest.approx(expected, abs=1e-12)


GRID = {"image_grid_thw": [[1, 280, 280]]}  # the trainer's grid x 14: pixels of the resized image
ONE_BOX = "<think>\nthere\n</think>\n<answer>\n[{{\"bbox_2d\": {box}, \"label\": \"dog\"}}]\n</answer>"


@pytest.mark.parametrize(("response", "threshold", "expected"), [
    # pixels [28,28,140,140] of 280 -> [100,100,500,500]: IoU 1, completeness 1, format 1
    (ONE_BOX.format(box=[28, 28, 140, 140]), 0.5, 1.0),
    # y2 140 -> 84 (300 on the grid): IoU 0.5, matched at 0.5: acc = 0.5*(1-c) + 1*c
    (ONE_BOX.format(box=[28, 28, 140, 84]), 0.5, ((0.5 * (1 - C) + C) + F) / (1 + F)),
    # the same box averaged over the 11 thresholds: only 0.5 matches, the rest score 0
    (ONE_BOX.format(box=[28, 28, 140, 84]), "average", ((0.5 * (1 - C) + C) / 11 + F) / (1 + F)),
    # a second, unmatched prediction: completeness 1 - (0 + 1/2)/2, size penalty 0.6
    ("<think>\nx\n</think>\n<answer>\n[{\"bbox_2d\": [28, 28, 140, 140], \"label\": \"dog\"}, "
     "{\"bbox_2d\": [200, 200, 260, 260], \"label\": \"dog\"}]\n</answer>", 0.5,
     (0.6 * ((1 - C) + C * 0.75) + F) / (1 + F)),
    # no newline around the tags: boxes parse (accuracy 1) but format is 0
    ("<answer>[{\"bbox_2d\": [28, 28, 140, 140], \"label\": \"dog\"}]</answer>", 0.5, 1 / (1 + F)),
    # wrong label: label-first matching finds nothing; completeness 0; format still 1
    (ONE_BOX.format(box=[28, 28, 140, 140]).replace("dog", "cat"), 0.5, F / (1 + F)),
])
def test_detection_rows_score_as_the_released_server(samples, response, threshold, expected):
    score = score_sample(samples["v3det_12"], response, {"mode": "eval", "iou_threshold": threshold, **GRID})
    assert score.value == pytest.approx(expected, abs=1e-9)


def test_the_oracle_scores_one_on_every_row(samples):
    from orsta_bench.oracle import ideal_response

    for sample in samples.values():
        score = score_sample(sample, ideal_response(sample), {"mode": "eval"})
        assert (sample.id, score.value) == (sample.id, 1.0)


def test_dynamic_threshold_follows_the_training_step(samples):
    half = ONE_BOX.format(box=[28, 28, 140, 84])  # IoU 0.5 fails the 0.85 threshold of step 0
    context = {"mode": "train", "step": 0, "total_steps": 10, "iou_threshold": "dynamic", **GRID}
    assert score_sample(samples["v3det_12"], half, context).value == pytest.approx(F / (1 + F), abs=1e-9)


def test_math_instruction_is_appended_like_the_released_trainer(tmp_path):
    spec = load_with_fixture(write_spec(tmp_path, f"{{kind: vtriune, files: '{FIXTURE}'}}"))
    by_id = {s.id: s for s in iter_samples(spec)}
    free = by_id["mm_math_0"].messages[0]["content"][-1]["text"]
    tagged = by_id["puzzlevqa_7"].messages[0]["content"][-1]["text"]
    assert free.startswith("What is 2 + 2?\n\n") and "\\boxed{}" in free and "<think>" not in free
    assert "<think>" in tagged and "<answer>" in tagged  # format_ratio > 0: the tagged variant
    assert by_id["v3det_12"].messages == list(read_vtriune(FIXTURE))[2].messages  # detection untouched


def test_orsta_specs_read_the_data_dir_and_say_how_to_get_the_data(tmp_path, monkeypatch):
    spec = load_spec(REPO / "tasks" / "orsta" / "orsta_math_test.yaml")
    monkeypatch.delenv("ORSTA_DATA_DIR", raising=False)
    with pytest.raises(SourceError, match="ORSTA_DATA_DIR.*Orsta-Data-47k"):
        next(iter_samples(spec))
    (tmp_path / "test").mkdir()
    shutil.copy(FIXTURE, tmp_path / "test" / "test_math_fixture_4.parquet")
    monkeypatch.setenv("ORSTA_DATA_DIR", str(tmp_path))
    assert [s.id for s in iter_samples(spec)] == ["mm_math_0", "puzzlevqa_7", "v3det_12", "coco_5"]


def test_a_datasets_builder_gives_the_same_samples_as_local_files(tmp_path):
    local = load_with_fixture(write_spec(tmp_path, f"{{kind: vtriune, files: '{FIXTURE}'}}", "a"))
    hub = load_with_fixture(write_spec(tmp_path, f"{{kind: vtriune, dataset: parquet, files: '{FIXTURE}'}}", "b"))
    hashes = [s.content_hash for s in iter_samples(local)]
    assert [s.content_hash for s in iter_samples(hub)] == hashes


def test_repeated_ids_are_made_unique(tmp_path):
    spec = load_with_fixture(write_spec(tmp_path, f"{{kind: vtriune, files: ['{FIXTURE}', '{tmp_path}/copy.parquet']}}"))
    shutil.copy(FIXTURE, tmp_path / "copy.parquet")
    ids = [s.id for s in iter_samples(spec)]
    assert len(ids) == len(set(ids)) == 8 and "copy:0" in ids


def _rewrite(tmp_path: Path, change) -> Path:
    rows = pq.read_table(FIXTURE).to_pylist()
    change(rows)
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema(extension=False)), path)
    return path


@pytest.mark.parametrize(("change", "message"), [
    (lambda rows: rows[1]["prompt"][0].update(content="no placeholder"), r"bad.parquet row 1: prompt has 0 '<image>'"),
    (lambda rows: rows[2]["reward_model"].update(verifier="ocr"), r"row 2: reward_model.verifier is 'ocr'"),
    (lambda rows: rows[0]["reward_model"].update(ground_truth=None), r"row 0: reward_model.ground_truth"),
])
def test_bad_rows_name_file_row_and_field(tmp_path, change, message):
    spec = load_with_fixture(write_spec(tmp_path, f"{{kind: vtriune, files: '{_rewrite(tmp_path, change)}'}}"))
    with pytest.raises(SourceError, match=message):
        list(iter_samples(spec))


def test_a_parquet_file_without_the_columns_is_refused(tmp_path):
    pq.write_table(pa.table({"question": ["1+1?"], "answer": ["2"]}), tmp_path / "plain.parquet")
    spec = load_with_fixture(write_spec(tmp_path, f"{{kind: vtriune, files: '{tmp_path}/plain.parquet'}}"))
    with pytest.raises(SourceError, match="plain.parquet: missing V-Triune column"):
        list(iter_samples(spec))


def test_null_ratios_take_the_server_defaults(tmp_path):
    """verl leaves a null ratio out of the request and the server uses 1.0 / 0.1
    (values pinned against the server in tests/test_vtriune_null_rows.py)."""
    path = _rewrite(tmp_path, lambda rows: rows[0]["reward_model"].update(accuracy_ratio=None, format_ratio=None))
    sample = next(read_vtriune(path))
    assert "accuracy_ratio" not in sample.verifier.params and "format_ratio" not in sample.verifier.params
    score = score_sample(sample, "\\boxed{4}", {"mode": "eval"})
    assert score.status.value == "ok"
    assert score.value == pytest.approx(1.0 / 1.1)  # right answer, no tags: 1.0 * 1/1.1 + 0 * 0.1/1.1


def test_files_given_to_a_datasets_builder_pass_the_path_policy(tmp_path):
    """A spec cannot point a `datasets` builder at a device or a file outside its folders."""
    os.mkfifo(tmp_path / "rows.parquet")
    spec = load_spec(write_spec(tmp_path, f"{{kind: vtriune, dataset: parquet, files: '{tmp_path}/rows.parquet'}}"))
    with pytest.raises(SourceError, match="FIFO"):
        next(iter_samples(spec))
    spec = load_spec(write_spec(tmp_path, f"{{kind: vtriune, dataset: parquet, files: '{FIXTURE}'}}"))
    with pytest.raises(SourceError, match="outside the allowed folders"):
        next(iter_samples(spec))


def test_a_bad_image_in_a_later_row_is_found_before_a_run_writes(tmp_path):
    """Rows stream, so only the run's check pass (`check_sample_files`, no pixels read) sees the
    last row's image leading to /dev/zero before anything is written."""
    from orsta_bench.sources.base import check_sample_files

    (tmp_path / "zero.png").symlink_to("/dev/zero")
    path = _rewrite(tmp_path, lambda rows: rows[-1].update(images=[{"bytes": None, "path": "zero.png"}]))
    spec = load_with_fixture(write_spec(tmp_path, f"{{kind: vtriune, files: '{path}'}}"))
    assert next(iter_samples(spec)) is not None  # the first sample alone does not see it
    with pytest.raises(SourceError, match="zero.png.*not a regular file"):
        check_sample_files(spec)
    check_sample_files(spec, limit=1)  # the rows a --limit 1 run reads are fine
