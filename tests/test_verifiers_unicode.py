"""Every native verifier reads full-width and other compatibility characters as NFKC does
(`１２` = `12`, `Ｂ` = `B`), in the response and in the reference alike; MEGA-Bench and V-Triune
compatible verifiers keep the official, unnormalised behaviour."""

import pytest

from orsta_bench.reward import score
from orsta_bench.verifiers.extract import normalise_reference, normalise_unicode
from orsta_bench.verifiers.registry import verifier_names

COMPATIBLE_PREFIXES = ("megabench", "vtriune.")
BOX = [{"bbox_2d": [10, 20, 30, 40], "label": "cat"}]

# verifier -> (response, reference, params, expected accuracy); the response's letters and digits
# are then written full-width. Each verifier has a right and a wrong answer.
CASES = {
    "math": [(r"\boxed{12}", "12", {}, 1.0), (r"\boxed{13}", "12", {}, 0.0)],
    "count": [("There are 12 cats", 12, {}, 1.0), ("There are 13 cats", 12, {}, 0.0)],
    "number": [("Answer: 12.5", "12.5", {}, 1.0), ("Answer: 12.6", "12.5", {}, 0.0)],
    "exact": [("Answer: Paris", "paris", {}, 1.0), ("Answer: Rome", "paris", {}, 0.0)],
    "choice": [("Answer: B", "B", {}, 1.0), ("(C)", "B", {}, 0.0)],
    "ocr": [("STOP 12", "stop 12", {}, 1.0), ("STOP 13", "stop 12", {"mode": "exact"}, 0.0)],
    "iou": [("[10, 20, 30, 40]", [10, 20, 30, 40], {}, 1.0), ("[500, 500, 600, 600]", [10, 20, 30, 40], {}, 0.0)],
    "detection": [('[{"bbox_2d": [10, 20, 30, 40], "label": "cat"}]', BOX, {}, 1.0),
                  ('[{"bbox_2d": [10, 20, 30, 40], "label": "dog"}]', BOX, {}, 0.0)],
}


def full_width(text: str) -> str:
    """ASCII letters and digits as their full-width forms (U+FF10.., U+FF21.., U+FF41..)."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def native_verifiers() -> list[str]:
    return [name for name in verifier_names() if not name.startswith(COMPATIBLE_PREFIXES)]


def test_every_native_verifier_has_a_unicode_case():
    assert sorted(CASES) == native_verifiers()


@pytest.mark.parametrize("verifier", sorted(CASES))
def test_full_width_answers_score_as_ascii(verifier):
    for response, reference, params, expected in CASES[verifier]:
        plain = score(verifier, response, reference, params)
        wide = score(verifier, full_width(response), reference, params)
        assert plain.status.value == "ok" and plain.accuracy == expected, (response, plain)
        assert (wide.status.value, wide.accuracy, wide.parsed) == ("ok", expected, plain.parsed), (response, wide)


@pytest.mark.parametrize("verifier", sorted(CASES))
def test_full_width_references_score_as_ascii(verifier):
    for response, reference, params, expected in CASES[verifier]:
        wide_reference = full_width_reference(reference)
        result = score(verifier, response, wide_reference, params)
        assert (result.status.value, result.accuracy) == ("ok", expected), (reference, result)


def full_width_reference(reference):
    """The reference with its strings written full-width (numbers stay numbers)."""
    if isinstance(reference, str):
        return full_width(reference)
    if isinstance(reference, list):
        return [full_width_reference(item) for item in reference]
    if isinstance(reference, dict):
        return {key: full_width_reference(value) for key, value in reference.items()}
    return reference


def test_superscript_digits_become_powers_not_longer_numbers():
    assert normalise_unicode("10³") == "10^3" and normalise_unicode("x¹²+1") == "x^{12}+1"
    assert score("math", r"\boxed{2³}", "8").accuracy == 1.0
    assert score("math", r"\boxed{10³}", "103").accuracy == 0.0  # plain NFKC would read 103
    assert normalise_unicode("H₂O ﬁ\u00a0") == "H2O fi "  # other compatibility forms: NFKC


def test_reference_normalisation_is_bounded_and_keeps_non_strings():
    assert normalise_reference({"a": ["Ｂ", 1, None]}) == {"a": ["B", 1, None]}
    deep: list = ["Ｂ"]
    for _ in range(1_000):
        deep = [deep]
    assert normalise_reference(deep) is not None  # no RecursionError


@pytest.mark.parametrize(("verifier", "response", "reference"), [
    ("vtriune.mathverify", r"\boxed{１２}", "12"),
    ("megabench.exact_str_match", "１２", "12"),
])
def test_compatible_verifiers_keep_the_official_unnormalised_reading(verifier, response, reference):
    ascii_twin = response.replace("１２", "12")
    assert score(verifier, ascii_twin, reference).accuracy == 1.0
    assert score(verifier, response, reference).accuracy == 0.0
