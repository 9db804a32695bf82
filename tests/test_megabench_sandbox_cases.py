"""program_judge runs all test cases of one program in one sandbox, one forked child per case:
a case cannot reach the trusted harness (the sandbox's PID 1) nor leave anything running or
changed in the interpreter for the next case, and each case has its own wall clock."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orsta_bench.megabench import sandbox
from orsta_bench.megabench.metrics.program import TIMED_OUT, program_judge, run_cases
from orsta_bench.megabench.sandbox import SandboxLimits

requires_sandbox = pytest.mark.skipif(sandbox.unavailable_reason() != "", reason=sandbox.unavailable_reason())

HOSTILE = '''if __name__ == "__main__":
    import os, signal, time
    if input() == "attack":
        for sig in (signal.SIGKILL, signal.SIGINT, signal.SIGTERM, signal.SIGSTOP):
            try:
                os.kill(os.getppid(), sig)
            except OSError:
                pass
        reached = []
        for path in ("/proc/1/environ", "/proc/1/fd"):
            try:
                reached.append(len(os.listdir(path) if path.endswith("fd") else open(path, "rb").read()))
            except OSError:
                pass
        try:
            os.close(os.open("/proc/1/mem", os.O_RDWR))
            reached.append("mem")
        except OSError:
            pass
        for _ in range(3):
            if os.fork() == 0:
                os.setsid()
                time.sleep(30)
                os._exit(0)
        print(os.getppid(), reached)
    else:
        print(os.getppid(), sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid())))
'''


@requires_sandbox
def test_a_hostile_case_cannot_reach_the_harness_or_later_cases() -> None:
    started = time.monotonic()
    outputs = run_cases(HOSTILE, [["attack"], ["look"], ["look"]])
    assert outputs == ["1 []", "1 []", "1 []"]  # the harness is PID 1, unreadable, alive; no survivor
    assert time.monotonic() - started < 15  # the sleeping survivors were killed, not waited for
    cases = [{"input": [word], "expected": "1 []"} for word in ("attack", "look", "look")]
    assert program_judge(HOSTILE, {"test_case": cases}) == 1


@requires_sandbox
def test_interpreter_state_does_not_pass_between_cases() -> None:
    program = 'import json, sys\nprint(getattr(json, "mark", "fresh"), "os" in sys.modules)\njson.mark = "dirty"\n'
    outputs = run_cases(program, [[], [], []])
    assert len(set(outputs)) == 1 and outputs[0].startswith("fresh ")


@pytest.mark.parametrize("unsafe", [False, True])
def test_each_case_has_its_own_wall_clock(unsafe: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if unsafe:
        monkeypatch.setenv(sandbox.UNSAFE_ENV, "1")
    elif sandbox.unavailable_reason():
        pytest.skip(sandbox.unavailable_reason())
    program = "import time\nseconds = float(input())\ntime.sleep(seconds)\nprint(seconds)\n"
    started = time.monotonic()
    outputs = run_cases(program, [["0.8"], ["30"], ["0.8"]], SandboxLimits(wall_seconds=1.0))
    assert outputs == ["0.8", TIMED_OUT, "0.8"]
    assert time.monotonic() - started < 15


@requires_sandbox
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv")
def test_a_hostile_case_cannot_reach_the_harness_when_run_unprivileged() -> None:
    """Unprivileged, the harness and the children share one uid: only being PID 1 and not dumpable
    keep a case from signalling it or opening /proc/1/mem."""
    script = (f"from orsta_bench.megabench.metrics.program import run_cases\n"
              f"print(run_cases({HOSTILE!r}, [['attack'], ['look']]))\n")
    done = subprocess.run(["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", sys.executable,
                           "-c", script], capture_output=True, text=True, timeout=120, cwd="/",
                          env={"PYTHONPATH": str(Path(__file__).parents[1]), "PATH": os.environ["PATH"]})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['1 []', '1 []']"
