"""MEGA-Bench response parsers, reproducing the official evaluator's behaviour.

Mode "compatible" (default) gives the official result, quirks included: for example a
Markdown answer written `**Answer:** 16` yields an EMPTY answer (the bold pattern captures what
lies between `Answer:` and the closing `**`). Mode "strict" fixes only such plain bugs: it drops
the closing `**` of `**Answer:**` before extracting. Every run records the mode it used.

Model output is hostile input: nothing here evaluates code; literals go through
`ast.literal_eval` with size guards and the JSON candidate search has a regex time limit.
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
from typing import Any, Literal

import regex

Mode = Literal["compatible", "strict"]
MODES: tuple[str, ...] = ("compatible", "strict")
PARSERS = ("answer_string", "json", "dummy", "verbatim_answer_string", "ascii_answer_string")
SINGLE_FIELD_PARSERS = frozenset({"answer_string", "verbatim_answer_string", "ascii_answer_string"})

# Longer literals are not evaluated (ast on megabyte inputs is slow and memory hungry).
MAX_LITERAL_CHARS = 200_000
_JSON_CANDIDATE = r"(\{(?:[^{}]|(?R))*\}|\[(?:[^{}]|(?R))*\])"
_STRING_LITERAL = r'"(?:\\.|[^"\\])*"'
_REGEX_TIMEOUT_S = 0.1


class NotALiteral(ValueError):
    """The text is not a Python literal (or is too large to evaluate safely)."""


def literal(text: Any) -> Any:
    """`ast.literal_eval` with a size guard; never `eval`. Raises NotALiteral on failure."""
    if not isinstance(text, str):
        raise NotALiteral(f"not a string: {type(text).__name__}")
    if len(text) > MAX_LITERAL_CHARS:
        raise NotALiteral("literal too long")
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as error:
        raise NotALiteral(str(error)) from None


def evaluate_as_string(value: Any) -> Any:
    """Drop redundant quotes: `'"B"'` -> `B`; anything that is not a string literal is returned
    unchanged (a string that overflows evaluation becomes "", as upstream)."""
    if isinstance(value, str) and len(value) > MAX_LITERAL_CHARS:
        return value
    try:
        evaluated = ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError, RecursionError):
        return value
    except MemoryError:
        return ""
    return evaluated if isinstance(evaluated, str) else value


def code_block_content(
    text: str, code_type: str | None = None, ascii_art: bool = False, trim: bool = True
) -> tuple[str, bool]:
    """The content of the first fenced code block, and whether there was one."""
    if code_type:
        pattern = rf"```{code_type}\s*\n*(.*?)\s*```"
    elif ascii_art:
        if not text.strip() or len(text) > 10000:
            text = text.rstrip()
        pattern = r"```\w*(?:\s*\n+)?(.*?)\s*```" if trim else r"```\w*(?:\s*\n+)?(.*?)(?:\n+\s*)?```"
    else:
        pattern = r"```\w*\s*\n*(.*?)\s*```"
    match = re.search(pattern, text, flags=re.DOTALL)
    if not match:
        return text, False
    return (match.group(1) if ascii_art else match.group(1).strip()), True


def _keep_last_answer(text: str) -> str:
    text = text.replace("answer:", "Answer:")
    last = text.rfind("Answer:")
    if last == -1:
        return text
    return text[:last].replace("Answer:", "") + text[last:]


def answer_content(text: str, ascii_art: bool = False, trim: bool = True, mode: Mode = "compatible") -> str:
    """What follows the last "Answer:" (whole text when there is none), whitespace handled per parser."""
    text = _keep_last_answer(text)
    if mode == "strict":
        text = re.sub(r"\*\*Answer:\*\*", "Answer:", text)
    if ascii_art:
        match = re.search(r"\*\*?Answer:(.*?)\*\*?|\bAnswer:(.*)", text, re.DOTALL)
    else:
        match = re.search(r"\*\*?Answer:\s*(.*?)\*\*?|\bAnswer:\s*(.*)", text, re.DOTALL)
    if match:
        text = match.group(1) or match.group(2) or ""
    if not ascii_art:
        return text.strip()
    text = re.sub(r"^\s*$(\n^\s*$)+", "", text, flags=re.MULTILINE)
    text = text.rstrip() if trim else re.sub(r"(\n\s*)+$", "", text)
    return re.sub(r"^(\s*\n)+", "", text)


def _answer_at_line_start(text: str) -> str:
    match = re.search(r"^(?:\*\*Answer:|Answer:)\s*(.+)", text, re.MULTILINE)
    return match.group(1).strip() if match else text.strip()


def _is_multiline_answer(text: str) -> bool:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.strip():
            return not (index + 1 < len(lines) and lines[index + 1].strip() == "")
    return False


def drop_additional_text(text: str) -> str:
    """Keep only a short first paragraph when a blank line separates it from explanations."""
    first = text.split("\n\n")[0].strip()
    short = re.search(
        r"^(?:(?:[a-zA-Z0-9_-]+)(?:,\s*[a-zA-Z0-9_-]+)*|(?:[a-zA-Z0-9_-]+)\.|\((?:[a-zA-Z0-9_-]+)\)$)",
        first,
    )
    return first if short and first and not _is_multiline_answer(text) else text


def parse_json(text: str) -> Any:
    """The LAST valid {...} or [...] candidate (JSON, quote-fixed JSON, then literal);
    `{}` or `[]` when none parses."""
    body = _answer_at_line_start(text)
    body, _ = code_block_content(body, "json")
    try:
        candidates = regex.findall(_JSON_CANDIDATE, body, timeout=_REGEX_TIMEOUT_S)
    except TimeoutError:
        return [] if body.startswith("[") else {}
    valid: list[Any] = []
    for candidate in candidates:
        candidate = _inline_nested_json_strings(candidate)
        try:
            valid.append(json.loads(candidate))
        except (json.JSONDecodeError, RecursionError):
            with contextlib.suppress(json.JSONDecodeError, RecursionError):
                valid.append(json.loads(re.sub(r"(?<!\w)\'|\'(?!\w)", '"', candidate)))
        try:
            valid.append(literal(candidate))
            continue
        except NotALiteral:
            pass
        escaped = candidate.replace('\\"', '\\\\"').replace("\\'", "\\\\'")
        with contextlib.suppress(NotALiteral):
            valid.append(literal(escaped))
    if valid:
        return valid[-1]
    return [] if body.startswith("[") else {}


def _inline_nested_json_strings(candidate: str) -> str:
    """A string literal holding a JSON object/array is replaced by that object (upstream step)."""
    work = candidate.replace('\\"', "__DOUBLE_QUOTE__").replace("\\'", "__SINGLE_QUOTE__")
    for literal_text in regex.findall(_STRING_LITERAL, work):
        inner = literal_text[1:-1].replace("__DOUBLE_QUOTE__", '"').replace("__SINGLE_QUOTE__", "'")
        try:
            parsed = json.loads(inner)
        except (json.JSONDecodeError, RecursionError):
            continue
        if isinstance(parsed, (dict, list)):
            work = work.replace(literal_text, json.dumps(parsed))
    return work.replace("__DOUBLE_QUOTE__", '\\"').replace("__SINGLE_QUOTE__", "\\'")


def _parse_single(
    response: str, *, ascii_art: bool, trim: bool, single_line: bool, mode: Mode
) -> str:
    content = answer_content(response, ascii_art=ascii_art, trim=trim, mode=mode)
    content, is_code = code_block_content(content, ascii_art=ascii_art, trim=trim)
    if not is_code and single_line and not ascii_art:
        content = drop_additional_text(content)
    if content.startswith(("{", "[")):
        obj = parse_json(content)
        if obj == {} and "{}" not in content:
            return content
        if obj == [] and "[]" not in content:
            return content
        return str(obj)  # upstream: the metric always gets a string (str() of the list/dict)
    return evaluate_as_string(content)


def parse_response(
    parser: str, response: str, answer: dict[str, Any], mode: Mode = "compatible"
) -> tuple[Any, bool]:
    """Parse `response` as the task's `response_parse_function` does.

    Returns (parsed object, parsed_ok). Single-field parsers return {field: string} (a list or
    dict found in the answer is handed on as its str(), as upstream); `json`
    returns the parsed dict, or on failure every answer field set to the raw response (ok False);
    `dummy` returns the stripped response string. An unknown parser name raises ValueError
    (the official evaluator rejects it too).
    """
    if response is None:
        response = ""
    if parser in SINGLE_FIELD_PARSERS:
        fields = [name for name in answer if not name.startswith("##")]
        if len(fields) != 1:
            raise ValueError(f"parser {parser!r} needs exactly one answer field, got {fields}")
        key = fields[0]
        reference = answer[key]
        single_line = "\n" not in reference if isinstance(reference, str) else True
        ascii_art = parser != "answer_string"
        trim = parser != "verbatim_answer_string"
        value = _parse_single(response, ascii_art=ascii_art, trim=trim, single_line=single_line, mode=mode)
        return {key: value}, True
    if parser == "json":
        parsed = parse_json(response)
        if isinstance(parsed, dict):
            parsed = {key: evaluate_as_string(value) for key, value in parsed.items()}
        if not isinstance(parsed, dict) or not parsed:
            return {name: response for name in answer}, False
        return parsed, True
    if parser == "dummy":
        return response.strip(), True
    raise ValueError(f"unknown response_parse_function {parser!r} (known: {', '.join(PARSERS)})")
