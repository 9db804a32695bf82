"""A local JSONL file of questions: the simplest way to bring your own data.

Each line is an object; `question` and `answer` fields (names configurable) become the prompt
field {question} and the ground truth; `images` is a list of paths relative to the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from orsta_bench.jsonlines import LineError, decode_line, iter_lines
from orsta_bench.sample import SampleImage
from orsta_bench.sources.base import RawItem, SourceError
from orsta_bench.sources.registry import register_source
from orsta_bench.spec.loaded import LoadedSpec


class JsonlParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    id_field: str = "id"
    answer_field: str = "answer"
    images_field: str = "images"


def _count(loaded: LoadedSpec, params: JsonlParams) -> int | None:
    path = loaded.resolve_path(params.path)
    if not path.exists():
        return None
    with path.open("rb") as handle:
        return sum(1 for _ in iter_lines(handle))


@register_source("jsonl", JsonlParams, count=_count)
def load_jsonl(loaded: LoadedSpec, params: JsonlParams) -> Iterator[RawItem]:
    path = loaded.resolve_path(params.path)
    if not path.exists():
        raise SourceError(f"{loaded.path}: source.path {path} does not exist")
    with path.open("rb") as handle:
        for number, line in iter_lines(handle):
            try:
                row = decode_line(line)
                answer = row[params.answer_field]
            except (LineError, KeyError) as error:
                raise SourceError(f"{path}:{number}: bad row ({error})") from None
            images = [SampleImage(path=str(path.parent / p)) for p in row.get(params.images_field, [])]
            fields = {k: v for k, v in row.items() if k != params.images_field}
            yield RawItem(
                id=str(row.get(params.id_field, number)),
                ground_truth=answer,
                fields=fields,
                images=images,
            )
