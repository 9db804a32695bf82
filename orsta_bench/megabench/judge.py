"""LLM-judge metrics (gpt_4o_as_judge, ascii_art_gpt4o_judge) for the MEGA-Bench Open tasks.

Verifiers stay free of backends: without a judge the judged fields are `not_scored` with the
reason. A caller that holds a Backend (orsta_bench.backends.base: any runner backend, e.g. an
OpenAI-compatible endpoint) re-scores those samples with `judge_scores`, then passes the result
as `context["megabench_judged"]` (field -> score in [0, 1]) to the `megabench` verifier.

The judge sees what the official evaluator sends it: the parsed value of the field (the whole
parsed response for a global aux metric), not the raw response. `gpt_4o_as_judge` gets a text
prompt (the images too when the task asks for it); `ascii_art_gpt4o_judge` gets both drawings
rendered as pictures (ascii_render.py) and a yes/no question. Which prompt texts: see
judge_prompts.py (official ones read from a MEGA-Bench checkout, else the project's own).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from orsta_bench.megabench.judge_prompts import PROJECT_JUDGE_INSTRUCTION, JudgePrompts
from orsta_bench.sample import Sample, SampleImage

_SCORE_LINE = re.compile(r"score\s*[:=]\s*(\d+(?:\.\d+)?)\s*(?:/\s*10)?", re.IGNORECASE)
_OFFICIAL_SCORE = re.compile(r"\*\*Score\*\*\s*:\s*(\d+)")  # the official parser's pattern


@dataclass
class JudgeItem:
    """One judged field of one query: the prompt to send, or a verdict known without asking."""

    key: str  # caller's id, e.g. f"{task}\x1f{sample_id}\x1f{field}"
    metric: str
    prompt: str
    images: tuple[SampleImage, ...] = ()
    verdict: str = "project_score"  # how to read the reply: project_score | official_score | yes_no
    fixed: float | None = None  # the official score without a judge call (e.g. empty ASCII art: 0)


def parse_judge_score(text: str) -> float | None:
    """The project prompt's verdict: the last 'Score: N' (0-10) as N/10; None when absent or out
    of range."""
    matches = _SCORE_LINE.findall(text or "")
    if not matches:
        return None
    value = float(matches[-1])
    return value / 10 if 0 <= value <= 10 else None


def read_verdict(item: JudgeItem, text: str) -> float | str:
    """The score a reply gives, as the official evaluator reads it for official prompts (the
    first '**Score**: N' over 10, 0 when there is none; 1 when 'yes' occurs in the ASCII reply),
    or an error string (the field stays not_scored) when the project prompt got no score."""
    if item.verdict == "yes_no":
        return 1.0 if "yes" in (text or "").lower() else 0.0
    if item.verdict == "official_score":
        match = _OFFICIAL_SCORE.search(text or "")
        return int(match.group(1)) / 10.0 if match else 0.0
    score = parse_judge_score(text)
    return score if score is not None else "judge gave no 'Score: N' line"


def judge_scores(items: Iterable[JudgeItem], backend: Any, max_new_tokens: int = 512) -> dict[str, float | str]:
    """Ask `backend` (a runner Backend) to grade each item: key -> score in [0, 1], or an error
    string when the judge failed or gave no readable score (the field then stays not_scored)."""
    from orsta_bench.backends.base import ChatRequest, GenerationSettings

    settings = GenerationSettings(max_new_tokens=max_new_tokens, temperature=0.0)
    results: dict[str, float | str] = {}
    asked: dict[str, JudgeItem] = {}
    requests = []
    for item in items:
        if item.fixed is not None:
            results[item.key] = item.fixed
            continue
        content: list[dict[str, Any]] = [{"type": "image", "index": i} for i in range(len(item.images))]
        content.append({"type": "text", "text": item.prompt})
        asked[item.key] = item
        requests.append(ChatRequest(item.key, [{"role": "user", "content": content}], list(item.images), settings))
    for response in backend.generate(requests) if requests else ():
        if response.error:
            results[response.request_id] = f"judge error: {response.error}"
            continue
        results[response.request_id] = read_verdict(asked[response.request_id], response.text)
    return results


def judge_items_for(sample: Sample, response: str, prompts: JudgePrompts | None = None) -> list[JudgeItem]:
    """The judged fields of a `megabench` sample, one item each (none for any other sample);
    keys are "<task>\x1f<id>\x1f<field>" (see `judged_fields`)."""
    from orsta_bench.megabench.metrics import get_metric
    from orsta_bench.megabench.parsing import NotALiteral, literal, parse_response
    from orsta_bench.megabench.query import field_value, scored_fields

    if sample.verifier.name != "megabench":
        return []
    params = sample.verifier.params
    try:
        info = params.get("metric_info")
        info = info if isinstance(info, dict) else literal(info)
        answer = sample.ground_truth if isinstance(sample.ground_truth, dict) else literal(sample.ground_truth)
        parsed, _ = parse_response(info.get("response_parse_function") or "dummy", response, answer,
                                   params.get("mode", "compatible"))
    except (NotALiteral, ValueError, AttributeError):
        return []  # the verifier reports the bad record itself
    if not isinstance(answer, dict):
        return []
    prompts = prompts or JudgePrompts()
    items = []
    for name, metric_name, is_aux in scored_fields(info, answer):  # the fields score_query scores
        try:
            metric = get_metric(metric_name)
        except KeyError:
            continue
        if metric.kind != "judge":
            continue
        value = field_value(parsed, name, is_aux)  # the parsed value, as the official judge sees
        reference = answer if is_aux else answer.get(name)
        key = f"{sample.task}\x1f{sample.id}\x1f{name}"
        build = _ascii_item if "ascii" in metric.name else _text_item
        item = build(key, metric.name, value, reference, sample, answer, info, prompts)
        if item is not None:
            items.append(item)
    return items


def _text_item(key: str, metric: str, value: Any, reference: Any, sample: Sample, answer: dict[str, Any],
               info: dict[str, Any], prompts: JudgePrompts) -> JudgeItem | None:
    if not prompts.official:
        notes = str(info.get("gpt4o_eval_configs", "") or "")
        prompt = (f"{PROJECT_JUDGE_INSTRUCTION}\n\n[Task]\n{sample.prompt_text}\n\n[Grading notes]\n"
                  f"{notes or 'none'}\n\n[Reference answer]\n{reference}\n\n[Model answer]\n{value}\n")
        return JudgeItem(key, metric, prompt, tuple(sample.images))
    prompt = official_text_prompt(info.get("gpt4o_eval_configs"), value, answer, _query_text(sample),
                                  sample.verifier.params.get("eval_context") or {})
    if prompt is None:
        return None  # no usable official configuration: the field stays not_scored
    with_images = info["gpt4o_eval_configs"].get("judge_model_type") == "with image"
    return JudgeItem(key, metric, prompt, _query_images(sample) if with_images else (), "official_score")


def official_text_prompt(config: Any, value: Any, answer: dict[str, Any], question: str,
                         eval_context: Any) -> str | None:
    """The task's `eval_criteria_prompt` filled in through its `template_mapping`, as the official
    judge does: model_output -> the parsed value, example_question -> the query text,
    answers.K -> answer[K], eval_context.K -> eval_context[K]. None when the task's
    configuration cannot be filled in (the official evaluator would crash)."""
    from orsta_bench.megabench.parsing import NotALiteral, literal

    if not isinstance(config, dict) or not isinstance(config.get("eval_criteria_prompt"), str):
        return None
    try:
        context = eval_context if isinstance(eval_context, dict) else literal(eval_context)
        mapping = {}
        for slot, source in (config.get("template_mapping") or {}).items():
            head, _, rest = str(source).partition(".")
            if source == "model_output":
                mapping[slot] = value
            elif source == "example_question":
                mapping[slot] = question
            elif head == "answers":
                mapping[slot] = answer[rest]
            elif head == "eval_context":
                mapping[slot] = context[rest]
        return config["eval_criteria_prompt"].format(**mapping)
    except (KeyError, IndexError, ValueError, TypeError, NotALiteral):
        return None


def _megabench_meta(sample: Sample) -> dict[str, Any]:
    meta = sample.metadata.get("megabench") if isinstance(sample.metadata, dict) else None
    return meta if isinstance(meta, dict) else {}


def _query_text(sample: Sample) -> str:
    """The query's own text (official `query_text`), kept by the megabench source in metadata;
    the whole prompt text otherwise."""
    text = _megabench_meta(sample).get("query_text")
    return text if isinstance(text, str) else sample.prompt_text


def _query_images(sample: Sample) -> tuple[SampleImage, ...]:
    """The query's own images (official `query["images"]`: the last `query_images` of the
    prompt's images); all of them when the source did not record the count."""
    count = _megabench_meta(sample).get("query_images")
    if isinstance(count, int) and 0 <= count <= len(sample.images):
        return tuple(sample.images[len(sample.images) - count:])
    return tuple(sample.images)


def _ascii_item(key: str, metric: str, value: Any, reference: Any, sample: Sample, answer: dict[str, Any],
                info: dict[str, Any], prompts: JudgePrompts) -> JudgeItem:
    """Both drawings as pictures, the model's first; no call (score 0) when the answer is empty
    or not a string, as the official metric returns before asking."""
    from orsta_bench.megabench.ascii_render import ascii_art_jpeg
    from orsta_bench.megabench.parsing import evaluate_as_string

    reference = evaluate_as_string(reference)
    if not isinstance(value, str) or not isinstance(reference, str) or not value or not reference:
        return JudgeItem(key, metric, "", fixed=0.0)
    images = (SampleImage(data=ascii_art_jpeg(value)), SampleImage(data=ascii_art_jpeg(reference)))
    return JudgeItem(key, metric, prompts.ascii_prompt, images, "yes_no")


def judged_fields(sample: Sample, verdicts: dict[str, float | str]) -> dict[str, float]:
    """This sample's field -> score from `judge_scores` output (failed verdicts left out, so
    those fields stay not_scored)."""
    prefix = f"{sample.task}\x1f{sample.id}\x1f"
    return {key[len(prefix):]: value for key, value in verdicts.items()
            if key.startswith(prefix) and isinstance(value, float)}
