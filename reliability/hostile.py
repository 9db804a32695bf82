"""Seeded generators of hostile model responses.

Each generator is `fn(rng) -> str | bytes` and names one way a response can hurt a scorer: size,
nesting, encoding, numbers that are not numbers, boxes that are not boxes, strings that make a
backtracking regex explode. `hostile_response(rng)` picks one (big ones rarely, so a full run stays
minutes, not hours). Everything is reproducible from the seed.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable

Generator = Callable[[random.Random], "str | bytes"]

_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e309", "-1e309", "1e-400", "-0", "0x1F",
            "1_000", "١٢٣", "½", "3/0", "0/0", "9" * 400, "-" * 5 + "3", "1.2.3", "+-1", "∞"]
_LABELS = ["circle", "square", "'circle'", '"square"', "", "\\x00", "\ud800", "None", "null",
           "circle\n</answer>", "'; DROP TABLE", "{'label': 'x'}", "三角形"]


def _word(rng: random.Random, n: int = 8) -> str:
    return "".join(rng.choice(string.ascii_letters) for _ in range(rng.randint(1, n)))


def empty(rng: random.Random) -> str:
    return rng.choice(["", " ", "\n", "\t\n  ", "\x00", "\u200b", "\ufeff"])


def megabyte(rng: random.Random) -> str:
    unit = rng.choice(["a", "{", "(", "\\boxed{", "[[0,0,1,1],", "Answer: ", "1" * 9 + ".",
                       "<answer>", "\\frac{", "é"])
    return unit * (1_048_576 // len(unit))


def unbalanced_braces(rng: random.Random) -> str:
    depth = rng.randint(1, 20_000)
    body = rng.choice(["{" * depth, "}" * depth, "{" * depth + "}" * (depth // 2), "[" * depth,
                       "(" * depth + "3", '{"a": ' * depth, "\\boxed{" * depth + "4"])
    return rng.choice(["Answer: ", "\\boxed{", "<answer>", ""]) + body


def nested_latex(rng: random.Random) -> str:
    depth = rng.randint(50, 3000)
    kind = rng.choice(["\\frac{1}{", "\\sqrt{", "{", "\\left(", "x^{", "\\boxed{"])
    closing = {"\\frac{1}{": "}", "\\sqrt{": "}", "{": "}", "\\left(": "\\right)", "x^{": "}",
               "\\boxed{": "}"}[kind]
    inner = kind * depth + "2" + closing * rng.choice([depth, depth - 1, 0])
    return f"\\boxed{{{inner}}}" if rng.random() < 0.5 else f"$${inner}$$"


def boxed_bomb(rng: random.Random) -> str:
    n = rng.randint(1_000, 50_000)
    return rng.choice(["\\boxed{}" * n, "\\boxed{1}" * n, "\\boxed{" * n, "\\fbox{\\boxed{" * (n // 10),
                       "\\boxed{\\boxed{\\boxed{" * (n // 30) + "}" * n])


def bad_encoding(rng: random.Random) -> str | bytes:
    choice = rng.randrange(5)
    if choice == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 4096)))
    if choice == 1:
        return "\\boxed{" + "\ud800\udfff\udc00" * rng.randint(1, 300) + "}"
    if choice == 2:
        return b"\xff\xfe\\boxed{3}\xc3\x28 Answer: \xed\xa0\x80"
    if choice == 3:
        return "".join(chr(rng.choice([0, 7, 27, 0x202E, 0xFFFF, 0x10FFFF, 0xD834])) for _ in range(500))
    return "Answer: " + "\u0301" * 5000 + "A"


def non_numbers(rng: random.Random) -> str:
    value = rng.choice(_NUMBERS)
    return rng.choice([f"\\boxed{{{value}}}", f"Answer: {value}", f"<answer>{value}</answer>",
                       f"[[{value}, {value}, {value}, {value}]]", value,
                       f'{{"answer": {value}}}', f"The count is {value}."])


def _box(rng: random.Random) -> str:
    nums = [rng.choice([rng.uniform(-1e6, 1e6), rng.randint(-5, 1005), float("nan"),
                        float("inf"), 0, -0.0, 1e308]) for _ in range(rng.choice([4, 4, 4, 2, 3, 5, 0]))]
    if len(nums) == 4 and rng.random() < 0.5:
        nums = [nums[2], nums[3], nums[0], nums[1]]  # inverted corners
    return "[" + ", ".join(str(x) for x in nums) + "]"


def weird_boxes(rng: random.Random) -> str:
    boxes = [f'{{"bbox_2d": {_box(rng)}, "label": "{rng.choice(_LABELS)}"}}'
             for _ in range(rng.randint(1, 6))]
    text = "[" + ", ".join(boxes) + "]"
    return rng.choice([text, f"<answer>\n{text}\n</answer>", f"```json\n{text}\n```", _box(rng),
                       f"<box>{_box(rng)}</box>", f"\\boxed{{{_box(rng)}}}"])


def thousands_of_boxes(rng: random.Random) -> str:
    n = rng.randint(1_000, 20_000)
    one = '{"bbox_2d": [10, 10, 20, 20], "label": "circle"}'
    return "<think>\n.\n</think>\n<answer>\n[" + ", ".join([one] * n) + "]\n</answer>"


def quoted_labels(rng: random.Random) -> str:
    label = rng.choice(_LABELS)
    return rng.choice([f"Answer: '{label}'", f'Answer: "{label}"', f"\\boxed{{\"{label}\"}}",
                       f"<answer>'''{label}'''</answer>", f"Answer: ({label})", f"{{'{label}': '{label}'}}"])


def regex_catastrophic(rng: random.Random) -> str:
    n = rng.randint(2_000, 20_000)
    return rng.choice([
        "a" * n + "!", " " * n + "x", "Answer:" + " \t" * n, "1" * n + "x", "((" * (n // 4),
        "{" + '"a": "' * (n // 10), "[" + "[1," * (n // 10), "\\" * n, "*" * n + "Answer",
        "```" * (n // 10), "<answer>" * (n // 20), ("Answer: A\n" * (n // 10)),
        "0." + "0" * n + "1", "1e" + "9" * (n // 100), "-" * n + ">",
    ])


def code_like(rng: random.Random) -> str:
    return rng.choice([
        "__import__('os').system('touch /tmp/pwned')", "exec('while True: pass')",
        "Answer: {'a': (lambda: 1)()}", "Answer: " + "(" * 200 + ")" * 200,
        "[" * 100_000, "Answer: " + "[" * 5000 + "]" * 5000, "Answer: {" + "1:" * 3000 + "1" + "}" * 3000,
        "```python\nimport os\nos.fork()\n```", "Answer: 9**9**9**9",
        "Answer: " + "1+" * 30_000 + "1", "\\boxed{" + "x^" * 5000 + "2}",
    ])


def plausible(rng: random.Random) -> str:
    """Near-normal answers, so the happy paths are fuzzed too."""
    value = rng.choice([str(rng.randint(-3, 30)), rng.choice("ABCDE"), _word(rng), f"{rng.random():.3f}",
                        "\\frac{3}{4}", "x^2+1", _box(rng), "[1, 2, 3]", '{"answer": "B"}'])
    return rng.choice([f"\\boxed{{{value}}}", f"Answer: {value}", f"<think>\n{_word(rng)}\n</think>\n"
                       f"<answer>\n{value}\n</answer>", value, f"I think it is {value}."])


# (generator, weight): the megabyte-scale ones are rare, the cheap ones common.
GENERATORS: list[tuple[Generator, float]] = [
    (empty, 4), (megabyte, 0.1), (unbalanced_braces, 4), (nested_latex, 4), (boxed_bomb, 1),
    (bad_encoding, 6), (non_numbers, 10), (weird_boxes, 12), (thousands_of_boxes, 0.5),
    (quoted_labels, 8), (regex_catastrophic, 3), (code_like, 3), (plausible, 20),
]


def hostile_response(rng: random.Random) -> tuple[str, str | bytes]:
    """One hostile response and the name of the generator that made it."""
    generators, weights = zip(*GENERATORS, strict=True)
    generator = rng.choices(generators, weights)[0]
    return generator.__name__, generator(rng)
