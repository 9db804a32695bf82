"""From a source's raw items to Samples: the one place prompts are rendered from a spec."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from orsta_bench.sample import Sample, SampleImage, VerifierCall, user_message
from orsta_bench.spec.loaded import LoadedSpec


class SourceError(Exception):
    """A data problem the user can fix (missing file, bad row); the message names it."""


@dataclass
class RawItem:
    """What a source yields. `messages` set means the data carries its own prompt (MEGA-Bench,
    V-Triune) and the spec's template is not applied."""

    id: str
    ground_truth: Any
    fields: dict[str, Any] = field(default_factory=dict)
    images: list[SampleImage] = field(default_factory=list)
    messages: list[dict[str, Any]] | None = None
    task: str | None = None
    data_source: str | None = None
    verifier_name: str | None = None
    verifier_params: dict[str, Any] = field(default_factory=dict)
    dimensions: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)


def render_prompt(loaded: LoadedSpec, item: RawItem) -> list[dict[str, Any]]:
    prompt = loaded.spec.prompt
    try:
        text = prompt.template.format_map(item.fields)
    except (KeyError, IndexError) as error:
        raise SourceError(
            f"{loaded.path}: prompt.template uses field {error} that the {loaded.spec.source.kind!r}"
            f" source does not provide (it provides: {', '.join(sorted(item.fields)) or 'none'})"
        ) from None
    if prompt.instruction:
        text = f"{text}\n\n{prompt.instruction}"
    messages = user_message(text, len(item.images))
    if prompt.system:
        messages.insert(0, {"role": "system", "content": prompt.system})
    return messages


def check_images(loaded: LoadedSpec, item: RawItem) -> None:
    """Every image a source names on disk passes the path policy (lstat only, no pixels read)
    before the sample exists: regular file, within the cap, inside the spec's allowed roots."""
    from orsta_bench.safe_files import MAX_IMAGE_BYTES, UnsafePathError

    for number, image in enumerate(item.images):
        if image.path is not None:
            try:
                loaded.data_file(image.path, "image", MAX_IMAGE_BYTES)
            except UnsafePathError as error:
                raise SourceError(f"{loaded.path}: sample {item.id!r} images[{number}]: {error}") from None


def check_sample_files(loaded: LoadedSpec, limit: int | None = None) -> None:
    """The path policy for every image of the first `limit` samples, before a run writes
    anything: through the source's `check` pass (no pixels, no video decoding). Sources without
    one name no files row by row (synthetic) or check every row before their first (jsonl)."""
    from orsta_bench.sources.registry import get_source, validate_source_params

    entry = get_source(loaded.spec.source.kind)
    if entry.check is None:
        return
    params = validate_source_params(loaded.spec.source.kind, loaded.spec.source.params)
    for index, item in enumerate(entry.check(loaded, params)):
        if limit is not None and index >= limit:
            return
        check_images(loaded, item)


def build_sample(loaded: LoadedSpec, item: RawItem) -> Sample:
    check_images(loaded, item)
    spec = loaded.spec
    params = spec.verifier_params()
    params.update(item.verifier_params)
    return Sample(
        id=str(item.id),
        task=item.task or spec.name,
        data_source=item.data_source or spec.source_name,
        messages=item.messages if item.messages is not None else render_prompt(loaded, item),
        ground_truth=item.ground_truth,
        verifier=VerifierCall(item.verifier_name or spec.verifier.name, params),
        images=item.images,
        dimensions={**spec.dimensions, **item.dimensions},
        metadata={"spec": spec.name, **item.metadata},
    )


def iter_samples(loaded: LoadedSpec, limit: int | None = None) -> Iterator[Sample]:
    """Stream a task's samples in their deterministic order (memory does not grow with n)."""
    from orsta_bench.sources.registry import get_source, validate_source_params

    entry = get_source(loaded.spec.source.kind)
    params = validate_source_params(loaded.spec.source.kind, loaded.spec.source.params)
    for index, item in enumerate(entry.load(loaded, params)):
        if limit is not None and index >= limit:
            return
        yield build_sample(loaded, item)


def count_samples(loaded: LoadedSpec) -> int | None:
    """The number of samples when the source can tell cheaply, else None."""
    from orsta_bench.sources.registry import get_source, validate_source_params

    entry = get_source(loaded.spec.source.kind)
    return entry.count(loaded, validate_source_params(loaded.spec.source.kind, loaded.spec.source.params))
