"""Cost per program of program_judge: one test case (a two-line sum program) run in the bubblewrap
sandbox, against the same harness code run without it (ORSTA_UNSAFE_UNSANDBOXED_PROGRAMS=1), so
the difference is what the sandbox costs. Each includes the interpreter start.

Run: pytest benchmarks/bench_sandbox.py --benchmark-only
"""

import pytest

from orsta_bench.megabench import sandbox
from orsta_bench.megabench.metrics.program import run_case

PROGRAM = 'if __name__ == "__main__":\n    a, b = int(input()), int(input())\n    print(a + b)\n'


@pytest.mark.skipif(sandbox.unavailable_reason() != "", reason=sandbox.unavailable_reason())
def test_one_case_in_the_sandbox(benchmark, monkeypatch):
    monkeypatch.delenv(sandbox.UNSAFE_ENV, raising=False)
    output = benchmark.pedantic(run_case, args=(PROGRAM, ["2", "3"]), rounds=30, iterations=1, warmup_rounds=2)
    assert output == "5"


def test_one_case_unsandboxed(benchmark, monkeypatch):
    monkeypatch.setenv(sandbox.UNSAFE_ENV, "1")
    output = benchmark.pedantic(run_case, args=(PROGRAM, ["2", "3"]), rounds=30, iterations=1, warmup_rounds=2)
    assert output == "5"
