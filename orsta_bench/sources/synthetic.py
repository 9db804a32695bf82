"""Source kind `synthetic`: procedurally generated samples (orsta_bench.synth), no download.

    source: {kind: synthetic, generator: counting, n: 200, seed: 0, max_objects: 10}

`generator`, `n` and `seed` are common; every other key is a difficulty knob of that generator,
validated against its knob model. Sample i depends only on (generator, seed, i, knobs), so
`--limit` and resume never shift samples.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from orsta_bench.sample import SampleImage
from orsta_bench.sources.base import RawItem
from orsta_bench.sources.registry import register_source
from orsta_bench.spec.loaded import LoadedSpec

if TYPE_CHECKING:
    from orsta_bench.synth.common import Knobs


class SyntheticParams(BaseModel):
    model_config = ConfigDict(extra="allow")

    generator: str
    n: int = Field(gt=0, le=10_000_000, description="number of samples")
    seed: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _knobs_fit(self) -> SyntheticParams:
        self.knobs()
        return self

    def knobs(self) -> Knobs:
        """The generator's knob model filled from the extra keys; ValueError naming the key."""
        from orsta_bench.synth.registry import get_generator

        try:
            entry = get_generator(self.generator)
        except KeyError as error:
            raise ValueError(error.args[0]) from None
        try:
            return entry.knobs.model_validate(self.model_extra or {})
        except ValidationError as error:
            problems = "; ".join(
                f"source.{'.'.join(map(str, e['loc'])) or '(knobs)'}: "
                + ("not a knob of this generator" if e["type"] == "extra_forbidden" else e["msg"])
                for e in error.errors()
            )
            known = ", ".join(entry.knobs.model_fields)
            raise ValueError(f"generator {self.generator!r}: {problems} (its knobs: {known})") from None


def _count(loaded: LoadedSpec, params: SyntheticParams) -> int:
    return params.n


@register_source("synthetic", SyntheticParams, count=_count)
def load_synthetic(loaded: LoadedSpec, params: SyntheticParams) -> Iterator[RawItem]:
    from orsta_bench.synth.registry import generate

    knobs = params.knobs()
    answer_format = loaded.spec.prompt.format
    for index in range(params.n):
        item = generate(params.generator, params.seed, index, knobs)
        yield RawItem(
            id=f"{params.generator}-{params.seed}-{index}",
            ground_truth=item.ground_truth,
            fields={"question": item.question, **item.fields},
            images=[SampleImage.from_pil(item.image)],
            metadata={
                "answer_format": answer_format,
                "answer_text": item.answer,
                "synth": {"generator": params.generator, "seed": params.seed, "index": index,
                          **item.metadata},
            },
        )
