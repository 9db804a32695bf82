"""Hostile `orsta-bench score` inputs an outside tester sent (issue 18), kept as regressions.

Each probe writes a JSONL file in a temporary folder, runs the real CLI as a subprocess under a
wall-clock limit and an address-space cap, and checks every output line. A probe holds when each
input record got exactly its own output line with the expected status and score.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIME_LIMIT_S = 180
MEMORY_CAP_BYTES = 6 * 1024**3  # address space of the CLI and its scoring worker, each
MAX_LINE_BYTES = 64 * 1024  # an output line past this means `parsed` was echoed uncapped
HUGE_BOX = [0, 0, 1e308, 1e308]
MAP_WEIGHTS = {"map": 0.5, "map50": 0.25, "map75": 0.25, "iou_max_label_first": 0.0, "iou_completeness": 0.0}

Check = Callable[[list[dict[str, Any]], int], str | None]


def _record(record_id: Any, verifier: str, response: str, reference: Any, **extra: Any) -> bytes:
    return json.dumps({"id": record_id, "verifier": verifier, "response": response, "reference": reference,
                       **extra}).encode()


def _expect(statuses: list[str], scores: list[float | None], exit_code: int,
            words: dict[int, str] | None = None) -> Check:
    """A check: these statuses and scores line by line (None: any score), this exit code, and
    these words in the detail of the given lines."""

    def check(rows: list[dict[str, Any]], code: int) -> str | None:
        got = [(row["status"], row["score"]) for row in rows]
        wanted = list(zip(statuses, scores, strict=True))
        same = len(got) == len(wanted) and all(
            status == want_status and (want_score is None or score == want_score)
            for (status, score), (want_status, want_score) in zip(got, wanted, strict=True))
        if not same:
            return f"lines (status, score): got {got}, wanted {wanted}"
        for index, word in (words or {}).items():
            if word not in rows[index]["detail"]:
                return f"line {index + 1}: detail {rows[index]['detail']!r} lacks {word!r}"
        return None if code == exit_code else f"exit code {code}, wanted {exit_code}"

    return check


def deep_records() -> tuple[list[bytes], Check]:
    """Records nested 600 and 100,000 deep (context, whole line, reference literal) among good ones."""
    deep = "[" * 600 + "]" * 600
    lines = [
        _record(1, "count", "4", 4),
        b'{"id": 2, "verifier": "count", "response": "4", "reference": 4, "context": {"a": ' + deep.encode() + b"}}",
        b"[" * 100_000 + b"]" * 100_000,
        _record(4, "math", "1", deep),
        _record(5, "count", "There are 5", 5),
    ]
    return lines, _expect(["ok", "error", "error", "error", "ok"], [1.0, 0.0, 0.0, 0.0, 1.0], 1,
                          {1: "nested deeper than 100", 2: "nested deeper than 100", 3: "nested deeper than 100"})


def carriage_returns() -> tuple[list[bytes], Check]:
    """`\\r` as JSON whitespace, raw inside a string, U+2028 in a string, a CRLF line end."""
    lines = [
        b'{"id": 1,\r "verifier": "math",\r "response": "\\\\boxed{4}\r", "reference": "4"}',
        _record(2, "exact", "Answer: line\u2028break", "line\u2028break").replace(b"\\u2028", "\u2028".encode()),
        _record(3, "count", "3", 3) + b"\r",
    ]
    return lines, _expect(["ok", "ok", "ok"], [1.0, 1.0, 1.0], 0)


def megabench_echo() -> tuple[list[bytes], Check]:
    """A megabench query with 100 fields and a 1 MB non-JSON response: `parsed` held the response
    once per field (a 100 MB output line)."""
    fields = [f"field_{i}" for i in range(100)]
    metric_info = {"field_score_function": dict.fromkeys(fields, "exact_str_match"),
                   "aggregation": {"function": "mean", "field_weights": dict.fromkeys(fields, 1)},
                   "response_parse_function": "json"}
    line = _record("q", "megabench", "y" * 1_000_000, dict.fromkeys(fields, "x"), params={"metric_info": metric_info})
    expected = _expect(["parse_error"], [0.0], 0)

    def check(rows: list[dict[str, Any]], code: int) -> str | None:
        problem = expected(rows, code)
        parsed = rows[0]["parsed"] if rows else None
        if problem is None and not (isinstance(parsed, dict) and parsed.get("parsed_truncated") is True):
            problem = f"parsed is not the truncation marker: {str(parsed)[:200]}"
        if problem is None and len(rows[0]["components"]) != 102:
            problem = "the 100 field scores are not all in components"
        return problem

    return [line], check


FULL_WIDTH_CASES = [  # (verifier, full-width response, ASCII reference, params)
    ("math", "\\boxed{１２}", "12", {}),
    ("count", "ｆｏｕｒ is wrong, it is １２", 12, {}),
    ("number", "Answer: １２．５", "12.5", {}),
    ("exact", "Answer: Ｐａｒｉｓ", "paris", {}),
    ("choice", "Answer: Ｂ", "B", {}),
    ("ocr", "ＳＴＯＰ １２", "stop 12", {}),
    ("iou", "[１０, ２０, ３０, ４０]", [10, 20, 30, 40], {}),
    ("detection", '[{"bbox_2d": [１０, ２０, ３０, ４０], "label": "ｃａｔ"}]', [{"bbox_2d": [10, 20, 30, 40], "label": "cat"}], {}),
    ("math", "\\boxed{12}", "１２", {}),  # and a full-width reference
]


def full_width() -> tuple[list[bytes], Check]:
    """Full-width digits and letters in the answer of every native verifier."""
    lines = [_record(i, verifier, response, reference, params=params)
             for i, (verifier, response, reference, params) in enumerate(FULL_WIDTH_CASES)]
    n = len(lines)
    return lines, _expect(["ok"] * n, [1.0] * n, 0)


def huge_boxes() -> tuple[list[bytes], Check]:
    """Identical boxes [0,0,1e308,1e308] (scored 0 `ok` before; -1 `ok` with mAP weights) and
    overflowing non-identical ones."""
    truth = [{"bbox_2d": HUGE_BOX, "label": "cat"}]
    lines = [
        _record(1, "iou", json.dumps(HUGE_BOX), HUGE_BOX),
        _record(2, "iou", json.dumps(HUGE_BOX), HUGE_BOX, params={"coords": "norm1"}),
        _record(3, "detection", json.dumps(truth), truth),
        _record(4, "iou", json.dumps(HUGE_BOX), [0, 0, 10, 10]),
        _record(5, "detection", json.dumps(truth), [{"bbox_2d": [0, 0, 10, 10], "label": "cat"}]),
        _record(6, "detection", json.dumps(truth), truth, params=MAP_WEIGHTS),  # COCO path: was -1 `ok`
    ]
    expected = _expect(["ok", "ok", "ok", "parse_error", "parse_error", "ok"], [1.0, 1.0, 1.0, 0.0, 0.0, None], 0,
                       {3: "not finite", 4: "not finite"})

    def check(rows: list[dict[str, Any]], code: int) -> str | None:
        problem = expected(rows, code)
        if problem is None and abs(rows[5]["score"] - 1.0) > 1e-9:  # COCO's own rounding: 1 - 2e-16
            problem = f"identical huge boxes with mAP weights scored {rows[5]['score']}, wanted 1"
        return problem

    return lines, check


PROBES: dict[str, Callable[[], tuple[list[bytes], Check]]] = {
    "deep_records": deep_records, "carriage_returns": carriage_returns, "megabench_echo": megabench_echo,
    "full_width": full_width, "huge_boxes": huge_boxes,
}


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def run_probe(name: str, folder: Path) -> dict[str, Any]:
    lines, check = PROBES[name]()
    source, target = folder / f"{name}.jsonl", folder / f"{name}.out.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    started = time.perf_counter()
    command = [sys.executable, "-m", "orsta_bench.cli", "score", "-i", str(source), "-o", str(target),
               "--workers", "1", "--timeout", "60"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=TIME_LIMIT_S, preexec_fn=_cap_memory)
    except subprocess.TimeoutExpired:
        return {"held": False, "problem": f"no answer within {TIME_LIMIT_S} s"}
    wall = round(time.perf_counter() - started, 1)
    if not target.exists():
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        return {"held": False, "problem": f"no output (exit {done.returncode}): {tail[0][:300]}", "wall_s": wall}
    raw = target.read_bytes().split(b"\n")[:-1]
    longest = max((len(line) for line in raw), default=0)
    problem = check([json.loads(line) for line in raw], done.returncode)
    if problem is None and longest > MAX_LINE_BYTES:
        problem = f"an output line of {longest} bytes (cap {MAX_LINE_BYTES})"
    return {"held": problem is None, "problem": problem or "", "records": len(lines), "wall_s": wall,
            "longest_line_bytes": longest}


def run_score_probes(names: list[str] | None = None) -> dict[str, Any]:
    """Every probe (or the named ones); `passed` when all held."""
    chosen = names or list(PROBES)
    with tempfile.TemporaryDirectory(prefix="orsta-score-probes-") as tmp:
        results = {name: run_probe(name, Path(tmp)) for name in chosen}
    held = sum(result["held"] for result in results.values())
    return {"tried": len(results), "held": held, "probes": results, "passed": held == len(results)}
