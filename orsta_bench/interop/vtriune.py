"""V-Triune's sample-level parquet format (Orsta-Data-47k), read and written.

Columns, as released: data_source, images (list of {bytes, path}), prompt ([{role, content}] with
an "<image>" placeholder per image), ability, reward_model {answer, ground_truth, accuracy_ratio,
format_ratio, verifier, verifier_parm {det_verifier_normalized, det_reward_ratio {...}}},
extra_info {id, image_path}. Ratios are float32 as in the release.

Reading a released row gives a sample routed to `vtriune.<verifier>` with that row's own ratios
and `verifier_parm` as its params, so scores equal the released reward server's. Writing any sample gives
the V-Triune columns (a projection: native verifiers map to mathverify or detection) plus one
extra string field, `extra_info.orsta`, holding the exact orsta sample; reading such a file gives
back the identical sample (same id, task, prompt, verifier call, hash and scores).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from orsta_bench.atomic import atomic_path
from orsta_bench.sample import Sample, SampleImage, VerifierCall, content_parts

IMAGE_TOKEN = "<image>"
VERIFIERS = {"mathverify": "vtriune.mathverify", "detection": "vtriune.detection"}
DET_RATIO_KEYS = ("iou_max_label_first", "iou_max_iou_first", "iou_completeness", "map", "map50", "map75")
# The released detection weights (../shared/specs/vtriune-rewards.md).
RELEASED_DET_RATIO = {"iou_max_label_first": 1.0, "iou_max_iou_first": 0.0, "iou_completeness": 0.3,
                      "map": 0.0, "map50": 0.0, "map75": 0.0}
COLUMNS = ("data_source", "images", "prompt", "ability", "reward_model", "extra_info")
EXTENSION_KEY = "orsta"
EXTENSION_VERSION = 1


class VTriuneFormatError(ValueError):
    """A file or row that is not V-Triune parquet; the message names the file, row and field."""


def arrow_schema(extension: bool = True) -> Any:
    """The released parquet schema (and the `extra_info.orsta` field when `extension`)."""
    import pyarrow as pa

    ratios = pa.struct([(key, pa.float32()) for key in DET_RATIO_KEYS])
    reward_model = pa.struct([
        ("answer", pa.string()),
        ("ground_truth", pa.string()),
        ("accuracy_ratio", pa.float32()),
        ("format_ratio", pa.float32()),
        ("verifier", pa.string()),
        ("verifier_parm", pa.struct([("det_verifier_normalized", pa.bool_()), ("det_reward_ratio", ratios)])),
    ])
    extra = [("id", pa.string()), ("image_path", pa.string())]
    if extension:
        extra.append((EXTENSION_KEY, pa.string()))
    return pa.schema([
        ("data_source", pa.string()),
        ("images", pa.list_(pa.struct([("bytes", pa.binary()), ("path", pa.string())]))),
        ("prompt", pa.list_(pa.struct([("content", pa.string()), ("role", pa.string())]))),
        ("ability", pa.string()),
        ("reward_model", reward_model),
        ("extra_info", pa.struct(extra)),
    ])


# ---------------------------------------------------------------- writing


def messages_to_prompt(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Orsta content parts to V-Triune text: each image part becomes "<image>" in place."""
    prompt = []
    for message in messages:
        content = "".join(IMAGE_TOKEN if part.get("type") == "image" else part.get("text", "")
                          for part in content_parts(message))
        prompt.append({"content": content, "role": message["role"]})
    return prompt


def _boxes_answer(boxes: list[dict[str, Any]]) -> str:
    return "<answer>\n" + json.dumps(boxes) + "\n</answer>"


def _project_verifier(sample: Sample) -> tuple[str, str, dict[str, Any]]:
    """(V-Triune verifier, ground_truth string, reward fields) for any sample."""
    name, params = sample.verifier.name, sample.verifier.params
    truth = sample.ground_truth
    if name in VERIFIERS.values():
        parm = params.get("verifier_parm") or {}
        parm = {key: parm.get(key) for key in ("det_verifier_normalized", "det_reward_ratio")}
        return name.removeprefix("vtriune."), str(truth), {
            "accuracy_ratio": params.get("accuracy_ratio", 1.0),
            "format_ratio": params.get("format_ratio", 0.1),
            "verifier_parm": parm,
        }
    weights = params.get("reward") or {}
    reward = {"accuracy_ratio": weights.get("accuracy_weight", 1.0),
              "format_ratio": weights.get("format_weight", 0.0)}
    boxes = _as_boxes(truth)
    if boxes is not None:
        reward["verifier_parm"] = {"det_verifier_normalized": True, "det_reward_ratio": RELEASED_DET_RATIO}
        return "detection", _boxes_answer(boxes), reward
    reward["verifier_parm"] = {"det_verifier_normalized": None, "det_reward_ratio": None}
    return "mathverify", "\\boxed{" + str(truth) + "}", reward


def _as_boxes(truth: Any) -> list[dict[str, Any]] | None:
    """Box ground truths (one [x1,y1,x2,y2] or a list of {bbox_2d, label}) as V-Triune items."""
    def is_box(value: Any) -> bool:
        return isinstance(value, list) and len(value) == 4 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)

    if is_box(truth):
        return [{"bbox_2d": truth, "label": ""}]
    if isinstance(truth, list) and truth and all(isinstance(t, dict) and is_box(t.get("bbox_2d")) for t in truth):
        return [{"bbox_2d": t["bbox_2d"], "label": str(t.get("label", ""))} for t in truth]
    return None


def sample_to_row(sample: Sample, ability: str | None = None, extension: bool = True) -> dict[str, Any]:
    """One V-Triune row for `sample` (see the module docstring for what is exact and what is not)."""
    verifier, truth, reward = _project_verifier(sample)
    answer = sample.metadata.get("answer")
    extra: dict[str, Any] = {
        "id": sample.id,
        "image_path": sample.metadata.get("image_path") or next((i.path for i in sample.images if i.path), ""),
    }
    if extension:
        extra[EXTENSION_KEY] = json.dumps({
            "version": EXTENSION_VERSION, "id": sample.id, "task": sample.task,
            "messages": sample.messages, "ground_truth": sample.ground_truth,
            "verifier": sample.verifier.to_dict(), "dimensions": sample.dimensions,
            "metadata": sample.metadata,
        }, sort_keys=True, ensure_ascii=False)
    return {
        "data_source": sample.data_source,
        "images": [{"bytes": image.read_bytes(), "path": image.path} for image in sample.images],
        "prompt": messages_to_prompt(sample.messages),
        "ability": str(ability or sample.metadata.get("ability") or ""),
        "reward_model": {"answer": str(answer) if answer is not None else str(sample.ground_truth),
                         "ground_truth": truth, "verifier": verifier, **reward},
        "extra_info": extra,
    }


def write_vtriune(rows: Iterable[dict[str, Any]], path: str | Path, extension: bool = True,
                  batch_rows: int = 256) -> int:
    """Write rows (from `sample_to_row`) to `path` atomically; returns the row count."""
    from orsta_bench.interop.parquet import write_rows

    with atomic_path(path) as temporary:
        return write_rows(rows, str(temporary), arrow_schema(extension), batch_rows)


# ---------------------------------------------------------------- reading


def iter_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """Rows of one parquet file as dicts, streamed in batches; checks the columns first. No
    pre-buffering: pyarrow (26) keeps every pre-buffered column chunk until the reader closes, so
    memory grew with the file (about 90 MB per 1,000 rows of Orsta-shaped images)."""
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        parquet = pq.ParquetFile(path, pre_buffer=False)
    except (OSError, ValueError) as error:
        raise VTriuneFormatError(f"{path}: not a readable parquet file ({error})") from None
    missing = [c for c in COLUMNS if c not in parquet.schema_arrow.names]
    if missing:
        raise VTriuneFormatError(
            f"{path}: missing V-Triune column(s) {', '.join(missing)} (found: "
            f"{', '.join(parquet.schema_arrow.names)}); expected the Orsta-Data-47k sample-level format")
    for batch in parquet.iter_batches(batch_size=64, columns=list(COLUMNS)):
        yield from batch.to_pylist()


def prompt_to_messages(prompt: Any, n_images: int, where: str) -> list[dict[str, Any]]:
    """V-Triune prompt turns to orsta content parts; "<image>" placeholders become image parts
    numbered in order. Their count must equal the number of images."""
    if not isinstance(prompt, list) or not prompt:
        raise VTriuneFormatError(f"{where}: field 'prompt' must be a non-empty list of {{role, content}}")
    messages, index = [], 0
    for turn in prompt:
        if not isinstance(turn, dict) or not isinstance(turn.get("content"), str) or not turn.get("role"):
            raise VTriuneFormatError(f"{where}: field 'prompt' has a turn without string role/content")
        parts: list[dict[str, Any]] = []
        for position, text in enumerate(turn["content"].split(IMAGE_TOKEN)):
            if position:
                parts.append({"type": "image", "index": index})
                index += 1
            if text:
                parts.append({"type": "text", "text": text})
        messages.append({"role": turn["role"], "content": parts})
    if index != n_images:
        raise VTriuneFormatError(
            f"{where}: prompt has {index} '{IMAGE_TOKEN}' placeholder(s) but 'images' holds {n_images};"
            " each image needs one placeholder where it goes")
    return messages


def row_images(row: dict[str, Any], base: Path, where: str) -> list[SampleImage]:
    images = []
    for number, image in enumerate(row.get("images") or []):
        if isinstance(image, dict) and image.get("bytes"):
            images.append(SampleImage(data=image["bytes"]))
        elif isinstance(image, dict) and image.get("path"):
            path = Path(image["path"])
            path = path if path.is_absolute() else base / path
            if not path.is_file():
                problem = "is not a regular file" if os.path.lexists(path) else "does not exist"
                raise VTriuneFormatError(f"{where}: images[{number}] has no bytes and {path} {problem}")
            images.append(SampleImage(path=str(path)))
        else:
            raise VTriuneFormatError(f"{where}: images[{number}] must be {{bytes, path}} with bytes or a path")
    return images


def drop_nulls(value: Any) -> Any:
    """`value` with every None-valued mapping key removed, at every level. Parquet gives every
    row every struct field, so a math row holds `det_verifier_normalized: null` and a
    `det_reward_ratio` of six nulls: null means absent, as the released pipeline treats the
    ratios (a null ratio is not sent, so the server's default applies)."""
    if isinstance(value, dict):
        return {key: drop_nulls(item) for key, item in value.items() if item is not None}
    return value


def vtriune_params(reward_model: dict[str, Any], where: str) -> tuple[str, dict[str, Any]]:
    """(orsta verifier name, params) from a row's reward_model, as the released server reads it:
    missing or null ratios take the server defaults in the reward function; null verifier_parm
    entries are absent (see `drop_nulls`)."""
    verifier = reward_model.get("verifier")
    if verifier not in VERIFIERS:
        raise VTriuneFormatError(
            f"{where}: reward_model.verifier is {verifier!r}; expected one of {', '.join(VERIFIERS)}")
    params: dict[str, Any] = {}
    for key in ("accuracy_ratio", "format_ratio"):
        if reward_model.get(key) is not None:
            params[key] = reward_model[key]
    parm = drop_nulls(reward_model.get("verifier_parm") or {})
    parm = {key: item for key, item in parm.items() if item != {}}  # an all-null struct is absent
    if parm:
        params["verifier_parm"] = parm
    return VERIFIERS[verifier], params


def _oracle_hint(verifier: str, params: dict[str, Any], truth: str) -> dict[str, str]:
    """How a perfect response looks (orsta_bench.oracle): the tagged V-Triune layout whenever the
    row rewards format, the ground truth itself (already `\\boxed{..}`) when it does not."""
    tagged = params.get("format_ratio", 0.1) != 0.0
    if verifier == "vtriune.detection":
        start, end = truth.find("<answer>"), truth.find("</answer>")
        inner = truth[start + len("<answer>"):end].strip() if 0 <= start < end else truth
        return {"answer_format": "vtriune", "answer_text": inner}
    return {"answer_format": "vtriune" if tagged else "plain", "answer_text": truth}


def row_to_sample(row: dict[str, Any], task: str, fallback_id: str, base: Path, where: str,
                  use_extension: bool = True) -> Sample:
    """One row as a Sample. With `use_extension` and an `extra_info.orsta` field, the exact
    sample that was written; otherwise the released-format mapping."""
    extra = row.get("extra_info") or {}
    images = row_images(row, base, where)
    encoded = extra.get(EXTENSION_KEY) if use_extension else None
    if encoded:
        try:
            saved = json.loads(encoded)
            verifier = saved["verifier"]
            return Sample(id=saved["id"], task=saved["task"], data_source=row["data_source"],
                          messages=saved["messages"], ground_truth=saved["ground_truth"],
                          verifier=VerifierCall(verifier["name"], verifier["params"]), images=images,
                          dimensions=saved["dimensions"], metadata=saved["metadata"])
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise VTriuneFormatError(f"{where}: extra_info.{EXTENSION_KEY} is not an orsta sample ({error})") from None
    reward_model = row.get("reward_model")
    if not isinstance(reward_model, dict) or not isinstance(reward_model.get("ground_truth"), str):
        raise VTriuneFormatError(f"{where}: reward_model.ground_truth must be a string")
    name, params = vtriune_params(reward_model, where)
    raw_id = extra.get("id")
    metadata = {"ability": row.get("ability"), "answer": reward_model.get("answer"),
                "image_path": extra.get("image_path"), **_oracle_hint(name, params, reward_model["ground_truth"])}
    return Sample(
        id=str(raw_id) if raw_id not in (None, "") else fallback_id,
        task=task,
        data_source=str(row.get("data_source") or task),
        messages=prompt_to_messages(row.get("prompt"), len(images), where),
        ground_truth=reward_model["ground_truth"],
        verifier=VerifierCall(name, params),
        images=images,
        metadata={k: v for k, v in metadata.items() if v not in (None, "")},
    )


def read_vtriune(path: str | Path, task: str | None = None, use_extension: bool = True) -> Iterator[Sample]:
    """Every row of one V-Triune parquet file as a Sample (task defaults to the file's stem)."""
    path = Path(path)
    for number, row in enumerate(iter_rows(path)):
        yield row_to_sample(row, task or path.stem, f"{path.stem}:{number}", path.parent,
                            f"{path} row {number}", use_extension)
