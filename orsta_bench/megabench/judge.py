"""LLM-judge metrics (gpt_4o_as_judge, ascii_art_gpt4o_judge) for the MEGA-Bench Open tasks.

Verifiers stay free of backends: without a judge the judged fields are `not_scored` with the
reason. A caller that holds a Backend (orsta_bench.backends.base: any runner backend, e.g. an
OpenAI-compatible endpoint) re-scores those samples with `judge_scores`, then passes the result
as `context["megabench_judged"]` (field -> score in [0, 1]) to the `megabench` verifier.
The judge's prompt is ours (the judge model and prompt differ from the official GPT-4o setup,
so Open scores are comparable only between runs using the same judge).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from orsta_bench.sample import Sample, SampleImage

JUDGE_INSTRUCTION = (
    "You are grading a model's answer to a task. Compare it with the reference answer and the "
    "task's grading notes. Reply with a short justification, then a final line exactly of the "
    "form 'Score: N' where N is an integer from 0 (wrong or missing) to 10 (fully correct)."
)
_SCORE_LINE = re.compile(r"score\s*[:=]\s*(\d+(?:\.\d+)?)\s*(?:/\s*10)?", re.IGNORECASE)


@dataclass
class JudgeItem:
    """One judged field of one query."""

    key: str  # caller's id, e.g. f"{sample_id}:{field}"
    metric: str
    query_text: str
    response: Any
    reference: Any
    notes: str = ""  # e.g. metric_info["gpt4o_eval_configs"] rendered as text
    images: tuple[SampleImage, ...] = ()


def judge_prompt(item: JudgeItem) -> str:
    kind = "ASCII art drawing" if "ascii" in item.metric else "answer"
    return (
        f"{JUDGE_INSTRUCTION}\n\n[Task]\n{item.query_text}\n\n[Grading notes]\n{item.notes or 'none'}"
        f"\n\n[Reference {kind}]\n{item.reference}\n\n[Model {kind}]\n{item.response}\n"
    )


def parse_judge_score(text: str) -> float | None:
    """The last 'Score: N' (0-10) as N/10; None when absent or out of range."""
    matches = _SCORE_LINE.findall(text or "")
    if not matches:
        return None
    value = float(matches[-1])
    return value / 10 if 0 <= value <= 10 else None


def judge_scores(items: Iterable[JudgeItem], backend: Any, max_new_tokens: int = 512) -> dict[str, float | str]:
    """Ask `backend` (a runner Backend) to grade each item: key -> score in [0, 1], or an error
    string when the judge failed or gave no readable score (the field then stays not_scored)."""
    from orsta_bench.backends.base import ChatRequest, GenerationSettings

    settings = GenerationSettings(max_new_tokens=max_new_tokens, temperature=0.0)
    requests = []
    for item in items:
        content: list[dict[str, Any]] = [{"type": "image", "index": i} for i in range(len(item.images))]
        content.append({"type": "text", "text": judge_prompt(item)})
        requests.append(
            ChatRequest(item.key, [{"role": "user", "content": content}], list(item.images), settings)
        )
    results: dict[str, float | str] = {}
    for response in backend.generate(requests):
        if response.error:
            results[response.request_id] = f"judge error: {response.error}"
            continue
        score = parse_judge_score(response.text)
        results[response.request_id] = score if score is not None else "judge gave no 'Score: N' line"
    return results


def judge_items_for(sample: Sample, response: str) -> list[JudgeItem]:
    """The judged fields of a `megabench` sample, one item each (none for any other sample);
    keys are "<task>\x1f<id>\x1f<field>" (see `judged_fields`)."""
    from orsta_bench.megabench.metrics import get_metric
    from orsta_bench.megabench.parsing import NotALiteral, literal

    if sample.verifier.name != "megabench":
        return []
    try:
        info = sample.verifier.params.get("metric_info")
        info = info if isinstance(info, dict) else literal(info)
        answer = sample.ground_truth if isinstance(sample.ground_truth, dict) else literal(sample.ground_truth)
    except NotALiteral:
        return []  # the verifier reports the bad record itself
    if not isinstance(info, dict) or not isinstance(answer, dict):
        return []
    metrics = {**info.get("field_score_function", {}), **(info.get("global_aux_metrics") or {})}
    items = []
    for name, metric_name in metrics.items():
        try:
            metric = get_metric(metric_name)
        except KeyError:
            continue
        if metric.kind == "judge":
            items.append(JudgeItem(
                key=f"{sample.task}\x1f{sample.id}\x1f{name}", metric=metric.name,
                query_text=sample.prompt_text, response=response, reference=answer.get(name, answer),
                notes=str(info.get("gpt4o_eval_configs", "") or ""), images=tuple(sample.images)))
    return items


def judged_fields(sample: Sample, verdicts: dict[str, float | str]) -> dict[str, float]:
    """This sample's field -> score from `judge_scores` output (failed verdicts left out, so
    those fields stay not_scored)."""
    prefix = f"{sample.task}\x1f{sample.id}\x1f"
    return {key[len(prefix):]: value for key, value in verdicts.items()
            if key.startswith(prefix) and isinstance(value, float)}
