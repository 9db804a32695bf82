"""program_judge's sandbox: hostile programs are contained and the harness is unharmed."""

import os
import time

import pytest

from orsta_bench.megabench.metrics.program import program_judge
from orsta_bench.megabench.sandbox import SandboxLimits, network_namespace_available, run_python

FAST = SandboxLimits(wall_seconds=2.0, cpu_seconds=3)


def test_normal_program_reads_stdin_and_scores():
    code = 'if __name__ == "__main__":\n    a, b = int(input()), int(input())\n    print(a + b)\n'
    cases = [{"input": ["1", "2"], "expected": "3"}, {"input": ["2", "2"], "expected": "5"}]
    assert program_judge(code, {"test_case": cases}) == 0.5
    assert program_judge(code, {"test_case": {"input": ["4", "5"], "expected": "9\n"}}) == 1


def test_differently_spelled_main_guard_never_runs_quirk():
    code = "if __name__=='__main__':\n    print(3)\n"
    assert program_judge(code, {"test_case": [{"input": [], "expected": "3"}]}) == 0


def test_infinite_loop_is_killed_in_time():
    start = time.monotonic()
    result = run_python("while True:\n    pass\n", limits=FAST)
    assert result.timed_out and time.monotonic() - start < 10


def test_fork_bomb_is_refused():
    code = "import os\nwhile True:\n    os.fork()\n"
    result = run_python(code, limits=FAST)
    assert result.returncode != 0 and "not allowed" in result.stderr
    code = "import subprocess\nsubprocess.run(['sleep', '100'])\n"
    assert "not allowed" in run_python(code, limits=FAST).stderr


def test_huge_allocation_fails_inside_the_child():
    result = run_python("x = bytearray(8 * 1024 ** 3)\nprint('allocated')\n", limits=FAST)
    assert result.returncode != 0 and "allocated" not in result.stdout
    assert "MemoryError" in result.stderr


def test_socket_connect_is_refused():
    code = "import socket\ns = socket.create_connection(('127.0.0.1', 22), timeout=1)\nprint('connected')\n"
    result = run_python(code, limits=FAST)
    assert result.returncode != 0 and "connected" not in result.stdout


def test_writes_outside_the_working_directory_are_refused(tmp_path):
    target = tmp_path / "escape.txt"
    os.chmod(tmp_path, 0o777)
    code = f"open({str(target)!r}, 'w').write('x')\n"
    result = run_python(code, limits=FAST)
    assert result.returncode != 0 and not target.exists()
    inside = run_python("open('here.txt', 'w').write('x')\nprint(open('here.txt').read())\n", limits=FAST)
    assert inside.returncode == 0 and inside.stdout.strip() == "x"


@pytest.mark.skipif(not network_namespace_available(), reason="no network namespaces on this kernel")
def test_network_namespace_has_no_interfaces_up():
    result = run_python("print(open('/proc/net/dev').read())\n", limits=FAST)
    assert result.network_isolated
    assert "eth" not in result.stdout
