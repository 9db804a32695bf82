"""The shared training set: images stay encoded unless they must be resized, the set is built
once and read back from disk (memory-mapped), and a changed input builds a new one."""

from __future__ import annotations

import contextlib
import io
import json
import weakref
from pathlib import Path

import pytest
from PIL import Image

from orsta_bench.sample import SampleImage
from orsta_train.prompts import resized_size
from orsta_train.trainset import build_or_load, cache_key, lazy_image, write_split


def _png(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_in_bounds_images_keep_their_bytes_and_others_are_resized(tmp_path: Path):
    data = _png((600, 600))
    entry, size = lazy_image(SampleImage(data=data), 512 * 512, 2048 * 2048)
    assert entry == {"bytes": data, "path": None} and size == (600, 600)  # not decoded, not re-encoded
    path = tmp_path / "a.png"
    path.write_bytes(_png((100, 50)))
    entry, size = lazy_image(SampleImage(path=str(path)), 512 * 512, 2048 * 2048)
    assert size == resized_size(100, 50, 512 * 512, 2048 * 2048) == (724, 362)
    assert Image.open(io.BytesIO(entry["bytes"])).size == (724, 362)
    entry, _ = lazy_image(SampleImage(path=str(path)), None, None)
    assert entry == {"bytes": None, "path": str(path)}  # a file stays a path


def _row(i: int, image: dict) -> dict:
    return {"prompt": [{"role": "user", "content": [{"type": "image", "text": None}, {"type": "text", "text": f"q{i}"}]}],
            "images": [image], "sample": "{}", "data_source": "s", "task": "t",
            "image_grid_thw": [[1, 28, 28]], "image_size": [28, 28]}


def test_the_set_is_built_once_and_read_back_from_disk(tmp_path: Path):
    calls = []

    def build(folder: Path) -> dict:
        calls.append(folder)
        write_split((_row(i, {"bytes": _png((28, 28)), "path": None}) for i in range(5)), folder / "train.arrow")
        write_split((_row(9, {"bytes": _png((28, 28)), "path": None}),), folder / "heldout.arrow")
        return {"train": 5}

    folder = tmp_path / "cache" / cache_key({"a": 1})
    train, heldout, info = build_or_load(folder, build, contextlib.nullcontext())
    again, _, _ = build_or_load(folder, build, contextlib.nullcontext())
    assert len(calls) == 1 and info == {"train": 5} and len(train) == len(again) == 5
    assert train.cache_files and train.cache_files[0]["filename"].endswith("train.arrow")  # on disk
    row = heldout[0]
    assert row["images"][0].size == (28, 28)  # decoded only when read
    assert row["prompt"][0]["content"][1]["text"] == "q9"
    assert not list(folder.parent.glob("*.partial-*"))
    assert cache_key({"a": 1}) != cache_key({"a": 2})


def test_write_split_flushes_rows_in_fixed_size_batches(tmp_path: Path):
    import pyarrow as pa

    rows = (_row(i, {"bytes": _png((28, 28)), "path": None}) for i in range(10))
    assert write_split(rows, tmp_path / "t.arrow", batch_rows=4) == 10
    with pa.memory_map(str(tmp_path / "t.arrow")) as source:
        sizes = [batch.num_rows for batch in pa.ipc.open_stream(source)]
    assert sizes == [4, 4, 2]  # never more than one batch of rows held before it is written


class _OneProcess:
    def main_process_first(self, local: bool = True, desc: str = "") -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()


@pytest.fixture(scope="module")
def processor():
    from orsta_bench.api import tiny_model_path
    from orsta_train.model import load_processor

    return load_processor(tiny_model_path())


def _specs():
    from orsta_bench.spec.catalog import load_catalog, select_tasks

    return select_tasks(load_catalog(None), "synth_counting,synth_math")


def _cfg(tmp_path: Path, **values):
    from orsta_train.config import resolve_config

    base = {"model": "tiny", "tasks": "synth_counting,synth_math", "output": str(tmp_path / "out"),
            "samples_per_task": 24, "heldout_fraction": 0.25, "train_size": 40, "seed": 3}
    return resolve_config("vtriune-release", {}, {**base, **values})


def test_the_build_streams_the_source_and_writes_the_rows_the_in_memory_split_would(tmp_path, processor, monkeypatch):
    import orsta_bench.api
    from orsta_train import dataset as ds
    from orsta_train.trainset import training_data

    real = orsta_bench.api.iter_samples
    seen: list[weakref.ref] = []
    most_alive, read = [0], [0]

    def watched(loaded, limit=None):
        for sample in real(loaded, limit):
            seen.append(weakref.ref(sample))
            most_alive[0] = max(most_alive[0], sum(ref() is not None for ref in seen))
            read[0] += 1
            yield sample

    monkeypatch.setattr(orsta_bench.api, "iter_samples", watched)
    cfg, specs = _cfg(tmp_path), _specs()
    train, heldout = training_data(cfg, specs, processor, _OneProcess())
    assert read[0] == 48
    assert most_alive[0] <= 3  # samples go to disk as they come; a list of all 48 would keep them alive

    monkeypatch.setattr(orsta_bench.api, "iter_samples", real)
    splits = ds.load_splits(specs, 24, 0.25, cfg.heldout_max_per_task)  # the same split, all in memory
    expected = ds.mixture(splits, {}, 40, 3)
    assert [json.loads(r)["id"] for r in train["sample"]] == [s.id for s in expected]
    assert list(train["sample"]) == [ds.sample_record(s) for s in expected]
    assert [r["sample"] for r in heldout] == [ds.sample_record(s) for split in splits for s in split.heldout]
    (folder,) = (tmp_path / "out" / ".trainset").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == ["complete.json", "heldout.arrow", "train.arrow"]  # no spool left

    read[0] = 0
    monkeypatch.setattr(orsta_bench.api, "iter_samples", watched)
    again, _ = training_data(cfg, specs, processor, _OneProcess())
    assert read[0] == 0 and list(again["sample"]) == list(train["sample"])  # same key: the cached set, not a rebuild
    training_data(_cfg(tmp_path, seed=4), specs, processor, _OneProcess())
    assert read[0] == 48 and len(list((tmp_path / "out" / ".trainset").iterdir())) == 2  # a new seed, a new set


def test_an_overlong_prompt_stops_the_build_naming_the_sample_and_leaves_nothing(tmp_path, processor):
    from orsta_train.prompts import PromptLengthError
    from orsta_train.trainset import training_data

    with pytest.raises(PromptLengthError, match=r"task 'synth_\w+' sample '[^']+': prompt is \d+ tokens, over max_prompt_length 20"):
        training_data(_cfg(tmp_path, max_prompt_length=20), _specs(), processor, _OneProcess())
    assert not list((tmp_path / "out" / ".trainset").iterdir())  # no set, no staging folder, no spool
