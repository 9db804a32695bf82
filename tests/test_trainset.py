"""The shared training set: images stay encoded unless they must be resized, the set is built
once and read back from disk (memory-mapped), and a changed input builds a new one."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

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
