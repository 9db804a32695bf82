"""program_judge: run the model's program on each test case's input lines in the sandbox and
compare its stdout (right-stripped) with the expected output. Score = passed / total."""

from __future__ import annotations

from typing import Any

from orsta_bench.megabench.sandbox import SandboxLimits, run_python

# As upstream: 2 s per test case. Code without this exact line runs under a non-main name, so
# a differently spelled main guard never fires (an official quirk kept in compatible mode).
LIMITS = SandboxLimits(wall_seconds=2.0)
_MAIN_GUARD = 'if __name__ == "__main__":'


def program_judge(response: Any, eval_context: dict[str, Any]) -> float:
    if not isinstance(response, str):
        raise TypeError("program_judge needs the program text")
    cases = eval_context["test_case"]
    if isinstance(cases, dict):
        cases = [cases]
    if not cases:
        return 0
    run_name = "__main__" if _MAIN_GUARD in response else "user_code"
    passed = 0
    for case in cases:
        stdin = "\n".join(case["input"]) + "\n"
        result = run_python(response, stdin, LIMITS, run_name=run_name)
        if result.returncode == 0 and result.stdout.rstrip() == str(case["expected"]).rstrip():
            passed += 1
    return passed / len(cases)
