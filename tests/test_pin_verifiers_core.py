"""Pins of verifiers/base.py and registry.py (issue 22): the shared opening of every native
verifier (params, format rewards, no_answer / parse_error details, the decorators) and the
verifier registry (families, params validation). Values are the documented rules applied by hand.
verifiers/megabench.py: tests/test_pin_verifiers_megabench.py."""

from __future__ import annotations

import copy

import pytest
from pydantic import BaseModel

from orsta_bench.reward import score
from orsta_bench.score import Score, Status
from orsta_bench.verifiers.base import (
    CommonParams,
    ConfigError,
    detection_tags_ok,
    format_score,
    think_answer_format,
    unparsable,
    vtriune_format,
)
from orsta_bench.verifiers.registry import (
    get_verifier,
    register_verifier,
    validate_verifier_params,
    verifier_names,
)


@pytest.fixture
def scratch_registry(monkeypatch):
    """The verifier registry as it is, with whatever a test registers dropped afterwards."""
    from orsta_bench.verifiers import registry

    registry.verifier_names()  # built-ins registered first, into the real registry
    monkeypatch.setattr(registry, "_REGISTRY", copy.copy(registry._REGISTRY))


# --- base.py: format rewards ------------------------------------------------------------------

@pytest.mark.parametrize(("response", "expected"), [
    ("<think>\nx\n</think>\n<answer>\n4\n</answer>", 1.0),
    ("<think>\nx\n</think>\n", 0.5),  # two of the four tags
    ("<think>\n<think>\nx\n</think>\n<answer>\n4\n</answer>", 0.75),  # a doubled tag earns nothing
    ("\n<answer>\n4", 0.25),
    ("4\n</answer>", 0.25),
    ("<think>x</think><answer>4</answer>", 0.0),  # newline-sensitive
])
def test_vtriune_format_is_a_quarter_per_tag_seen_exactly_once(response, expected):
    assert vtriune_format(response) == expected
    assert format_score("vtriune", response, True) == expected


@pytest.mark.parametrize(("response", "expected"), [
    ("\n<answer>\n[]\n</answer>", True),
    ("<answer>\n[]\n</answer>", False),  # the opening tag needs its newline before
    ("\n<answer>\n[]", False),  # no closing tag
    ("\n<answer>\n[]\n</answer>\n</answer>", False),  # closing tag twice
    ("\n<answer>\n\n<answer>\n[]\n</answer>", True),  # the opening tag may repeat
])
def test_detection_tags_need_the_open_tag_and_one_close_tag(response, expected):
    assert detection_tags_ok(response) is expected


def test_detection_format_also_needs_a_found_answer():
    tagged = "\n<answer>\n[]\n</answer>"
    assert format_score("detection", tagged, True) == 1.0
    assert format_score("detection", tagged, False) == 0.0
    assert format_score("detection", "<answer>[]</answer>", True) == 0.0


@pytest.mark.parametrize(("response", "expected"), [
    ("<think>a</think><answer>b</answer>", 1.0),
    ("<think>a</think> then <answer>b</answer> done", 1.0),
    ("<answer>b</answer><think>a</think>", 0.0),  # out of order
    ("<think>a</think><answer>b</answer><answer>c</answer>", 0.0),  # a tag twice
    ("<think>a</think>b</answer>", 0.0),  # a tag missing
    ("<think><answer></think>b</answer>", 0.0),  # interleaved: </think> after <answer>
])
def test_think_answer_format_wants_each_tag_once_in_order(response, expected):
    assert think_answer_format(response) == expected
    assert format_score("think_answer", response, True) == expected


def test_boxed_and_none_formats_and_non_text():
    assert format_score("boxed", r"so \boxed{4}", False) == 1.0
    assert format_score("boxed", "so 4", True) == 0.0
    assert format_score("none", "<think>\nx\n</think>\n<answer>\n4\n</answer>", True) == 0.0
    assert format_score("vtriune", None, True) == 0.0  # type: ignore[arg-type]


def test_an_unknown_format_kind_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown format_reward 'tags'"):
        format_score("tags", "x", True)


def test_an_unknown_format_reward_param_is_a_record_error():
    result = score("count", "4", 4, {"format_reward": "tags"})
    assert result.status == Status.ERROR
    assert "format_reward" in result.detail


# --- base.py: statuses and details of the shared opening ----------------------------------------

def test_no_answer_says_empty_response_or_names_the_format():
    empty = score("count", "  \n ", 4)
    assert (empty.status, empty.detail, empty.extractor) == (Status.NO_ANSWER, "empty response", "none")
    missing = score("count", "four dogs", 4, {"answer_format": "boxed"})
    assert (missing.status, missing.detail) == (Status.NO_ANSWER, "no answer found (answer_format=boxed)")
    assert (missing.accuracy, missing.value) == (0.0, 0.0)


def test_no_answer_still_gets_its_format_part():
    """A response without an answer can still earn the format part it asked for (here 3 of 4 tags)."""
    result = score("count", "<think>\nx\n</think>\n<answer>\n", 4,
                   {"answer_format": "boxed", "format_reward": "vtriune",
                    "reward": {"accuracy_weight": 1.0, "format_weight": 1.0}})
    assert result.status == Status.NO_ANSWER
    assert result.format == 0.75


def test_parse_error_detail_shows_the_answer_up_to_80_characters():
    params = CommonParams()
    short = unparsable("r", params, "a" * 80, "a number", "plain")
    assert short.detail == f"answer {'a' * 80!r} is not a number"
    assert (short.parsed, short.extractor, short.status) == ("a" * 80, "plain", Status.PARSE_ERROR)
    long = unparsable("r", params, "b" * 81, "a number", "plain")
    assert long.parsed == "b" * 77 + "..."
    assert long.detail == f"answer {'b' * 77 + '...'!r} is not a number"
    assert (long.accuracy, long.value, long.format) == (0.0, 0.0, 0.0)


def test_a_parse_error_earns_no_detection_format():
    """result(): without an explicit answer_found, only status ok counts as a found answer."""
    tagged = "\n<answer>\nmany\n</answer>"
    assert score("count", tagged, 4, {"format_reward": "detection"}).format == 0.0
    assert score("count", "\n<answer>\n4\n</answer>", 4, {"format_reward": "detection"}).format == 1.0


def test_a_score_carries_value_accuracy_parsed_and_extractor():
    result = score("count", r"I count \boxed{4}", 4)
    assert (result.value, result.accuracy, result.status) == (1.0, 1.0, Status.OK)
    assert (result.parsed, result.extractor, result.detail, result.parts) == (4, "boxed", "", {})


def test_bad_params_are_a_record_error_naming_the_field():
    result = score("count", "4", 4, {"bogus": 1})
    assert result.status == Status.ERROR
    assert "params.bogus" in result.detail


def test_reference_and_response_are_unicode_normalised():
    """native_verifier: NFKC on both sides, so full-width text matches ASCII either way round."""
    assert score("exact", "Ｐａｒｉｓ", "Paris").accuracy == 1.0
    assert score("exact", "Paris", ["Ｐａｒｉｓ"]).accuracy == 1.0
    assert score("exact", "Paris", "Ｌｏｎｄｏｎ").accuracy == 0.0


def test_native_verifier_description_is_the_judges_docstring():
    assert get_verifier("count").description == (
        "Integer match: the last whole number (or number word) in the answer equals the reference.")
    assert get_verifier("count").params_model.__name__ == "CountParams"


# --- registry.py ----------------------------------------------------------------------------------

def test_builtin_names_are_listed_sorted():
    names = verifier_names()
    assert names == sorted(names)
    assert {"count", "number", "exact", "choice", "ocr", "math", "iou", "detection", "megabench",
            "vtriune.mathverify", "vtriune.detection"} <= set(names)


def test_a_family_name_resolves_lazily_and_unknown_members_are_unknown():
    entry = get_verifier("megabench.exact_str_match")
    assert entry.name == "megabench.exact_str_match"
    assert entry.params_model is None
    assert entry.description == "MEGA-Bench metric exact_str_match on (response, reference) strings."
    with pytest.raises(KeyError, match="unknown verifier 'megabench.no_such_metric'"):
        get_verifier("megabench.no_such_metric")
    with pytest.raises(KeyError, match="unknown verifier 'count.x'"):
        get_verifier("count.x")  # a registered name is not a family prefix
    with pytest.raises(KeyError, match="unknown verifier 'megabench.'"):
        get_verifier("megabench.")


def test_registering_records_name_params_model_and_first_doc_line(scratch_registry):
    class Knobs(BaseModel):
        level: int = 0

    @register_verifier("pin_core_test_verifier", Knobs)
    def pinned(response, reference, params, context):
        """Scores nothing.

        Only here to test the registry."""
        return Score()

    entry = get_verifier("pin_core_test_verifier")
    assert (entry.name, entry.fn, entry.params_model, entry.description) == (
        "pin_core_test_verifier", pinned, Knobs, "Scores nothing.")
    with pytest.raises(RuntimeError, match="registered twice"):
        register_verifier("pin_core_test_verifier")(pinned)


def test_validate_verifier_params():
    validate_verifier_params("number", {"rel_tol": 0.05, "reward": {"format_weight": 1}})  # fine
    validate_verifier_params("megabench.exact_str_match", {"anything": 1})  # no params model
    with pytest.raises(ValueError, match=r"^verifier 'number': params\.rel_tol: "):
        validate_verifier_params("number", {"rel_tol": -1})
    with pytest.raises(ValueError, match=r"^unknown verifier 'nmuber'; did you mean number"):
        validate_verifier_params("nmuber", {})


# --- base.py: the decorators, applied at test time (the built-ins apply them at import) ----------

class Tolerance(CommonParams):
    slack: int = 0


def test_answer_verifier_runs_params_prepare_extract_then_judge(scratch_registry):
    """The shared opening in order: params validated, prepare(reference, params, context), the
    answer extracted in params.answer_format (no_answer without one), then judge(answer, ...)."""
    from orsta_bench.verifiers.base import Answer, answer_verifier, result

    calls = []

    def prepare(reference, p, context):
        calls.append(("prepare", reference, p.slack, context))
        return int(reference) + p.slack

    @answer_verifier("pin_core_within", Tolerance, prepare)
    def within(answer: Answer, limit: int, p: Tolerance) -> Score:
        """Accepts an answer up to the prepared limit.

        Second line."""
        calls.append(("judge", answer, limit, p.slack))
        return result(1.0 if int(answer.text) <= limit else 0.0, answer.response, p,
                      extractor=answer.extractor)

    entry = get_verifier("pin_core_within")
    assert (entry.params_model, entry.description) == (Tolerance, "Accepts an answer up to the prepared limit.")
    assert within.__name__ == "within"
    response = r"<think>x</think> so \boxed{ 7 }"
    scored = entry.fn(response, "5", {"slack": 2, "answer_format": "boxed", "reward": {}}, {"k": 1})
    assert (scored.accuracy, scored.extractor) == (1.0, "boxed")
    assert calls == [("prepare", "5", 2, {"k": 1}), ("judge", Answer(response, "7", "boxed"), 7, 2)]
    assert entry.fn(r"\boxed{8}", "5", {"slack": 2}, {}).accuracy == 0.0
    # no answer in the asked format: the judge is not called, the extractor is "none"
    calls.clear()
    missing = entry.fn("7", "5", {"answer_format": "boxed", "format_reward": "boxed"}, {})
    assert (missing.status, missing.extractor, missing.format) == (Status.NO_ANSWER, "none", 0.0)
    assert missing.detail == "no answer found (answer_format=boxed)"  # the response, not an empty one
    assert [c[0] for c in calls] == ["prepare"]
    with pytest.raises(ConfigError, match=r"params\.slack"):
        entry.fn(r"\boxed{7}", "5", {"slack": "lots"}, {})


def test_answer_verifier_without_prepare_hands_the_reference_over(scratch_registry):
    from orsta_bench.verifiers.base import answer_verifier, result

    seen = []

    @answer_verifier("pin_core_plain", CommonParams)
    def plain(answer, reference, p):
        """Echo."""
        seen.append(reference)
        return result(0.5, answer.response, p, extractor=answer.extractor)

    assert get_verifier("pin_core_plain").fn("x", ["Ａ", 1], {}, {}).accuracy == 0.5
    assert seen == [["A", 1]]  # the reference as given, Unicode-normalised


def test_native_verifier_normalises_both_sides_and_registers(scratch_registry):
    from orsta_bench.verifiers.base import native_verifier

    seen = []

    @native_verifier("pin_core_native", Tolerance)
    def raw(response, reference, params, context):
        """Raw."""
        seen.append((response, reference, params, context))
        return Score()

    entry = get_verifier("pin_core_native")
    assert (entry.params_model, entry.description, raw.__name__) == (Tolerance, "Raw.", "raw")
    entry.fn("１０³", {"a": ["Ｂ"]}, {"p": 1}, {"c": 2})
    assert seen == [("10^3", {"a": ["B"]}, {"p": 1}, {"c": 2})]


def test_no_answer_keeps_the_extractor_that_found_nothing():
    """An answer_format that reads an empty answer (a bare fence, nothing after </think>) reports
    its own extractor with the no_answer status."""
    plain = score("count", "<think>x</think>  ", 4, {"answer_format": "plain"})
    assert (plain.status, plain.extractor) == (Status.NO_ANSWER, "plain")
    assert plain.detail == "no answer found (answer_format=plain)"
    fenced = score("count", "``````", 4, {"answer_format": "json"})
    assert (fenced.status, fenced.extractor) == (Status.NO_ANSWER, "json")


def test_result_and_no_answer_called_directly():
    from orsta_bench.verifiers.base import no_answer, result

    detection = CommonParams(format_reward="detection")
    tagged = "\n<answer>\n[]\n</answer>"
    made = result(0.7, tagged, detection, extractor="x", parts={"iou": 0.7})
    assert (made.value, made.accuracy, made.format, made.parts) == (0.7, 0.7, 1.0, {"iou": 0.7})
    # answer_found overrides the status's verdict either way
    assert result(0.0, tagged, detection, extractor="x", answer_found=False).format == 0.0
    assert result(0.0, tagged, detection, status=Status.PARSE_ERROR, extractor="x", answer_found=True).format == 1.0
    assert result(0.0, tagged, detection, status=Status.PARSE_ERROR, extractor="x").format == 0.0
    assert no_answer(None, CommonParams(), "none").detail == "empty response"  # type: ignore[arg-type]
    boxed = CommonParams(format_reward="boxed")
    assert unparsable(r"\boxed{many}", boxed, "many", "a number", "boxed").format == 1.0
    assert no_answer(r"\boxed{ }", boxed, "boxed").format == 1.0


def test_a_family_registered_at_test_time_gets_the_whole_name(scratch_registry, monkeypatch):
    from orsta_bench.verifiers import registry

    monkeypatch.setattr(registry, "_FAMILIES", dict(registry._FAMILIES))
    asked = []

    def resolve(name):
        asked.append(name)
        return None if name.endswith(".none") else registry.VerifierEntry(name, lambda *a: Score(), None, "")

    registry.register_verifier_family("pinfam", resolve)
    assert get_verifier("pinfam.a.b").name == "pinfam.a.b"
    with pytest.raises(KeyError, match="unknown verifier 'pinfam.none'"):
        get_verifier("pinfam.none")
    assert asked == ["pinfam.a.b", "pinfam.none"]

