"""`orsta-bench export`: synth tasks out as V-Triune parquet and back give identical samples and
scores; HF parquet and lmms-eval folders hold the same samples; bad output folders are refused
and nothing half-written is left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from orsta_bench.interop import lmms
from orsta_bench.interop.export import export_tasks
from orsta_bench.interop.vtriune import read_vtriune
from orsta_bench.reward import eval_context, score_sample
from orsta_bench.sample import Sample
from orsta_bench.sources.base import iter_samples
from orsta_bench.spec.catalog import load_catalog, select_tasks
from orsta_bench.spec.loader import load_spec

LIMIT = 3


@pytest.fixture(scope="module")
def synth():
    specs = select_tasks(load_catalog(), "synth")
    return {spec.name: (spec, list(iter_samples(spec, LIMIT))) for spec in specs}


def responses(sample: Sample) -> list[str]:
    """A right answer in the prompt's format, a wrong one and junk: scores must agree on all."""
    truth = sample.ground_truth
    shown = json.dumps(truth) if not isinstance(truth, str) else truth
    return [f"\\boxed{{{shown}}}", f"<think>\nok\n</think>\n<answer>\n{shown}\n</answer>",
            f"Answer: {shown}", "\\boxed{-1}", "", "}{ \\boxed{"]


def test_vtriune_round_trip_gives_identical_samples_and_scores(synth, tmp_path):
    counts = export_tasks([spec for spec, _ in synth.values()], "vtriune", tmp_path / "out", LIMIT)
    assert counts == {name: LIMIT for name in synth}
    for name, (_, originals) in synth.items():
        back = list(read_vtriune(tmp_path / "out" / f"{name}.parquet"))
        assert [s.to_json_dict() for s in back] == [s.to_json_dict() for s in originals]
        for original, loaded in zip(originals, back, strict=True):
            assert loaded.content_hash == original.content_hash
            for response in responses(original):
                assert score_sample(loaded, response, eval_context()).to_dict() == \
                    score_sample(original, response, eval_context()).to_dict()


def test_exported_files_load_through_the_vtriune_source(synth, tmp_path):
    spec, originals = synth["synth_counting"]
    export_tasks([spec], "vtriune", tmp_path / "out", LIMIT)
    path = tmp_path / "again.yaml"
    path.write_text("name: again\nsuite: x\ncategory: perception\nfamily: counting\n"
                    f"source: {{kind: vtriune, files: '{tmp_path}/out/synth_counting.parquet'}}\n"
                    "verifier: {name: count}\n", encoding="utf-8")
    loaded = list(iter_samples(load_spec(path)))
    assert [s.content_hash for s in loaded] == [s.content_hash for s in originals]
    assert [s.metadata for s in loaded] == [s.metadata for s in originals]


def test_vtriune_columns_are_a_usable_projection(synth, tmp_path):
    """Read as a released file (ignoring the orsta extension): V-Triune verifiers, V-Triune truths."""
    export_tasks([synth["synth_counting"][0], synth["synth_detection"][0]], "vtriune", tmp_path / "o", LIMIT)
    counting = list(read_vtriune(tmp_path / "o" / "synth_counting.parquet", use_extension=False))
    original = synth["synth_counting"][1]
    assert [s.verifier.name for s in counting] == ["vtriune.mathverify"] * LIMIT
    assert [s.ground_truth for s in counting] == [f"\\boxed{{{s.ground_truth}}}" for s in original]
    right = score_sample(counting[0], f"\\boxed{{{original[0].ground_truth}}}", eval_context())
    assert right.value == 1.0
    boxes = list(read_vtriune(tmp_path / "o" / "synth_detection.parquet", use_extension=False))
    assert boxes[0].verifier.name == "vtriune.detection"
    assert boxes[0].ground_truth.startswith("<answer>\n[{\"bbox_2d\": ")
    row = pq.read_table(tmp_path / "o" / "synth_detection.parquet").to_pylist()[0]
    assert row["ability"] == "detection" and row["reward_model"]["format_ratio"] == pytest.approx(0.1)


def test_hf_parquet_round_trips_through_sample_rows(synth, tmp_path):
    spec, originals = synth["synth_ocr"]
    export_tasks([spec], "hf", tmp_path / "hf", LIMIT)
    from datasets import load_dataset

    from orsta_bench.synth.export import load_parquet

    path = tmp_path / "hf" / "synth_ocr.parquet"
    assert [s.to_json_dict() for s in load_parquet(path)] == [s.to_json_dict() for s in originals]
    shown = load_dataset("parquet", data_files=str(path), split="train")  # a plain HF user
    assert shown[0]["images"][0].size == originals[0].images[0].to_pil().size


def test_lmms_eval_folder_scores_with_orsta(synth, tmp_path):
    specs = [synth["synth_math"][0], synth["synth_grounding"][0]]
    export_tasks(specs, "lmms-eval", tmp_path / "lm", LIMIT)
    folder = tmp_path / "lm"
    assert sorted(p.name for p in folder.iterdir()) == [
        "synth_grounding.parquet", "synth_grounding.yaml", "synth_math.parquet", "synth_math.yaml", "utils.py"]

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!function", lambda loader, node: ("function", loader.construct_scalar(node)))
    config = yaml.load((folder / "synth_math.yaml").read_text(), Loader=Loader)
    assert config["task"] == "synth_math" and config["process_results"] == ("function", "utils.process_results")
    data_file = Path(config["dataset_kwargs"]["data_files"]["test"])
    assert data_file == folder.resolve() / "synth_math.parquet" and data_file.is_file()
    assert config["generation_kwargs"]["max_new_tokens"] == specs[0].spec.generation.max_new_tokens
    assert config["reasoning_tags"] == "none"  # lmms-eval must hand the hooks the raw response
    docs = pq.read_table(data_file).to_pylist()
    originals = synth["synth_math"][1]
    for doc, original in zip(docs, originals, strict=True):
        assert lmms.doc_to_text(doc) == original.prompt_text
        assert [im.size for im in lmms.doc_to_visual(doc)] == [im.to_pil().size for im in original.images]
        for response in responses(original):
            result = lmms.process_results(doc, [response])["orsta_score"]
            assert result["value"] == score_sample(original, response, eval_context()).value
            assert result["id"] == original.id
    items = [{"value": 1.0, "status": "ok"}, {"value": 0.0, "status": "no_answer"},
             {"value": 0.0, "status": "error"}]
    assert lmms.orsta_mean(items) == 0.5  # error is left out, a model failure counts as 0


def test_cli_export_and_refusals(cli, tmp_path):
    out = tmp_path / "out"
    done = cli("export", "--tasks", "synth_math,synth_chart", "--format", "vtriune", "--output", str(out), "--limit", "2")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["synth_chart.parquet", "synth_math.parquet"]
    again = cli("export", "--tasks", "synth_math", "--output", str(out))
    assert again.returncode == 2 and "not an empty folder" in again.stderr
    bad = cli("export", "--tasks", "synth_math", "--format", "csv", "--output", str(tmp_path / "new"))
    assert bad.returncode == 2 and "vtriune, hf, lmms-eval" in bad.stderr
    assert not (tmp_path / "new").exists()


def test_a_failing_task_leaves_nothing_behind(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("ORSTA_DATA_DIR", raising=False)
    result = cli("export", "--tasks", "synth_math,orsta_math_test", "--output", str(tmp_path / "x"),
                 env={"ORSTA_DATA_DIR": ""})
    assert result.returncode == 2 and "ORSTA_DATA_DIR" in result.stderr
    assert list(tmp_path.iterdir()) == []
