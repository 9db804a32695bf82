"""Cost of program_judge: one test case (a two-line sum program) and a program of ten test cases,
in the bubblewrap sandbox, against the same harness code run without it
(ORSTA_UNSAFE_UNSANDBOXED_PROGRAMS=1), so the difference is what the sandbox costs. One sandbox
and one interpreter start per program; each case is a child forked from the sandbox's harness.

Run: pytest benchmarks/bench_sandbox.py --benchmark-only
"""

import pytest

from orsta_bench.megabench import sandbox
from orsta_bench.megabench.metrics.program import program_judge, run_case

PROGRAM = 'if __name__ == "__main__":\n    a, b = int(input()), int(input())\n    print(a + b)\n'
TEN_CASES = {"test_case": [{"input": [str(i), "3"], "expected": str(i + 3)} for i in range(10)]}


def _unsafe(monkeypatch: pytest.MonkeyPatch, unsafe: bool) -> None:
    if unsafe:
        monkeypatch.setenv(sandbox.UNSAFE_ENV, "1")
    else:
        monkeypatch.delenv(sandbox.UNSAFE_ENV, raising=False)
        if sandbox.unavailable_reason():
            pytest.skip(sandbox.unavailable_reason())


@pytest.mark.parametrize("unsafe", [False, True], ids=["sandboxed", "unsandboxed"])
def test_one_case(benchmark, monkeypatch, unsafe: bool):
    _unsafe(monkeypatch, unsafe)
    output = benchmark.pedantic(run_case, args=(PROGRAM, ["2", "3"]), rounds=30, iterations=1, warmup_rounds=2)
    assert output == "5"


@pytest.mark.parametrize("unsafe", [False, True], ids=["sandboxed", "unsandboxed"])
def test_ten_case_program(benchmark, monkeypatch, unsafe: bool):
    _unsafe(monkeypatch, unsafe)
    score = benchmark.pedantic(program_judge, args=(PROGRAM, TEN_CASES), rounds=15, iterations=1, warmup_rounds=2)
    assert score == 1
