"""Pins of megabench.metrics.program found by mutation testing (scripts/mutation.sh).

Every expected value is the official MEGA-Bench CodeTester's: either read from the fixtures it
scored (tests/fixtures/megabench/program_judge/official.json) or its own rule, quoted in the test
(input text = "\\n".join(lines) + "\\n"; pass = output == expected.rstrip(); no cases scores 0).
The first group needs no sandbox (the pure steps of program_judge); the second runs a few fast
fixture programs through the real bubblewrap sandbox (CI sets ORSTA_REQUIRE_SANDBOX=1).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from orsta_bench.megabench import sandbox
from orsta_bench.megabench.metrics.program import (
    NO_OUTPUT,
    TIMED_OUT,
    official_cases,
    official_jobs,
    official_output,
    official_score,
    program_judge,
    run_case,
    run_cases,
)
from orsta_bench.megabench.sandbox import Outcome, SandboxLimits

FIXTURES = Path(__file__).parent / "fixtures" / "megabench" / "program_judge"
PROGRAMS = {p["name"]: p for p in json.loads((FIXTURES / "programs.json").read_text(encoding="utf-8"))}
OFFICIAL = {o["name"]: o for o in json.loads((FIXTURES / "official.json").read_text(encoding="utf-8"))}

if os.environ.get("ORSTA_REQUIRE_SANDBOX") == "1" and sandbox.unavailable_reason():
    raise RuntimeError(f"ORSTA_REQUIRE_SANDBOX=1 but {sandbox.unavailable_reason()}")
requires_sandbox = pytest.mark.skipif(sandbox.unavailable_reason() != "", reason=sandbox.unavailable_reason())


def _outcome(result: bytes, timed_out: bool = False) -> Outcome:
    """What the sandbox reports for one case: the bytes program_child.py wrote, and the clock."""
    return Outcome(result=result, timed_out=timed_out, returncode=None if timed_out else 0, stderr="",
                   sandboxed=True)


def _answer(output: object) -> bytes:
    return json.dumps({"output": output}).encode()


# --- the pure steps (no sandbox) ---------------------------------------------------------------

def test_error_texts_are_the_official_ones() -> None:
    """The two texts a case that did not finish is compared as are the official harness's."""
    assert OFFICIAL["infinite_loop"]["outputs"] == [TIMED_OUT]
    assert OFFICIAL["sys_exit_zero_after_output"]["outputs"] == [NO_OUTPUT]


def test_a_case_past_the_time_limit_is_timed_out_whatever_it_wrote() -> None:
    """Officially a process still alive at the limit is terminated and its answer never read."""
    assert official_output(_outcome(_answer("ok"), timed_out=True)) == TIMED_OUT
    assert official_output(_outcome(b"", timed_out=True)) == TIMED_OUT


def test_a_finished_case_gives_its_output_verbatim() -> None:
    assert official_output(_outcome(_answer("3"))) == "3"
    assert official_output(_outcome(_answer(" 3\n\tx"))) == " 3\n\tx"
    assert official_output(_outcome(_answer(""))) == ""  # only_stderr: empty output, not NO_OUTPUT


@pytest.mark.parametrize("result", [b"", b"not json", b"[1]", b"{}", b'{"out": "3"}', b'{"output": 5}',
                                    b'{"output": null}', b'{"output": ["3"]}', b"\xff\xfe"])
def test_no_answer_or_a_malformed_one_is_no_output(result: bytes) -> None:
    """SystemExit, os._exit or a crash leave no answer (officially nothing reaches the queue); bytes
    a hostile program wrote on the result channel never crash the metric: both are NO_OUTPUT."""
    assert official_output(_outcome(result)) == NO_OUTPUT


def test_the_pipe_limit_falls_where_the_official_harness_deadlocks() -> None:
    """4 header bytes + the pickle must fit the 65536-byte pipe: 65514 characters pass, one more
    deadlocks (official: output_fills_pipe_exactly Passed, output_one_past_pipe timed out)."""
    fits, past = OFFICIAL["output_fills_pipe_exactly"], OFFICIAL["output_one_past_pipe"]
    assert fits["cases"] == ["Passed"] and past["outputs"] == [TIMED_OUT]
    assert official_output(_outcome(_answer("x" * 65514))) == "x" * 65514
    assert official_output(_outcome(_answer("x" * 65515))) == TIMED_OUT
    assert official_output(_outcome(_answer("x" * 100000))) == TIMED_OUT  # output_100k


def test_input_lines_are_joined_with_a_final_newline() -> None:
    """Official: input_str = "\\n".join(input) + "\\n", one job per case, the program unchanged."""
    program = "print(input())\n"
    jobs = official_jobs(program, [["1", "2"], [], ["a\fb"]])
    assert [job["input"] for job in jobs] == ["1\n2\n", "\n", "a\fb\n"]
    assert [job["code"] for job in jobs] == [program] * 3
    assert official_jobs(program, []) == []


@pytest.mark.parametrize("name, as_main", [("main_guard_sum", True), ("main_guard_function_calls_function", True),
                                           ("raise_systemexit_in_main", True), ("spaced_main_guard_never_runs", False),
                                           ("single_quoted_guard_never_runs", False), ("top_level_sum", False)])
def test_only_the_exact_main_guard_runs_the_program_as_main(name: str, as_main: bool) -> None:
    """Officially `'if __name__ == "__main__":' in code` decides, for every case alike."""
    jobs = official_jobs(PROGRAMS[name]["code"], [["1"], ["2"]])
    assert [job["as_main"] for job in jobs] == [as_main, as_main]


def test_a_single_dict_test_case_is_one_case() -> None:
    case = {"input": ["abc"], "expected": "cba"}
    assert official_cases({"test_case": case}) == [case]
    cases = [case, {"input": [], "expected": ""}]
    assert official_cases({"test_case": cases}) == cases
    assert official_cases({"test_case": []}) == []


def test_a_case_passes_when_output_equals_expected_right_stripped() -> None:
    """Official: output == expected.rstrip(); trailing whitespace of the expected text is ignored,
    leading whitespace counts, and the output is taken as it is (the harness already stripped it)."""
    assert official_score(["3"], [{"expected": "3\n\n"}]) == 1  # trailing_whitespace_ignored
    assert official_score([" 3"], [{"expected": "3"}]) == 0  # leading_whitespace_counts
    assert official_score([" 3"], [{"expected": " 3 \n"}]) == 1  # expected_leading_whitespace
    assert official_score(["3 "], [{"expected": "3"}]) == 0
    assert official_score(["3"], [{"expected": "4"}]) == 0


def test_the_score_is_the_passed_fraction_and_no_cases_score_zero() -> None:
    cases = [{"expected": "1"}, {"expected": "4"}, {"expected": "9"}]
    assert official_score(["1", "4", "3"], cases) == OFFICIAL["mixed_cases_partial"]["score"] == 2 / 3
    assert official_score(["1", "4", "9"], cases) == 1
    assert official_score(["0", "0", "0"], cases) == 0
    assert official_score([], []) == OFFICIAL["empty_test_case_list"]["score"] == 0


def test_a_missing_output_is_an_error_not_a_shorter_score() -> None:
    """One output per case: a lost outcome must not silently score the remaining cases."""
    with pytest.raises(ValueError):
        official_score(["1"], [{"expected": "1"}, {"expected": "2"}])


def test_program_judge_needs_the_program_text() -> None:
    """A non-text response is a TypeError whose message (the sample's error detail) says why."""
    with pytest.raises(TypeError, match="^program_judge needs the program text$"):
        program_judge(None, {"test_case": []})


def test_no_cases_score_zero_without_starting_a_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Officially no cases score 0 and nothing runs: with a bwrap that always fails, a program
    with cases is a sandbox error, one without cases still scores 0."""
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: Creating new namespace failed' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    monkeypatch.delenv(sandbox.UNSAFE_ENV, raising=False)
    with pytest.raises(sandbox.SandboxError, match="Creating new namespace failed"):
        program_judge("print(1)\n", {"test_case": [{"input": [], "expected": "1"}]})
    assert program_judge("print(1)\n", {"test_case": []}) == 0


# --- through the sandbox (a few fast fixture programs) -----------------------------------------

FAST = ("main_guard_sum", "single_dict_test_case", "too_many_input_calls", "name_without_guard",
        "exception_after_output", "sys_exit_zero_after_output", "mixed_cases_partial", "empty_test_case_list",
        "output_fills_pipe_exactly", "output_one_past_pipe")


@requires_sandbox
@pytest.mark.parametrize("name", FAST)
def test_program_judge_gives_the_official_score_and_outputs(name: str) -> None:
    """The official score of the fixture program, and its per-case outputs in one sandbox run."""
    program, official = PROGRAMS[name], OFFICIAL[name]
    assert program_judge(program["code"], {"test_case": program["test_case"]}) == official["score"]
    cases = official_cases({"test_case": program["test_case"]})
    outputs = run_cases(program["code"], [case["input"] for case in cases])
    assert [out if len(out) < 300 else f"<{len(out)} chars>" for out in outputs] == official["outputs"]


@requires_sandbox
def test_run_case_gives_the_official_output_of_one_case() -> None:
    program = PROGRAMS["main_guard_sum"]
    for case, output in zip(program["test_case"], OFFICIAL["main_guard_sum"]["outputs"], strict=True):
        assert run_case(program["code"], case["input"]) == output


@requires_sandbox
def test_the_limits_given_are_the_limits_used() -> None:
    """A 1 s sleep passes under the official 2 s limit (sleep_within_limit) but not under 0.3 s."""
    program = PROGRAMS["sleep_within_limit"]["code"]
    short = SandboxLimits(wall_seconds=0.3)
    assert run_case(program, [], short) == TIMED_OUT
    assert run_cases(program, [[], []], short) == [TIMED_OUT, TIMED_OUT]
