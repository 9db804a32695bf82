"""String metrics: exact / simple / near matches, edit similarity, multi-reference phrases, GLEU."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein
from unidecode import unidecode

from orsta_bench.megabench.metrics.conversions import str_to_iterable
from orsta_bench.megabench.parsing import code_block_content


def _leading_letter(text: str) -> str:
    match = re.match(r"^\(?([A-Za-z])\)?(?:\s*\.\s*|\.)?(.*)", text)
    return match.group(1) if match else text


def exact_str_match(response: Any, reference: Any) -> float:
    """Exact match; a one-letter reference matches "(B) the cat" or "B." by the leading letter."""
    response, reference = str(response), str(reference)
    if len(reference) == 1 and reference.isalpha() and len(response) > 1:
        response = _leading_letter(response)
    return 1 if response == reference else 0


def _simplify(text: str) -> str:
    for char in (" ", "-", "\n", "\t", "."):
        text = text.replace(char, "")
    return text.lower()


def simple_str_match(response: Any, reference: Any) -> float:
    """Lower-case exact match ignoring spaces, hyphens, line breaks, tabs and dots."""
    response = str(response)
    return exact_str_match(_simplify(response), _simplify(reference))


def exact_str_match_case_insensitive(response: Any, reference: Any) -> float:
    if not isinstance(response, str) and isinstance(reference, str):
        return 0
    return exact_str_match(response.lower(), reference.lower())


def code_result_exact_str_match(response: Any, reference: Any) -> float:
    """Exact match against the content of the reference's code block (whitespace kept)."""
    reference, _ = code_block_content(reference, ascii_art=True, trim=False)
    return exact_str_match(response, reference)


def multi_ref_phrase(response: Any, reference: Any) -> float:
    """Any of the comma-separated (ASCII or full-width comma) references simple-matches."""
    refs = str_to_iterable(list, reference.replace("，", ","))
    return 1 if any(simple_str_match(response, str(r)) for r in refs) else 0


def _approximate(text: str) -> str:
    kept = [word for word in text.split(" ") if word.lower() not in {"the", "a"}]
    return unidecode(" ".join(kept)).lower()


def near_str_match(response: Any, reference: Any) -> float:
    """Damerau-Levenshtein similarity of normalised strings when >= 0.9, else 0 (not 1!)."""
    if not isinstance(response, str) or not isinstance(reference, str):
        return 0
    return DamerauLevenshtein.normalized_similarity(
        _approximate(response), _approximate(reference), score_cutoff=0.9
    )


def normalized_similarity_damerau_levenshtein(response: Any, reference: Any) -> float:
    if not isinstance(response, str) and isinstance(reference, str):
        return 0
    return DamerauLevenshtein.normalized_similarity(response, reference)


def gleu_cn(response: Any, reference: Any) -> float:
    """Sentence GLEU (n = 1..4) over jieba search-mode tokens (needs the `jieba` package)."""
    if not isinstance(response, str) or not isinstance(reference, str):
        return 0
    import jieba

    return _sentence_gleu(list(jieba.cut_for_search(response)), list(jieba.cut_for_search(reference)))


def _sentence_gleu(reference: list[str], hypothesis: list[str], max_n: int = 4) -> float:
    """min(precision, recall) of n-gram matches summed over n = 1..max_n (NLTK's definition)."""
    matches = hyp_total = ref_total = 0
    for n in range(1, max_n + 1):
        hyp = Counter(tuple(hypothesis[i : i + n]) for i in range(len(hypothesis) - n + 1))
        ref = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
        matches += sum((hyp & ref).values())
        hyp_total += sum(hyp.values())
        ref_total += sum(ref.values())
    denominator = max(hyp_total, ref_total)
    return matches / denominator if denominator else 0.0
