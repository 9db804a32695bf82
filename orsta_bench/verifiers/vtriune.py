"""`vtriune.mathverify` and `vtriune.detection`: the released V-Triune reward server's behaviour.

They take the Orsta-Data-47k `reward_model` fields as they are (params `accuracy_ratio`,
`format_ratio`, `verifier_parm`; reference = the `ground_truth` string) and return the server's
accuracy and format rewards for whatever context they are given; `orsta_bench.reward` mixes them
(defaults 1.0 / 0.1) exactly like every other verifier. Where the server turns a configuration
mistake into a silent 0, these raise ConfigError (status `error`) instead. A null anywhere in
the params means absent (parquet gives every row every struct field: math rows carry a null
`det_verifier_normalized` and six null `det_reward_ratio` weights, which the server ignores).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orsta_bench.interop.vtriune import drop_nulls
from orsta_bench.score import Score, Status
from orsta_bench.verifiers import mathverify as mv
from orsta_bench.verifiers.base import ConfigError, detection_tags_ok, load_params, vtriune_format
from orsta_bench.verifiers.boxes import THRESHOLDS, answer_span, parse_box_list, resolve_threshold
from orsta_bench.verifiers.detection_math import detection_reward
from orsta_bench.verifiers.registry import register_verifier

Ratio = Annotated[float, Field(ge=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DetRewardRatio(_Strict):
    """Missing keys weigh 0, as in the server."""

    iou_max_label_first: Ratio = 0.0
    iou_max_iou_first: Ratio = 0.0
    iou_completeness: Ratio = 0.0
    map: Ratio = 0.0
    map50: Ratio = 0.0
    map75: Ratio = 0.0


class VerifierParm(_Strict):
    det_verifier_normalized: bool = False
    det_reward_ratio: DetRewardRatio = Field(default_factory=DetRewardRatio)


class VTriuneParams(_Strict):
    """The reward_model fields of an Orsta-Data-47k row (ground_truth is the reference)."""

    accuracy_ratio: float = Field(1.0, ge=0)
    format_ratio: float = Field(0.1, ge=0)
    verifier_parm: VerifierParm | None = None
    answer: str | None = None  # the raw answer: logging only, as in the server


class VTriuneMathParams(VTriuneParams):
    verifier: Literal["mathverify"] = "mathverify"


class VTriuneDetectionParams(VTriuneParams):
    verifier: Literal["detection"] = "detection"


def _ground_truth(reference: Any) -> str:
    if not isinstance(reference, str):
        raise ConfigError(f"reference must be the ground_truth string, got {type(reference).__name__}")
    return reference


def _score(accuracy: float, fmt: float, status: Status, detail: str, parsed: Any, extractor: str,
           parts: dict[str, float] | None = None) -> Score:
    return Score(value=accuracy, accuracy=accuracy, format=fmt, status=status, detail=detail,
                 parsed=parsed, extractor=extractor, parts=parts or {})


@register_verifier("vtriune.mathverify", VTriuneMathParams)
def vtriune_math(response: str, reference: Any, params: dict[str, Any], context: dict[str, Any]) -> Score:
    """V-Triune server `mathverify`: four-tag format, math-verify accuracy on lower-cased text."""
    load_params(VTriuneMathParams, drop_nulls(params))
    gold_text = _ground_truth(reference).lower()
    fmt = vtriune_format(response)
    gold = mv.parse(gold_text, first_match=True)
    if not gold:
        return _score(0.0, fmt, Status.OK, "ground truth not parseable by math-verify: scored 0 as the "
                      "V-Triune server does", None, "vtriune_latex")
    answer = mv.parse(response.lower(), config=mv.vtriune_answer_config(), first_match=True)
    if not answer:
        return _score(0.0, fmt, Status.NO_ANSWER, "no LaTeX answer (\\boxed{} or $...$) found", None, "vtriune_latex")
    correct = mv.verify(gold, answer)
    return _score(1.0 if correct else 0.0, fmt, Status.OK, "", mv.shown(answer), "vtriune_latex")


def _rescale(boxes: list[dict[str, Any]], grid: Any) -> list[dict[str, Any]]:
    """The server's rescale of predictions from resized-image pixels to 0-1000: int(x / W * 1000)."""
    first = grid[0] if isinstance(grid, (list, tuple)) and grid else None
    if not (isinstance(first, (list, tuple)) and len(first) == 3 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in first)):
        raise ConfigError(f"context.image_grid_thw must be [[t, h, w], ...] in pixels, got {grid!r}")
    height, width = first[1], first[2]
    scaled = []
    for box in boxes:
        x1, y1, x2, y2 = box["bbox_2d"]
        try:
            coords = [int(x1 / width * 1000.0), int(y1 / height * 1000.0),
                      int(x2 / width * 1000.0), int(y2 / height * 1000.0)]
        except OverflowError:  # astronomically large coordinates: dropped, not a NaN reward
            continue
        scaled.append({**box, "bbox_2d": coords})
    return scaled


def detection_threshold(context: dict[str, Any]) -> float | str:
    """context.iou_threshold; when absent "dynamic" in train mode, else "average" (the server's
    default when DET_IOU_THRESHOLD is unset). Fixed values must be one of the server's 11."""
    mode = context.get("mode", "eval")
    setting = context.get("iou_threshold", "dynamic" if mode == "train" else "average")
    return resolve_threshold(setting, context, fixed_only=THRESHOLDS)


@register_verifier("vtriune.detection", VTriuneDetectionParams)
def vtriune_detection(response: str, reference: Any, params: dict[str, Any], context: dict[str, Any]) -> Score:
    """V-Triune server `detection`: binary format, label-first IoU/completeness/size-penalty mix."""
    p = load_params(VTriuneDetectionParams, drop_nulls(params))
    parm = p.verifier_parm or VerifierParm()
    ratios = parm.det_reward_ratio.model_dump()
    if sum(v for k, v in ratios.items() if k != "iou_completeness") <= 0:
        raise ConfigError("verifier_parm.det_reward_ratio: all component weights are 0 "
                          "(the server would silently score 0)")
    threshold = detection_threshold(context)
    gt_span = answer_span(_ground_truth(reference).strip())
    gts = parse_box_list(gt_span)
    if not gts:
        raise ConfigError("ground_truth has no valid boxes inside <answer>...</answer>")
    span = answer_span(response.strip())
    preds = parse_box_list(span)
    fmt = 1.0 if detection_tags_ok(response) and preds else 0.0
    if preds is None:
        status = Status.NO_ANSWER if span is None else Status.PARSE_ERROR
        detail = "no <answer>...</answer> span" if span is None else "no valid box in the answer"
        return _score(0.0, fmt, status, detail, None, "answer_tag")
    if parm.det_verifier_normalized and context.get("image_grid_thw"):
        preds = _rescale(preds, context["image_grid_thw"])
    accuracy, parts = detection_reward(preds, gts, threshold, ratios)
    if threshold != "average":
        parts["threshold"] = float(threshold)
    return _score(accuracy, fmt, Status.OK, "", preds[:100], "answer_tag", parts)
