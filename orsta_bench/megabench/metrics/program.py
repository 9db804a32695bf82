"""program_judge: run the model's program on each test case in the sandbox; score = passed / total.

The I/O contract is the official CodeTester's (program_child.py runs it inside the sandbox; every
point is pinned by tests/fixtures/megabench/program_judge): input only through builtins.input,
only sys.stdout counts, a case passes when the right-stripped output equals the right-stripped
expected text, an exception, SystemExit, a crash or running past 2 s (counted from the moment
the program starts) fails it. Officially the output travels back through a multiprocessing pipe,
and an answer larger than the pipe deadlocks the harness until the time limit: such outputs fail,
here too. Without a sandbox the metric is unavailable (not_scored), see sandbox.unavailable_reason.
"""

from __future__ import annotations

import functools
import json
import pickle
from pathlib import Path
from typing import Any

from orsta_bench.megabench.sandbox import Outcome, SandboxError, SandboxLimits, run_jobs_in_sandbox

LIMITS = SandboxLimits(wall_seconds=2.0)  # the official per-case time limit
MAIN_GUARD = 'if __name__ == "__main__":'  # the official test for "run as __main__", verbatim
PIPE_BYTES = 65536  # Linux pipe capacity: the official result message must fit (4-byte header + pickle)
# The official harness's outputs for a case that did not finish (compared like any output).
TIMED_OUT = "ERROR: Code execution exceeded the time limit."
NO_OUTPUT = "ERROR: No output was produced before timeout."
# What program_child.py imports: the sandbox harness imports it once, before forking the cases.
PRELOAD = ("io", "json", "multiprocessing", "pathlib")


@functools.lru_cache(maxsize=1)
def _child_source() -> str:
    return Path(__file__).with_name("program_child.py").read_text(encoding="utf-8")


def run_case(program: str, input_lines: list[str], limits: SandboxLimits = LIMITS) -> str:
    """Run one test case as the official harness would: its output, or the official error text."""
    return run_cases(program, [input_lines], limits)[0]


def run_cases(program: str, inputs: list[list[str]], limits: SandboxLimits = LIMITS) -> list[str]:
    """Run each test case (its input lines) in its own child process, all in one sandbox."""
    outcomes = run_jobs_in_sandbox(_child_source(), official_jobs(program, inputs), limits, PRELOAD)
    return [official_output(outcome) for outcome in outcomes]


def official_jobs(program: str, inputs: list[list[str]]) -> list[dict[str, Any]]:
    """What the official harness hands each case: its input lines joined by newlines with a final
    newline (read back one line per input() call), and whether the exact main guard is in the text."""
    as_main = MAIN_GUARD in program
    return [{"code": program, "input": "\n".join(lines) + "\n", "as_main": as_main} for lines in inputs]


def official_output(outcome: Outcome) -> str:
    """The string the official harness compares for one case: the program's output, or its error text."""
    if outcome.timed_out:
        return TIMED_OUT
    try:
        answer = json.loads(outcome.result)
        output = answer["output"]
    except (ValueError, KeyError, TypeError):
        return NO_OUTPUT  # SystemExit, os._exit, a crash: officially nothing reaches the queue
    if not isinstance(output, str):
        return NO_OUTPUT
    if 4 + len(pickle.dumps(output)) > PIPE_BYTES:
        return TIMED_OUT  # the official pipe deadlock
    return output


def official_cases(eval_context: dict[str, Any]) -> list[dict[str, Any]]:
    """The test cases; officially a single case may also be given as a bare dict."""
    cases = eval_context["test_case"]
    return [cases] if isinstance(cases, dict) else list(cases)


def official_score(outputs: list[str], cases: list[dict[str, Any]]) -> float:
    """passed / total, where a case passes when its output equals its expected text right-stripped
    (the output is already right-stripped); no cases scores 0. One output per case, or ValueError."""
    if not cases:
        return 0
    passed = sum(output == case["expected"].rstrip() for output, case in zip(outputs, cases, strict=True))
    return passed / len(cases)


def program_judge(response: Any, eval_context: dict[str, Any]) -> float:
    """The official score. Raises SandboxError when the sandbox itself failed (status `error`)."""
    if not isinstance(response, str):
        raise TypeError("program_judge needs the program text")
    cases = official_cases(eval_context)
    outputs = run_cases(response, [list(case["input"]) for case in cases]) if cases else []
    return official_score(outputs, cases)


__all__ = ["LIMITS", "SandboxError", "official_cases", "official_jobs", "official_output", "official_score",
           "program_judge", "run_case", "run_cases"]
