"""Source kind `vtriune`: V-Triune sample-level parquet (Orsta-Data-47k) as orsta samples.

    source: {kind: vtriune, files: "train/train_math_*.parquet"}             # under $ORSTA_DATA_DIR
    source: {kind: vtriune, files: [a.parquet, b.parquet], data_dir: /data/Orsta-Data-47k}
    source: {kind: vtriune, dataset: One-RL-to-See-Them-All/Orsta-Data-47k, files: "test/*.parquet"}

Each row is routed to `vtriune.<reward_model.verifier>` with its own ratios and detection
parameters (see orsta_bench.interop.vtriune). `files` are paths or globs relative to `data_dir`,
else $ORSTA_DATA_DIR, else the spec's folder. V-Triune's trainer appends a chain-of-thought
instruction to every mathverify prompt at load time; `math_instruction: auto` does the same with
one fixed sentence (deterministic), `none` leaves the prompt as stored.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from orsta_bench.safe_files import MAX_DATA_FILE_BYTES, UnsafePathError
from orsta_bench.sample import Sample
from orsta_bench.sources.base import RawItem, SourceError
from orsta_bench.sources.registry import register_source
from orsta_bench.spec.loaded import LoadedSpec

DATA_DIR_ENV = "ORSTA_DATA_DIR"
DOWNLOAD_HINT = (
    f"set ${DATA_DIR_ENV} (or source.data_dir) to your Orsta-Data-47k folder; get it with "
    "`huggingface-cli download --repo-type dataset One-RL-to-See-Them-All/Orsta-Data-47k "
    "--local-dir Orsta-Data-47k`"
)
FREEFORM_INSTRUCTION = "Think it through step by step, then write the final answer inside \\boxed{}."
TAGGED_INSTRUCTION = (
    "Think step by step inside <think> </think> tags, then give the final answer inside <answer> "
    "</answer> tags, with the answer itself in \\boxed{}, each tag on its own line:\n"
    "<think>\nyour reasoning\n</think>\n<answer>\n\\boxed{your answer}\n</answer>"
)


class VTriuneParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: str | list[str] | None = None
    data_dir: str | None = None
    dataset: str | None = None
    split: str = "train"
    math_instruction: Literal["auto", "none"] = "auto"
    use_extension: bool = True

    @model_validator(mode="after")
    def _has_data(self) -> VTriuneParams:
        if self.files is None and self.dataset is None:
            raise ValueError("give `files` (local parquet paths or globs) or `dataset` (a hub id)")
        return self

    @property
    def patterns(self) -> list[str]:
        return [self.files] if isinstance(self.files, str) else list(self.files or [])


def _base_dir(loaded: LoadedSpec, params: VTriuneParams) -> Path:
    chosen = params.data_dir or os.environ.get(DATA_DIR_ENV)
    base = Path(os.path.expanduser(chosen)) if chosen else loaded.path.parent
    if params.data_dir and base.is_dir():  # a folder the spec names must pass the path policy
        try:
            loaded.data_dir(base, "source.data_dir")
        except UnsafePathError as error:
            raise SourceError(f"{loaded.path}: {error}") from None
    return base


def _local_files(loaded: LoadedSpec, params: VTriuneParams) -> list[Path]:
    """Matching files in a stable order; SourceError naming the pattern and the fix when none."""
    base = _base_dir(loaded, params)
    found: list[Path] = []
    for pattern in params.patterns:
        full = Path(os.path.expanduser(pattern))
        full = full if full.is_absolute() else base / full
        matches = sorted(Path(p) for p in glob.glob(str(full)))
        if not matches:
            raise SourceError(f"{loaded.path}: source.files {pattern!r} matches no file (looked for {full}); {DOWNLOAD_HINT}")
        for match in matches:
            try:
                loaded.data_file(match, "source.files match", MAX_DATA_FILE_BYTES)
            except UnsafePathError as error:
                raise SourceError(f"{loaded.path}: {error}") from None
            if match not in found:
                found.append(match)
    return found


def _count(loaded: LoadedSpec, params: VTriuneParams) -> int | None:
    if params.dataset is not None:
        return None
    try:
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(path).metadata.num_rows for path in _local_files(loaded, params))
    except (SourceError, OSError, ValueError, ImportError):
        return None


def _with_instruction(sample: Sample) -> None:
    """Append the chain-of-thought instruction to the last text of the last user turn."""
    tagged = (sample.verifier.params.get("format_ratio") or 0) > 0
    instruction = TAGGED_INSTRUCTION if tagged else FREEFORM_INSTRUCTION
    content = sample.messages[-1]["content"]
    texts = [part for part in content if part.get("type") == "text"]
    if texts and content[-1] is texts[-1]:
        texts[-1]["text"] = f"{texts[-1]['text']}\n\n{instruction}"
    else:
        content.append({"type": "text", "text": f"\n\n{instruction}"})


def _to_item(sample: Sample, from_extension: bool) -> RawItem:
    return RawItem(
        id=sample.id, ground_truth=sample.ground_truth, images=sample.images,
        messages=sample.messages, data_source=sample.data_source,
        verifier_name=sample.verifier.name, verifier_params=sample.verifier.params,
        dimensions=sample.dimensions if from_extension else {}, metadata=sample.metadata,
    )


def _check_builder_files(loaded: LoadedSpec, params: VTriuneParams) -> None:
    """`files` given to a `datasets` builder (parquet, json, text ...) are local paths, relative
    to the working directory as `datasets` reads them: each match passes the path policy.
    Patterns that match nothing here are left to `datasets` (hub repository paths)."""
    for pattern in params.patterns:
        for match in sorted(glob.glob(os.path.expanduser(pattern))):
            try:
                loaded.data_file(match, "source.files match", MAX_DATA_FILE_BYTES)
            except UnsafePathError as error:
                raise SourceError(f"{loaded.path}: {error}") from None


def _hub_rows(params: VTriuneParams) -> Iterator[tuple[str, dict[str, Any]]]:
    """Rows of a hub dataset (or a `datasets` builder such as "parquet"), images undecoded."""
    try:
        import datasets
    except ImportError:
        raise SourceError("source.dataset needs the `datasets` package: pip install 'orsta-bench[train]'") from None
    try:
        data = datasets.load_dataset(params.dataset, data_files=params.files, split=params.split)
    except Exception as error:  # network, missing repo, bad files: say which and how to fix
        raise SourceError(f"source.dataset {params.dataset!r} could not be loaded ({type(error).__name__}: "
                          f"{error}); offline, download it and use source.files instead. {DOWNLOAD_HINT}") from None
    feature = data.features.get("images")
    inner = getattr(feature, "feature", None)
    if inner is not None and type(inner).__name__ == "Image":
        data = data.cast_column("images", datasets.List(datasets.Image(decode=False)))
    for number, row in enumerate(data):
        yield f"{params.dataset}:{number}", row


def _rows(loaded: LoadedSpec, params: VTriuneParams) -> Iterator[tuple[str, Path, str, dict[str, Any]]]:
    from orsta_bench.interop.vtriune import iter_rows

    if params.dataset is not None:
        _check_builder_files(loaded, params)
        for where, row in _hub_rows(params):
            yield where, loaded.path.parent, where.replace("/", "_"), row
        return
    for path in _local_files(loaded, params):
        for number, row in enumerate(iter_rows(path)):
            yield f"{path} row {number}", path.parent, f"{path.stem}:{number}", row


@register_source("vtriune", VTriuneParams, count=_count,
                 check=lambda loaded, params: load_vtriune(loaded, params))  # images are paths or bytes
def load_vtriune(loaded: LoadedSpec, params: VTriuneParams) -> Iterator[RawItem]:
    from orsta_bench.interop.vtriune import VTriuneFormatError

    try:
        yield from _items(loaded, params)
    except VTriuneFormatError as error:
        raise SourceError(str(error)) from None


def _items(loaded: LoadedSpec, params: VTriuneParams) -> Iterator[RawItem]:
    from orsta_bench.interop.vtriune import EXTENSION_KEY, row_to_sample

    seen: set[str] = set()
    for where, base, fallback_id, row in _rows(loaded, params):
        sample = row_to_sample(row, loaded.name, fallback_id, base, where, params.use_extension)
        if sample.id in seen:  # ids repeat across data sources in merged files: keep them unique
            sample.id = fallback_id
        seen.add(sample.id)
        from_extension = params.use_extension and bool((row.get("extra_info") or {}).get(EXTENSION_KEY))
        if (params.math_instruction == "auto" and not from_extension
                and sample.verifier.name == "vtriune.mathverify"):
            _with_instruction(sample)
        yield _to_item(sample, from_extension)
