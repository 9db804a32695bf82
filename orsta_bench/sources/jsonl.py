"""A local JSONL file of questions: the simplest way to bring your own data.

Each line is an object; `question` and `answer` fields (names configurable) become the prompt
field {question} and the ground truth; `images` is a list of paths relative to the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from orsta_bench.safe_files import MAX_DATA_FILE_BYTES, MAX_IMAGE_BYTES, UnsafePathError
from orsta_bench.sample import SampleImage
from orsta_bench.sources.base import RawItem, SourceError
from orsta_bench.sources.json_lines import iter_json_objects
from orsta_bench.sources.registry import register_source
from orsta_bench.spec.loaded import LoadedSpec


class JsonlParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    id_field: str = "id"
    answer_field: str = "answer"
    images_field: str = "images"


def _data_path(loaded: LoadedSpec, params: JsonlParams) -> Path:
    try:
        return loaded.data_file(loaded.resolve_path(params.path), "source.path", MAX_DATA_FILE_BYTES)
    except UnsafePathError as error:
        raise SourceError(f"{loaded.path}: {error}") from None


def _count(loaded: LoadedSpec, params: JsonlParams) -> int | None:
    try:
        return sum(1 for _ in iter_json_objects(_data_path(loaded, params)))
    except SourceError:
        return None


def _item(loaded: LoadedSpec, params: JsonlParams, path: Path, number: int, row: dict[str, Any]) -> RawItem:
    """One row as a RawItem; SourceError naming file:line and field when it does not fit."""
    where = f"{path}:{number}"
    if params.answer_field not in row:
        raise SourceError(f"{where}: row has no {params.answer_field!r} field (source.answer_field)")
    paths = row.get(params.images_field) or []
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise SourceError(f"{where}: field {params.images_field!r} must be a list of image paths "
                          f"relative to the file, got {paths!r:.60}")
    images = []
    for image in paths:
        try:
            real = loaded.data_file(path.parent / image, "image", MAX_IMAGE_BYTES)
        except UnsafePathError as error:
            raise SourceError(f"{where}: {error}") from None
        images.append(SampleImage(path=str(real)))
    return RawItem(
        id=str(row.get(params.id_field, number)),
        ground_truth=row[params.answer_field],
        fields={k: v for k, v in row.items() if k != params.images_field},
        images=images,
    )


@register_source("jsonl", JsonlParams, count=_count)
def load_jsonl(loaded: LoadedSpec, params: JsonlParams) -> Iterator[RawItem]:
    """Every row is checked (types, image paths; no pixels read) before the first is given, so
    a bad row stops a run before anything is written; then the rows stream again."""
    path = _data_path(loaded, params)
    for number, row in iter_json_objects(path):
        _item(loaded, params, path, number, row)
    for number, row in iter_json_objects(path):
        yield _item(loaded, params, path, number, row)
