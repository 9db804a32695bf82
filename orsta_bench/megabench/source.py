"""Source kind `megabench`: the HF dataset TIGER-Lab/MEGA-Bench as orsta samples.

Reads a local copy (`path`, else $ORSTA_MEGABENCH_DIR) laid out as the hub dataset: per config a
folder or file of parquet (or JSONL) rows with the string columns id, task_name,
task_description, global_media, example_text, example_media, query_text, query_media, answer,
metric_info, eval_context, ...; media paths are relative to `media_dir` (default: the data folder).
`hub_id` loads through `datasets.load_dataset` where a hub is reachable. Stringified columns are
read with a literal evaluator, never eval. The prompt is the official one: task_description,
example_text (the one-shot demo) and query_text joined by newlines, with each <image>/<video>
placeholder replaced by its image (a video by its frames) in that order.
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orsta_bench.safe_files import MAX_DATA_FILE_BYTES, UnsafePathError, check_file
from orsta_bench.sample import SampleImage
from orsta_bench.sources.base import RawItem, SourceError
from orsta_bench.sources.registry import register_source
from orsta_bench.spec.loaded import LoadedSpec

ENV_DIR = "ORSTA_MEGABENCH_DIR"
_SECTIONS = (("task_description", "global_media"), ("example_text", "example_media"), ("query_text", "query_media"))
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif")


class MegabenchParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    config: Literal["core", "open", "core_single_image", "open_single_image"] = "core"
    path: str | None = Field(None, description=f"local dataset folder (default ${ENV_DIR})")
    media_dir: str | None = None
    hub_id: str | None = None
    split: str = "test"
    max_video_frames: int = Field(16, gt=0)
    mode: Literal["compatible", "strict"] = "compatible"


def _literal(row: dict[str, Any], column: str, where: str) -> Any:
    from orsta_bench.megabench.parsing import NotALiteral, literal

    value = row.get(column)
    if not isinstance(value, str):
        return value
    try:
        return literal(value)
    except NotALiteral as error:
        raise SourceError(f"{where}: column {column!r} is not a Python literal ({error})") from None


def _data_root(loaded: LoadedSpec, params: MegabenchParams) -> Path:
    raw = params.path or os.environ.get(ENV_DIR)
    if not raw:
        raise SourceError(
            f"{loaded.path}: no MEGA-Bench data: set source.path or ${ENV_DIR} to a local copy of "
            "the HF dataset TIGER-Lab/MEGA-Bench (folders core/, open/, ... with parquet files and the "
            "media), or source.hub_id where the hub is reachable"
        )
    root = loaded.resolve_path(raw)
    if not root.exists():
        raise SourceError(f"{loaded.path}: MEGA-Bench data folder {root} does not exist (set source.path or ${ENV_DIR})")
    return _checked_dir(loaded, root, "MEGA-Bench data folder")


def _checked_dir(loaded: LoadedSpec, path: Path, what: str) -> Path:
    try:
        return loaded.data_dir(path, what)
    except UnsafePathError as error:
        raise SourceError(f"{loaded.path}: {error}") from None


def _checked_file(loaded: LoadedSpec, path: Path, what: str, cap: int) -> Path:
    try:
        return loaded.data_file(path, what, cap)
    except UnsafePathError as error:
        raise SourceError(f"{loaded.path}: {error}") from None


def _row_files(root: Path, config: str) -> list[Path]:
    """Rows of `config`: <root>/<config>/*, <root>/data/<config>/*, or <root>/<config>.<ext>."""
    for folder in (root / config, root / "data" / config):
        if folder.is_dir():
            return sorted(p for p in folder.iterdir() if p.suffix in (".parquet", ".jsonl"))
    return [root / f"{config}{ext}" for ext in (".parquet", ".jsonl") if (root / f"{config}{ext}").is_file()]


def _read_rows(files: list[Path]) -> Iterator[tuple[str, dict[str, Any]]]:
    from orsta_bench.sources.json_lines import iter_json_objects

    for file in files:
        if file.suffix == ".jsonl":
            for number, row in iter_json_objects(file):
                yield f"{file}:{number}", row
            continue
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise SourceError(f"{file}: reading parquet needs pyarrow: pip install 'orsta-bench[train]'") from None
        for index, row in enumerate(pq.read_table(file).to_pylist()):
            yield f"{file}:row {index}", row


def _frames(path: Path, limit: int, where: str, media_root: Path, decode: bool = True) -> list[SampleImage]:
    """A video as up to `limit` uniformly spaced frames: from a folder of frame images next to it
    (`clip.mp4` -> `clip/` or `clip.mp4.frames/`), else decoded with PyAV when installed (only a
    regular file under the media folder: the path policy of docs/specs.md; `decode=False`
    checks that and returns no frames)."""
    for folder in (path.with_suffix(""), Path(f"{path}.frames")):
        if folder.is_dir():
            frames = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
            if frames:
                return [SampleImage(path=str(frames[i])) for i in _spaced(len(frames), limit)]
    try:
        import av
    except ImportError:
        raise SourceError(
            f"{where}: video {path} needs frames: pip install av, or put its frames in {path.with_suffix('')}/"
        ) from None
    try:
        check_file(path, [media_root], "video", MAX_DATA_FILE_BYTES)
    except UnsafePathError as error:
        raise SourceError(f"{where}: {error}") from None
    if not decode:
        return []
    with av.open(str(path)) as container:
        decoded = [frame.to_image() for frame in container.decode(video=0)]
    if not decoded:
        raise SourceError(f"{where}: video {path} has no frames")
    return [SampleImage.from_pil(decoded[i].convert("RGB")) for i in _spaced(len(decoded), limit)]


def _spaced(total: int, limit: int) -> list[int]:
    if total <= limit:
        return list(range(total))
    return [round(i * (total - 1) / (limit - 1)) for i in range(limit)] if limit > 1 else [0]


def _section(text: str, media: list[str], media_root: Path, params: MegabenchParams, where: str,
             decode: bool = True) -> tuple[list[dict[str, Any]], list[SampleImage]]:
    import re

    pieces = re.split(r"(<image>|<video>)", text or "")
    holders = [p for p in pieces if p in ("<image>", "<video>")]
    if len(holders) != len(media):
        raise SourceError(f"{where}: {len(holders)} <image>/<video> placeholders but {len(media)} media files")
    parts: list[dict[str, Any]] = []
    images: list[SampleImage] = []
    media_iter = iter(media)
    for piece in pieces:
        if piece not in ("<image>", "<video>"):
            if piece:
                parts.append({"type": "text", "text": piece})
            continue
        file = media_root / next(media_iter)
        mime = mimetypes.guess_type(file.name)[0] or ""
        if mime.startswith("video"):
            frames = _frames(file, params.max_video_frames, where, media_root, decode)
            parts.append({"type": "text", "text": "[video start]"})
            parts += [{"type": "image", "index": len(images) + i} for i in range(len(frames))]
            parts.append({"type": "text", "text": "[video end]"})
            images += frames
        else:
            if not os.path.lexists(file):
                raise SourceError(f"{where}: media file {file} not found (set source.media_dir)")
            parts.append({"type": "image", "index": len(images)})
            images.append(SampleImage(path=str(file)))
    return parts, images


def build_item(row: dict[str, Any], where: str, media_root: Path, params: MegabenchParams,
               decode: bool = True) -> RawItem:
    """One dataset row -> a RawItem with the official prompt, image order and verifier call
    (`decode=False`: videos are checked, not decoded)."""
    from orsta_bench.megabench.aggregate import is_open_task, load_task_meta

    for column in ("id", "task_name", "query_text", "answer", "metric_info"):
        if column not in row:
            raise SourceError(f"{where}: missing column {column!r}")
    metric_info = _literal(row, "metric_info", where)
    answer = _literal(row, "answer", where)
    eval_context = _literal(row, "eval_context", where) or {}
    if not isinstance(answer, dict) or not isinstance(metric_info, dict):
        raise SourceError(f"{where}: answer and metric_info must hold dicts")
    content: list[dict[str, Any]] = []
    images: list[SampleImage] = []
    for index, (text_column, media_column) in enumerate(_SECTIONS):
        media = _literal(row, media_column, where) or []
        parts, section_images = _section(row.get(text_column) or "", list(media), media_root, params, where,
                                         decode)
        for part in parts:
            if part["type"] == "image":
                part = {"type": "image", "index": part["index"] + len(images)}
            content.append(part)
        images += section_images
        if index < len(_SECTIONS) - 1:
            content.append({"type": "text", "text": "\n"})
    content = _merge_text(content)
    task = str(row["task_name"])
    meta = load_task_meta().get(task, {})
    dimensions = {k: meta[k] for k in ("skills", "input_format", "output_format", "num_input", "app") if meta.get(k)}
    return RawItem(
        id=str(row["id"]),
        ground_truth=answer,
        images=images,
        messages=[{"role": "user", "content": content}],
        task=task,
        data_source=task,
        verifier_name="megabench",
        verifier_params={"metric_info": metric_info, "mode": params.mode, "eval_context": eval_context},
        dimensions=dimensions,
        # query_text and the number of query images (the last ones): what the official judge sees
        metadata={"megabench": {"config": params.config, "eval_type": "llm" if is_open_task(metric_info) else "rule",
                                "query_text": str(row["query_text"]), "query_images": len(section_images)}},
    )


def _merge_text(content: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: list[dict[str, Any]] = []
    for part in content:
        if part["type"] == "text" and merged and merged[-1]["type"] == "text":
            merged[-1] = {"type": "text", "text": merged[-1]["text"] + part["text"]}
        else:
            merged.append(part)
    return [p for p in merged if p["type"] != "text" or p["text"].strip()]


def _rows(loaded: LoadedSpec, params: MegabenchParams) -> tuple[Iterator[tuple[str, dict[str, Any]]], Path]:
    if params.hub_id and not (params.path or os.environ.get(ENV_DIR)):
        try:
            import datasets
        except ImportError:
            raise SourceError(f"{loaded.path}: source.hub_id needs `datasets`: pip install 'orsta-bench[train]'") from None
        try:
            data = datasets.load_dataset(params.hub_id, params.config, split=params.split)
        except Exception as error:
            raise SourceError(
                f"{loaded.path}: cannot load {params.hub_id} ({type(error).__name__}); without a hub, "
                f"download it elsewhere and set source.path or ${ENV_DIR}"
            ) from None
        media_root = Path(params.media_dir or ".").expanduser()
        return ((f"{params.hub_id}[{i}]", row) for i, row in enumerate(data)), media_root
    root = _data_root(loaded, params)
    files = [_checked_file(loaded, file, "MEGA-Bench rows file", MAX_DATA_FILE_BYTES)
             for file in _row_files(root, params.config)]
    if not files:
        raise SourceError(f"{loaded.path}: no parquet/JSONL rows for config {params.config!r} under {root}")
    media_root = (_checked_dir(loaded, loaded.resolve_path(params.media_dir), "source.media_dir")
                  if params.media_dir else root)
    return _read_rows(files), media_root


def _items_undecoded(loaded: LoadedSpec, params: MegabenchParams) -> Iterator[RawItem]:
    """The rows as items with their file paths, videos not decoded: the check before a run."""
    rows, media_root = _rows(loaded, params)
    for where, row in rows:
        yield build_item(row, where, media_root, params, decode=False)


@register_source("megabench", MegabenchParams, check=_items_undecoded)
def load_megabench(loaded: LoadedSpec, params: MegabenchParams) -> Iterator[RawItem]:
    rows, media_root = _rows(loaded, params)
    for where, row in rows:
        yield build_item(row, where, media_root, params)
