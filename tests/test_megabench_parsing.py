"""MEGA-Bench response parsers: official behaviour (quirks included) and the strict-mode fix."""

import pytest

from orsta_bench.megabench.parsing import NotALiteral, literal, parse_json, parse_response

ONE = {"answer": "16"}


def parse(parser, text, answer=ONE, mode="compatible"):
    return parse_response(parser, text, answer, mode)


def test_answer_string_takes_the_last_answer():
    assert parse("answer_string", "Answer: 3\nwait, answer: 16") == ({"answer": "16"}, True)


def test_bold_answer_quirk_and_strict_fix():
    assert parse("answer_string", "Reasoning.\n**Answer:** 16")[0] == {"answer": ""}
    assert parse("answer_string", "Reasoning.\n**Answer:** 16", mode="strict")[0] == {"answer": "16"}
    assert parse("answer_string", "**Answer: 16**")[0] == {"answer": "16"}


def test_first_paragraph_rule_for_single_line_references():
    assert parse("answer_string", "Answer: B\n\nBecause the cat", {"a": "B"})[0] == {"a": "B"}
    assert parse("answer_string", "Answer: B\nBecause", {"a": "B"})[0] == {"a": "B\nBecause"}
    # a multi-line reference keeps everything
    assert parse("answer_string", "Answer: B\n\nmore", {"a": "x\ny"})[0] == {"a": "B\n\nmore"}


def test_code_block_json_and_quotes():
    assert parse("answer_string", "Answer: ```python\nprint(1)\n```")[0] == {"answer": "print(1)"}
    assert parse("answer_string", "Answer: [1, 2]")[0] == {"answer": "[1, 2]"}  # str() of the list
    assert parse("answer_string", "Answer: [oops")[0] == {"answer": "[oops"}
    assert parse("answer_string", "Answer: 'cat'")[0] == {"answer": "cat"}
    assert parse("answer_string", "no marker at all  ")[0] == {"answer": "no marker at all"}


def test_verbatim_keeps_leading_space():
    assert parse("verbatim_answer_string", "Answer: 66.5")[0] == {"answer": " 66.5"}
    assert parse("verbatim_answer_string", "Answer:66.5")[0] == {"answer": "66.5"}
    assert parse("ascii_answer_string", "Answer:\n  /\\\n /  \\\n")[0] == {"answer": "  /\\\n /  \\"}


def test_hash_fields_are_not_answer_fields():
    assert parse("answer_string", "Answer: 4", {"n": "4", "##meta": "x"})[0] == {"n": "4"}
    with pytest.raises(ValueError):
        parse("answer_string", "Answer: 4", {"a": "1", "b": "2"})


def test_json_parser_last_valid_candidate_and_failure():
    assert parse("json", 'Answer: {"a": 1} and {"a": 2}', {"a": "1"}) == ({"a": 2}, True)
    assert parse("json", "Answer: {'a': 'x'}", {"a": "x"}) == ({"a": "x"}, True)
    assert parse("json", '```json\n{"a": "3"}\n```', {"a": "3"}) == ({"a": "3"}, True)
    text = 'Answer:\n{\n  "a": 1\n}'  # only the rest of the Answer: line is read -> fails
    assert parse("json", text, {"a": "1", "b": "2"}) == ({"a": text, "b": text}, False)


def test_dummy_and_unknown_parser():
    assert parse("dummy", "  hello \n") == ("hello", True)
    with pytest.raises(ValueError, match="unknown response_parse_function"):
        parse("yaml", "x")


def test_hostile_inputs_do_not_hang_or_eval():
    assert isinstance(parse_json("[" * 5000 + "]" * 5000), (list, dict))  # bounded, no crash
    with pytest.raises(NotALiteral):
        literal("__import__('os').system('true')")
    with pytest.raises(NotALiteral):
        literal("1" * 300_000)
    assert parse("answer_string", "Answer: " + "{" * 3000)[0]["answer"].startswith("{")
