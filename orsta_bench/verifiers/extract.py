"""Answer extraction shared by every verifier.

Model output is hostile input: every function here is linear (or bounded) in the response length,
never raises, and never evaluates code. Each extraction records which extractor fired, so a score
can say *why* it read the answer it read.
"""

from __future__ import annotations

import ast
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

AnswerFormat = Literal["auto", "boxed", "answer_tag", "vtriune", "answer_line", "json", "plain"]
ANSWER_FORMATS: tuple[str, ...] = ("auto", "boxed", "answer_tag", "vtriune", "answer_line", "json", "plain")

# ast.literal_eval builds a full syntax tree: keep its input small. json.loads has no such limit.
LITERAL_EVAL_MAX_CHARS = 100_000

_BOX_OPEN = re.compile(r"\\(?:boxed|fbox)\s*\{")
_BRACE = re.compile(r"\\[{}]|[{}]")
_ANSWER_LINE = re.compile(
    r"^[ \t>*#_-]*(?:final[ \t]+answer|answer)[ \t*_]*[:：](.*)$",
    re.IGNORECASE | re.MULTILINE,
)
_FENCE = re.compile(r"```[a-zA-Z0-9_-]*[ \t]*\n?(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾"
_SUPERSCRIPT_RUN = re.compile(f"[{_SUPERSCRIPTS}]+")
_FROM_SUPERSCRIPT = str.maketrans(_SUPERSCRIPTS, "0123456789+-=()")
REFERENCE_NORMALISE_DEPTH = 8  # references nest a few levels (detection: list of dicts of lists)


def normalise_unicode(text: str) -> str:
    """What every native verifier reads: NFKC (full-width `１２` -> `12`, `Ｂ` -> `B`, ligatures,
    no-break spaces), except that a run of superscript digits/signs becomes a power first
    (`10³` -> `10^3`, `x¹²` -> `x^{12}`): plain NFKC would glue it onto its base (`103`)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", _SUPERSCRIPT_RUN.sub(_as_power, text))


def _as_power(match: re.Match[str]) -> str:
    exponent = match.group().translate(_FROM_SUPERSCRIPT)
    return "^" + exponent if len(exponent) == 1 else "^{" + exponent + "}"


def normalise_reference(value: Any, depth: int = 0) -> Any:
    """`normalise_unicode` on every string of a reference (in lists and dict values too)."""
    if isinstance(value, str):
        return normalise_unicode(value)
    if depth >= REFERENCE_NORMALISE_DEPTH:
        return value
    if isinstance(value, (list, tuple)):
        return [normalise_reference(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: normalise_reference(item, depth + 1) for key, item in value.items()}
    return value


@dataclass(frozen=True)
class Extracted:
    """The answer text a verifier should read, and the extractor that produced it."""

    text: str | None
    extractor: str

    @property
    def found(self) -> bool:
        return self.text is not None and self.text.strip() != ""


def strip_think(text: str) -> str:
    """Drop the reasoning: the text after the last `</think>`; an unclosed `<think>` loses its tag."""
    end = text.rfind("</think>")
    if end >= 0:
        return text[end + len("</think>") :]
    return text.replace("<think>", "", 1)


def find_boxed(text: str) -> list[str]:
    """Contents of the outermost `\\boxed{...}` / `\\fbox{...}` groups, in order.

    One pass over the braces with a stack, so nested boxes and `\\boxed{}` bombs stay linear.
    Escaped braces (`\\{`) do not count; an unclosed box is ignored."""
    starts = {m.end() - 1 for m in _BOX_OPEN.finditer(text)}
    if not starts:
        return []
    found: list[str] = []
    stack: list[tuple[int, bool]] = []
    open_boxes = 0
    for match in _BRACE.finditer(text):
        token, position = match.group(), match.start()
        if len(token) == 2:  # escaped brace
            continue
        if token == "{":
            is_box = position in starts
            stack.append((position, is_box))
            open_boxes += is_box
        elif stack:
            start, is_box = stack.pop()
            if is_box:
                open_boxes -= 1
                if open_boxes == 0:
                    found.append(text[start + 1 : position])
    return found


def find_answer_tag(text: str) -> str | None:
    """Content of the last `<answer>...</answer>`; an unclosed last `<answer>` runs to the end."""
    end = text.rfind("</answer>")
    if end >= 0:
        start = text.rfind("<answer>", 0, end)
        if start >= 0:
            return text[start + len("<answer>") : end]
    start = text.rfind("<answer>")
    if start >= 0:
        return text[start + len("<answer>") :]
    return None


def find_answer_line(text: str) -> str | None:
    """The value of the last "Answer: ..." / "Final answer: ..." line, or of "the answer is ..."."""
    last = None
    for match in _ANSWER_LINE.finditer(text):
        value = match.group(1).strip(" \t*_")
        if value:
            last = value
    if last is not None:
        return last
    lowered = text.lower()
    position = lowered.rfind("answer is")
    if position < 0:
        return None
    rest = text[position + len("answer is") :].lstrip(" :\t")
    line = rest.partition("\n")[0].strip().rstrip(".").strip()
    return line or None


def strip_fences(text: str) -> str:
    """The content of the last Markdown code fence, or the text itself."""
    blocks = _FENCE.findall(text)
    return blocks[-1].strip() if blocks else text.strip()


def extract_answer(response: str, answer_format: str = "auto") -> Extracted:
    """Read the answer part of a response in the given format ("auto" tries them all).

    auto: `<answer>` tag, then the last `\\boxed{}`, then an "Answer:" line, then the whole text
    after any `</think>`. A named format accepts only that format (the strict choice a task makes
    when its prompt asked for it). A `\\boxed{}` inside an answer tag is unwrapped."""
    if not isinstance(response, str) or not response.strip():
        return Extracted(None, "none")
    body = strip_think(response)
    if answer_format in ("answer_tag", "vtriune"):
        return _from_tag(body)
    if answer_format == "boxed":
        boxes = find_boxed(body)
        return Extracted(boxes[-1].strip(), "boxed") if boxes else Extracted(None, "none")
    if answer_format == "answer_line":
        line = find_answer_line(body)
        return Extracted(line, "answer_line") if line is not None else Extracted(None, "none")
    if answer_format == "json":
        return Extracted(strip_fences(body), "json")
    if answer_format == "plain":
        return Extracted(body.strip(), "plain")
    tagged = _from_tag(body)
    if tagged.found:
        return tagged
    boxes = find_boxed(body)
    if boxes:
        return Extracted(boxes[-1].strip(), "boxed")
    line = find_answer_line(body)
    if line is not None:
        return Extracted(line, "answer_line")
    if "```" in body:
        return Extracted(strip_fences(body), "json")
    return Extracted(body.strip(), "plain")


def _from_tag(body: str) -> Extracted:
    content = find_answer_tag(body)
    if content is None:
        return Extracted(None, "none")
    boxes = find_boxed(content)
    return Extracted((boxes[-1] if boxes else content).strip(), "answer_tag")


_MISSING = object()


def parse_literal(text: str) -> tuple[Any, str]:
    """Parse a JSON / Python literal (list, dict, number, string) with repair of common breakage.

    Returns (value, how) where how is "json", "literal", "repaired" or "" when nothing parsed
    (value is then None). Repairs: code fences, single quotes, trailing commas, Python
    True/False/None, a list truncated after its last complete `},`."""
    if not isinstance(text, str):
        return None, ""
    text = strip_fences(text)
    if not text:
        return None, ""
    value = _try_json(text)
    if value is not _MISSING:
        return value, "json"
    value = _try_literal(text)
    if value is not _MISSING:
        return value, "literal"
    for candidate in _repairs(text):
        value = _try_json(candidate)
        if value is not _MISSING:
            return value, "repaired"
    return None, ""


def find_literal_span(text: str) -> str:
    """The stretch from the first `[` or `{` to the end (prose before a list is common)."""
    positions = [p for p in (text.find("["), text.find("{")) if p >= 0]
    return text[min(positions) :] if positions else text


def _repairs(text: str):
    """Candidates for json.loads, from a stripped text. Prose after the literal is cut before a
    truncated list is closed: closing first would drop the last item of a complete list."""
    fixed = _TRAILING_COMMA.sub(r"\1", text.replace("'", '"'))
    fixed = re.sub(r"\bTrue\b", "true", re.sub(r"\bFalse\b", "false", re.sub(r"\bNone\b", "null", fixed)))
    yield fixed
    # prose after the literal: cut at the last closing bracket
    last = max(fixed.rfind("]"), fixed.rfind("}"))
    if 0 < last < len(fixed) - 1:
        yield fixed[: last + 1]
    if fixed.startswith("[") and not fixed.endswith("]") and "}," in fixed:
        yield fixed.rsplit("},", 1)[0] + "}]"


def _try_json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _MISSING


def _try_literal(text: str) -> Any:
    if len(text) > LITERAL_EVAL_MAX_CHARS:
        return _MISSING
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _MISSING
