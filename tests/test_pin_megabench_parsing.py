"""Pins of megabench.parsing found by mutation testing (scripts/mutation.sh).

Each expected value in OFFICIAL was produced by the official MEGA-Bench response parsers
(TIGER-AI-Lab/MEGA-Bench, `ResponseParseType.parse`) on the same response and answer, so every
case pins one official behaviour: which "Answer:" wins, how ascii/verbatim parsers trim blank
lines and code fences, the first-paragraph rule, the JSON candidate search (last candidate,
```json blocks, quote fixing, JSON nested inside string values).
"""

import pytest

from orsta_bench.megabench.parsing import (
    MAX_LITERAL_CHARS,
    NotALiteral,
    answer_content,
    code_block_content,
    evaluate_as_string,
    literal,
    parse_json,
    parse_response,
)

# (parser, response, answer, what the official parser returns)
OFFICIAL = [
    ('verbatim_answer_string', 'Answer:\n```\n  ab  \n\n```', {'a': 'x\ny'}, {'a': '  ab  '}),
    ('ascii_answer_string', 'Answer:\n```\n  ab  \n\n```', {'a': 'x\ny'}, {'a': '  ab'}),
    ('verbatim_answer_string', 'Answer:\n  ab  \n \n\n', {'a': 'x\ny'}, {'a': '  ab  '}),
    ('ascii_answer_string', 'Answer:\n  ab  \n \n\n', {'a': 'x\ny'}, {'a': '  ab'}),
    ('ascii_answer_string', 'Answer:\n\n\n x\n\n  \n y \n\n', {'a': 'x\ny'}, {'a': ' x\n\n y'}),
    ('verbatim_answer_string', 'Answer:\n\n\n x\n\n  \n y \n\n', {'a': 'x\ny'}, {'a': ' x\n\n y '}),
    ('ascii_answer_string', 'Answer: ```\n x\n```', {'a': 'x'}, {'a': ' x'}),
    ('answer_string', 'Answer: ```\n x\n\n```', {'a': 'x'}, {'a': 'x'}),
    ('answer_string', 'Answer: ```py\nline1\nline2\n```', {'a': 'x'}, {'a': 'line1\nline2'}),
    ('ascii_answer_string', 'Answer: ```py\nline1\nline2\n```', {'a': 'x'}, {'a': 'line1\nline2'}),
    ('json', '{"a": "{\\"b\\": 1}"}', {'a': 1}, {'a': {'b': 1}}),
    ('json', '{\'a\': \'{"b": [1, 2]}\'}', {'a': 1}, {'a': '{"b": [1, 2]}'}),
    ('json', '{"a": "it\\"s", "b": "{\\"c\\": \\"d\\"}"}', {'a': 1}, {'a': 'it"s', 'b': {'c': 'd'}}),
    ('json', "{'a': 'it\\'s'}", {'a': 1}, {'a': "it's"}),
    ('json', '{"a": "x\\\\"}', {'a': 1}, {'a': 'x\\'}),
    ('json', 'first {"a": 1} then {"a": 2}', {'a': 1}, {'a': 2}),
    ('json', "{'a': 'x'}", {'a': 1}, {'a': 'x'}),
    ('json', '{\'a\': "don\'t"}', {'a': 1}, {'a': "don't"}),
    ('json', 'Some intro\nAnswer: {"a": 3}\nAnswer: {"a": 4}', {'a': 1}, {'a': 3}),
    ('json', '```json\n{"a": 5}\n```\n{"a": 6}', {'a': 1}, {'a': 5}),
    ('json', '```JSON\n{"a": 5}\n```', {'a': 1}, {'a': 5}),
    ('json', '{"a": "\'B\'"}', {'a': 1}, {'a': 'B'}),
    ('answer_string', 'Answer: 1\nthen Answer: 2', {'a': '2'}, {'a': '2'}),
    ('answer_string', 'Answer: abc\n\nmore', {'a': 'abc'}, {'a': 'abc'}),
    ('answer_string', 'Answer: abc, def\n\nmore', {'a': 'abc'}, {'a': 'abc, def'}),
    ('answer_string', 'Answer: (b)\n\nmore', {'a': 'b'}, {'a': '(b)'}),
    ('answer_string', 'Answer: abc.\n\nmore', {'a': 'b'}, {'a': 'abc.'}),
    ('answer_string', 'Answer: {"k": 1}', {'a': 'b'}, {'a': "{'k': 1}"}),
    ('answer_string', 'Answer: {}', {'a': 'b'}, {'a': '{}'}),
    ('answer_string', 'Answer: []', {'a': 'b'}, {'a': '[]'}),
    ('answer_string', 'Answer: {oops}', {'a': 'b'}, {'a': '{oops}'}),
    ('answer_string', 'Answer: [oops]', {'a': 'b'}, {'a': '[oops]'}),
    ('answer_string', 'Answer: "q"', {'a': ['x']}, {'a': 'q'}),
    ('answer_string', 'Answer: abc\n\nmore', {'a': ['x']}, {'a': 'abc'}),
    ('answer_string', "Answer: 'x'\nAnswer:", {'a': 'b'}, {'a': ''}),
    ('answer_string', 'answer: 7', {'a': 'b'}, {'a': '7'}),
    ('answer_string', '**Answer: 7** extra', {'a': 'b'}, {'a': '7'}),
    ('answer_string', '*Answer: 7* extra', {'a': 'b'}, {'a': '7'}),
    ('ascii_answer_string', '**Answer:** \n ab\n', {'a': 'b'}, {'a': ''}),
    ('ascii_answer_string', 'Answer:\n ab\n', {'a': 'b'}, {'a': ' ab'}),
    ('verbatim_answer_string', 'Answer:\n ab\n  \n', {'a': 'b'}, {'a': ' ab'}),
    ('answer_string', '   ', {'a': 'b'}, {'a': ''}),
    ('ascii_answer_string', '   \n ', {'a': 'b'}, {'a': ''}),
    ('answer_string', 'x\nAnswer:5 \n\nfoo', {'a': '5'}, {'a': '5'}),
    ('answer_string', 'hello world\n\nfoo', {'a': '5'}, {'a': 'hello world'}),
    ('answer_string', '\n\nabc\n\nfoo', {'a': '5'}, {'a': 'abc'}),
    ('answer_string', '\nabc\n\nfoo', {'a': '5'}, {'a': 'abc'}),
    ('answer_string', 'abc\n', {'a': '5'}, {'a': 'abc'}),
    ('answer_string', 'Answer:Answer: 5', {'a': '5'}, {'a': '5'}),
    ('answer_string', 'answer:Answer: 5', {'a': '5'}, {'a': '5'}),
    ('ascii_answer_string', 'Answer:Answer: 5', {'a': '5'}, {'a': ' 5'}),
    ('answer_string', 'Answer: abc\ndef\n\nmore', {'a': 'b'}, {'a': 'abc\ndef\n\nmore'}),
    ('answer_string', 'Answer: (b c)\n\nmore', {'a': 'b'}, {'a': '(b c)\n\nmore'}),
    ('answer_string', 'Answer: !x\n\nmore', {'a': 'b'}, {'a': '!x\n\nmore'}),
    ('answer_string', 'Answer: B\n\nmore', {'a': 'b'}, {'a': 'B'}),
    ('json', '{"a": "{\\"b\\": \\"it\'s\\"}"}', {'a': 1}, {'a': {'b': "it's"}}),
    ('json', "{'a': '{\\'b\\': 1}', 'c': 'x\\'y'}", {'a': 1}, {'a': "{'b': 1}", 'c': "x'y"}),
    ('json', '{"a": "[1, \\"x\\"]", "b": "plain", "c": "{\\"d\\": [2]}"}', {'a': 1}, {'a': [1, 'x'], 'b': 'plain', 'c': {'d': [2]}}),
    ('json', '{"a": "{}", "b": "[\\"p\\"]"}', {'a': 1}, {'a': {}, 'b': ['p']}),
    ('json', '{"s": "say \\"hi\\"", "t": "{\\"u\\": 1}"}', {'a': 1}, {'s': 'say "hi"', 't': {'u': 1}}),
    ('json', "{'s': 'it\\'s', 't': '[1]'}", {'a': 1}, {'s': "it's", 't': '[1]'}),
    ('json', '{"a": "1", "b": "{\\"c\\": 2}"}', {'a': 1}, {'a': '1', 'b': {'c': 2}}),
    ('json', '{"a": "\\"q\\"", "b": "{\\"c\\": \\"\\\\\\"x\\"}"}', {'a': 1}, {'a': 'q', 'b': '{"c": "\\"x"}'}),
    ('json', '```text\n{"a": 1}\n```\n{"a": 2}', {'a': 1}, {'a': 2}),
    ('json', "{'a': true, 'b': null}", {'a': 1}, {'a': True, 'b': None}),
    ('json', '{"a": "{\\"b\\": \\"it\\\'s\\"}"}', {'a': 1}, {'a': {'b': "it's"}}),
    ('answer_string', 'Answer: {} is empty', {'a': 'b'}, {'a': '{}'}),
    ('answer_string', 'Answer: [] is empty', {'a': 'b'}, {'a': '[]'}),
]


@pytest.mark.parametrize(("parser", "response", "answer", "expected"), OFFICIAL)
def test_parser_equals_official_parser(parser, response, answer, expected):
    """Compatible mode gives exactly what the official parser gives on the same response."""
    parsed, ok = parse_response(parser, response, answer)
    assert parsed == expected
    assert ok


def test_mode_defaults_to_compatible():
    """Without a mode the official bold-answer quirk is kept (strict would give "7")."""
    assert parse_response("answer_string", "**Answer:** 7", {"a": "b"}) == ({"a": ""}, True)


def test_none_response_parses_as_empty_text():
    """A missing response is the empty string: every field empty, json falls back to it."""
    assert parse_response("answer_string", None, {"a": "b"}) == ({"a": ""}, True)
    assert parse_response("dummy", None, {"a": "b"}) == ("", True)
    assert parse_response("json", None, {"a": 1, "b": 2}) == ({"a": "", "b": ""}, False)


def test_json_parser_failure_hands_every_field_the_raw_response():
    """No parsable object: each answer field gets the whole response and parsed_ok is False."""
    assert parse_response("json", "[oops", {"a": 1, "b": 2}) == ({"a": "[oops", "b": "[oops"}, False)
    assert parse_response("json", "[1, 2]", {"a": 1}) == ({"a": "[1, 2]"}, False)


def test_single_field_parser_errors_name_the_fields_and_known_parsers():
    with pytest.raises(ValueError, match=r"needs exactly one answer field, got \['a', 'b'\]"):
        parse_response("answer_string", "x", {"a": 1, "b": 2, "##meta": 3})
    with pytest.raises(ValueError, match="known: answer_string, json, dummy, "):
        parse_response("yaml", "x", {"a": 1})


def test_literal_size_guard_boundary():
    """A literal of exactly MAX_LITERAL_CHARS characters is evaluated; one more is refused."""
    at_limit = '"' + "a" * (MAX_LITERAL_CHARS - 2) + '"'
    assert literal(at_limit) == "a" * (MAX_LITERAL_CHARS - 2)
    assert evaluate_as_string(at_limit) == "a" * (MAX_LITERAL_CHARS - 2)
    with pytest.raises(NotALiteral, match="^literal too long$"):
        literal(at_limit + " ")
    assert evaluate_as_string(at_limit + " ") == at_limit + " "


def test_literal_error_messages():
    """NotALiteral says why: the type that is not a string, or the parser's own message."""
    with pytest.raises(NotALiteral, match="^not a string: int$"):
        literal(3)
    with pytest.raises(NotALiteral, match="never closed|unterminated|EOF|was never"):
        literal("[1, 2")
    assert literal("[1, 'a']") == [1, "a"]


def test_answer_content_and_code_block_defaults_are_the_answer_string_parser():
    """Called with defaults, the helpers behave as the plain answer_string parser (stripped,
    compatible mode): the bold-answer quirk holds, code block content is stripped."""
    assert answer_content("x\n**Answer:** 7") == ""
    assert answer_content("Answer:\n\n  7 \n\n") == "7"
    assert answer_content("Answer:\n ab  \n", ascii_art=True) == " ab"  # trim by default
    assert code_block_content("```py\n  a \n\n```") == ("a", True)
    assert code_block_content("Answer: 7") == ("Answer: 7", False)


def test_ascii_code_block_whitespace_rules():
    """ascii parsers keep a block's leading spaces; verbatim (trim=False) keeps the trailing
    spaces of the last line, trimmed blocks drop them."""
    block = "```\n  ab  \n\n```"
    assert code_block_content(block, ascii_art=True) == ("  ab", True)
    assert code_block_content(block, ascii_art=True, trim=False) == ("  ab  ", True)
    assert code_block_content("```\n a\nb \n```", ascii_art=True) == (" a\nb", True)


@pytest.mark.parametrize(("size", "kept"), [(10000, "  "), (10001, "")])
def test_verbatim_answers_over_10000_characters_lose_trailing_spaces(size, kept):
    """Officially a verbatim answer longer than 10000 characters is right-stripped before the
    code-block search; one of exactly 10000 keeps its trailing spaces (official outputs)."""
    body = " " + "x" * (size - 3) + "  "
    parsed, _ = parse_response("verbatim_answer_string", "Answer:" + body, {"a": "b"})
    assert parsed == {"a": " " + "x" * (size - 3) + kept}


def test_parse_json_falls_back_to_the_empty_container_the_text_opens():
    """No candidate parses: `[]` for text opening with "[", else `{}` (documented contract)."""
    assert parse_json("[oops") == []
    assert parse_json("{oops") == {}
    assert parse_json("oops [") == {}


def test_non_string_reference_counts_as_single_line():
    """A numeric reference is single-line: the first-paragraph rule applies, nothing raises."""
    assert parse_response("answer_string", "Answer: 5\n\nbecause", {"a": 5}) == ({"a": "5"}, True)


# Official values (same official parsers, scratch run at the README's pinned commit) for the
# retry that escapes backslash-quotes, nested JSON next to a JSON-only literal, and a string
# whose evaluation overflows the parser stack.
DEEP_MINUS = "-" * 10000 + "1"  # CPython 3.11's parser raises MemoryError on it (checked below)
OFFICIAL_RETRIES = [
    ('json', '{"a": "x\\"}', {'a': 'b'}, {'a': 'x\\'}),
    ('json', "{'a': 'x\\'}", {'a': 'b'}, {'a': 'x\\'}),
    ('json', '{"a": "{\\"b\\": \\"it\\\'s\\"}", "c": true}', {'a': 'b'}, {'a': {'b': "it's"}, 'c': True}),
    ('answer_string', DEEP_MINUS, {'a': 'b'}, {'a': ''}),
    ('json', '{"a": "' + DEEP_MINUS + '"}', {'a': 'b'}, {'a': ''}),
]


@pytest.mark.parametrize(("parser", "response", "answer", "expected"), OFFICIAL_RETRIES)
def test_escaped_quote_retry_nested_json_and_overflow_equal_official(parser, response, answer, expected):
    """A candidate that is no literal until its backslash-quotes are escaped (`"x\\"` -> 'x\\');
    a nested JSON string with an escaped single quote restored as a plain quote (JSON, not the
    quote-fixed retry, must win since `true` is no Python literal); a value whose evaluation
    runs out of parser stack becomes "" (MemoryError), as upstream."""
    import ast

    with pytest.raises(MemoryError):
        ast.literal_eval(DEEP_MINUS)
    assert parse_response(parser, response, answer) == (expected, True)


@pytest.mark.parametrize(("text", "expected"), [
    ("[" * 40, []), ("{" + "[" * 40, {}), ('{"a": 1} ' + "[" * 40, {}), ("[1] {" + "[" * 40, []),
])
def test_candidate_search_timeout_gives_the_empty_container_of_the_first_character(text, expected):
    """Official values: the recursive candidate pattern backtracks exponentially on 40 open
    brackets; after the 0.1 s time-out the answer is [] or {} by the text's first character,
    dropping even a candidate found before the time-out."""
    assert parse_json(text) == expected
