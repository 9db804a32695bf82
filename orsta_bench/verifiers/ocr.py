"""`ocr`: transcriptions compared exactly, after normalisation, or by ANLS (normalised edit distance).

ANLS (ST-VQA / DocVQA): 1 - NLD when NLD < threshold (default 0.5), else 0, with
NLD = Levenshtein(a, b) / max(len a, len b) on lower-cased, whitespace-collapsed text; the best
over several references. A very long answer is bounded without computing its distance:
NLD >= 1 - len(ref)/len(answer), so an answer over twice the reference length scores 0."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from orsta_bench.score import Score
from orsta_bench.verifiers.base import Answer, CommonParams, answer_verifier, result
from orsta_bench.verifiers.text_verifiers import normalize_text, reference_list


class OCRParams(CommonParams):
    mode: Literal["exact", "normalized", "anls"] = "normalized"
    anls_threshold: Annotated[float, Field(gt=0, le=1)] = 0.5


def anls(answer: str, reference: str, threshold: float) -> float:
    """ANLS of one (already normalised) answer against one reference."""
    from rapidfuzz.distance import Levenshtein

    longest = max(len(answer), len(reference))
    if longest == 0:
        return 1.0
    if 1.0 - min(len(answer), len(reference)) / longest >= threshold:  # NLD's lower bound
        return 0.0
    distance = Levenshtein.distance(answer, reference) / longest
    return 1.0 - distance if distance < threshold else 0.0


def _references(reference: Any, p: OCRParams, context: dict[str, Any]) -> list[str]:
    return reference_list(reference)


@answer_verifier("ocr", OCRParams, _references)
def ocr_verifier(found: Answer, references: list[str], p: OCRParams) -> Score:
    """OCR: exact, case/space-normalised, or ANLS match against the reference text(s)."""
    response, text, extractor = found.response, found.text, found.extractor
    if p.mode == "exact":
        accuracy = 1.0 if text.strip() in {r.strip() for r in references} else 0.0
        return result(accuracy, response, p, parsed=text[:500], extractor=extractor)
    answer = normalize_text(text)
    golds = [normalize_text(r) for r in references]
    if p.mode == "normalized":
        accuracy = 1.0 if answer in golds else 0.0
        return result(accuracy, response, p, parsed=answer[:500], extractor=extractor)
    accuracy = max(anls(answer, gold, p.anls_threshold) for gold in golds)
    return result(accuracy, response, p, parsed=answer[:500], extractor=extractor,
                  parts={"anls": accuracy})
