"""Set, sequence and dict metrics (equality, Jaccard, precision, prefix ratio, per-key aggregates)."""

from __future__ import annotations

from collections.abc import Callable
from numbers import Number
from typing import Any

from orsta_bench.megabench.metrics.conversions import (
    cast_to_dict,
    cast_to_set,
    set_relevance,
    str_to_list,
    str_to_set,
)
from orsta_bench.megabench.metrics.geometry import nbbox_iou_tuple
from orsta_bench.megabench.metrics.strings import exact_str_match


def set_equality(response: Any, reference: Any) -> float:
    return 1 if cast_to_set(response) == cast_to_set(reference) else 0


def set_equality_case_insensitive(response: Any, reference: Any) -> float:
    try:
        pred = {item.upper() for item in cast_to_set(response)}
        gold = {item.upper() for item in cast_to_set(reference)}
    except AttributeError:
        return 0
    return 1 if pred == gold else 0


def str_set_equality_line_break(response: Any, reference: Any) -> float:
    """Case-insensitive equality of the sets of lines (a literal "\\n" counts as a break)."""
    reference = reference.replace("\\n", "\n")
    response = response.replace("\\n", "\n")
    return 1 if {x.lower() for x in response.split("\n")} == {x.lower() for x in reference.split("\n")} else 0


def str_set_equality_comma(response: Any, reference: Any) -> float:
    def lower(items: Any) -> set:
        return {x.lower() if isinstance(x, str) else x for x in items}

    return 1 if lower(str_to_set(response)) == lower(str_to_set(reference)) else 0


def jaccard_index(response: Any, reference: Any) -> float:
    if response is None:
        return 0
    return set_relevance(cast_to_set(response), cast_to_set(reference), "union")


def _squash(text: str) -> str:
    for char in (" ", "-", "\n", "\t", "_", "."):
        text = text.replace(char, "")
    return text.lower()


def jaccard_index_case_insensitive(response: Any, reference: Any) -> float:
    """Lower-cased strings, or tuples of squashed strings; other target types score 0."""
    if response is None:
        return 0
    pred, gold = cast_to_set(response), cast_to_set(reference)
    first = list(gold)[0]  # an empty reference raises -> 0, as upstream
    if isinstance(first, str):
        pred = {str(x).lower() for x in pred}
        gold = {x.lower() for x in gold}
    elif isinstance(first, tuple):
        try:
            pred = {tuple(_squash(item) for item in res) for res in pred}
        except Exception:
            return 0
        gold = {tuple(_squash(item) for item in tgt) for tgt in gold}
    else:
        return 0
    return set_relevance(pred, gold, "union")


def set_precision(response: Any, reference: Any) -> float:
    if response is None:
        return 0
    return set_relevance(cast_to_set(response), cast_to_set(reference), "pred")


def chess_move_list_jaccard_index(response: Any, reference: Any) -> float:
    """Jaccard over SAN moves with trailing "!" then "#" removed."""
    if response is None:
        return 0

    def moves(text: Any) -> set:
        return {move.removesuffix("!").removesuffix("#") for move in str_to_set(text)}

    return set_relevance(moves(response), moves(reference), "union")


def sequence_equality(response: Any, reference: Any) -> float:
    response = str(response)
    return 1 if str_to_list(response) == str_to_list(reference) else 0


def sequence_equality_case_insensitive(response: Any, reference: Any) -> float:
    response = str(response)
    pred = [x.lower() if isinstance(x, str) else str(x) for x in str_to_list(response)]
    gold = [x.lower() for x in str_to_list(reference)]
    return 1 if pred == gold else 0


def sequence_accuracy_case_insensitive(response: Any, reference: Any) -> float:
    """Fraction of positions equal (strings case-insensitively); lengths must agree."""
    pred, gold = str_to_list(response), str_to_list(reference)
    if len(pred) != len(gold):
        return 0
    correct = 0
    for res, tgt in zip(pred, gold, strict=False):
        if isinstance(tgt, str):
            correct += res.lower() == tgt.lower()
        elif isinstance(tgt, Number) and isinstance(res, Number):
            correct += res == tgt
    return correct / len(gold)


def longest_common_list_prefix_ratio(response: Any, reference: Any) -> float:
    pred, gold = str_to_list(response), str_to_list(reference)
    prefix = 0
    for a, b in zip(pred, gold, strict=False):
        if a != b:
            break
        prefix += 1
    return prefix / len(gold)


def dict_equality(response: Any, reference: Any) -> float:
    pred, gold = cast_to_dict(response), cast_to_dict(reference)
    if not isinstance(pred, dict):
        return 0
    return 1 if pred == gold else 0


def dict_precision(response: Any, reference: Any) -> float:
    pred, gold = cast_to_dict(response), cast_to_dict(reference)
    if not isinstance(pred, dict) or not pred:
        return 0
    matched = sum(1 for key, value in pred.items() if key in gold and exact_str_match(value, gold[key]))
    return matched / len(pred)


def dict_exact_str_match_agg_recall(response: Any, reference: Any) -> float:
    pred, gold = cast_to_dict(response), cast_to_dict(reference)
    if not isinstance(pred, dict):
        return 0
    return sum(exact_str_match(pred.get(key), answer) for key, answer in gold.items()) / len(gold)


def _per_key_mean(inner: Callable[[Any, Any], float], response: Any, reference: Any) -> float:
    """Mean of `inner` over the union of keys; a missing side defaults to []."""
    pred, gold = cast_to_dict(response), cast_to_dict(reference)
    if not isinstance(pred, dict):
        return 0
    keys = set(pred) | set(gold)
    return sum(inner(pred.get(k, []), gold.get(k, [])) for k in keys) / len(keys)


def dict_jaccard_agg_jaccard(response: Any, reference: Any) -> float:
    return _per_key_mean(jaccard_index, response, reference)


def dict_set_equality_agg_jaccard(response: Any, reference: Any) -> float:
    return _per_key_mean(set_equality, response, reference)


def dict_nbbox_iou_tuple_agg_jaccard(response: Any, reference: Any) -> float:
    return _per_key_mean(nbbox_iou_tuple, response, reference)
