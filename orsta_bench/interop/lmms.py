"""lmms-eval task hooks for folders made by `orsta-bench export --format lmms-eval`.

A row of the exported parquet is `Sample.to_hf_row()`; every hook rebuilds the Sample from it,
and `process_results` scores with `orsta_bench.reward.score_sample` in the evaluation context the
runner uses, so both harnesses give the same number for the same response. Chat models (e.g.
`--model huggingface`) get the sample's exact turns from `doc_to_messages`; simple models get
`doc_to_visual` + `doc_to_text`, which put every image before the text: exact for orsta's usual
single-turn layout, a flattening for system turns or interleaved images (docs/interop.md).
"""

from __future__ import annotations

from typing import Any

from orsta_bench.sample import Sample, content_parts
from orsta_bench.score import EXCLUDED_STATUSES, Status


def _sample(doc: dict[str, Any]) -> Sample:
    return Sample.from_hf_row(doc)


def _ordered_images(sample: Sample) -> list[Any]:
    """Images in the order the prompt shows them (then any the prompt does not mention)."""
    order: list[int] = []
    for message in sample.messages:
        order.extend(p["index"] for p in content_parts(message) if p.get("type") == "image" and p["index"] not in order)
    order.extend(i for i in range(len(sample.images)) if i not in order)
    return [sample.images[i] for i in order]


def doc_to_visual(doc: dict[str, Any]) -> list[Any]:
    return [image.to_pil() for image in _ordered_images(_sample(doc))]


def doc_to_messages(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None
                    ) -> list[dict[str, Any]]:
    """The sample's own turns for lmms-eval's chat models: same roles, same part order, PIL
    images (no re-encoding), so the chat template renders exactly orsta's prompt."""
    sample = _sample(doc)
    turns = []
    for message in sample.messages:
        parts = [{"type": "image", "url": sample.images[p["index"]].to_pil()} if p.get("type") == "image"
                 else {"type": "text", "text": p["text"]} for p in content_parts(message)]
        turns.append({"role": message["role"], "content": parts})
    return turns


def doc_to_text(doc: dict[str, Any], lmms_eval_specific_kwargs: dict[str, Any] | None = None) -> str:
    return _sample(doc).prompt_text


def doc_to_target(doc: dict[str, Any]) -> str:
    truth = _sample(doc).ground_truth
    return truth if isinstance(truth, str) else str(truth)


def process_results(doc: dict[str, Any], results: list[str]) -> dict[str, dict[str, Any]]:
    """One orsta Score per document; the id, status and response travel to the samples log."""
    from orsta_bench.reward import eval_context, score_sample

    sample = _sample(doc)
    response = results[0] if results else ""
    score = score_sample(sample, response, eval_context())
    return {"orsta_score": {"id": sample.id, "value": score.value, "status": score.status.value,
                            "response": response}}


def orsta_mean(items: list[dict[str, Any]]) -> float:
    """The task score as orsta-bench defines it: mean value over samples whose status counts
    (error, not_scored and backend_error are left out)."""
    counted = [item["value"] for item in items if Status(item["status"]) not in EXCLUDED_STATUSES]
    return sum(counted) / len(counted) if counted else 0.0
