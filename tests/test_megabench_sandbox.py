"""program_judge: the official I/O contract (fixtures scored by the official harness) and the
bubblewrap sandbox that runs the programs (what it shows, what it limits, what is left after it)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from orsta_bench.megabench import sandbox
from orsta_bench.megabench.metrics import get_metric
from orsta_bench.megabench.metrics.program import program_judge, run_case
from orsta_bench.megabench.sandbox import SandboxError, SandboxLimits, run_in_sandbox
from orsta_bench.megabench.seccomp_filter import compiled_filter
from orsta_bench.reward import score
from orsta_bench.score import Status
from reliability.sandbox_escapes import processes_with

FIXTURES = Path(__file__).parent / "fixtures" / "megabench" / "program_judge"
PROGRAMS = {p["name"]: p for p in json.loads((FIXTURES / "programs.json").read_text(encoding="utf-8"))}
OFFICIAL = {o["name"]: o for o in json.loads((FIXTURES / "official.json").read_text(encoding="utf-8"))}
FAST = SandboxLimits(wall_seconds=2.0, cpu_seconds=3)

# CI installs bubblewrap and sets ORSTA_REQUIRE_SANDBOX=1: there these tests must run, never skip.
if os.environ.get("ORSTA_REQUIRE_SANDBOX") == "1" and sandbox.unavailable_reason():
    raise RuntimeError(f"ORSTA_REQUIRE_SANDBOX=1 but {sandbox.unavailable_reason()}")
requires_sandbox = pytest.mark.skipif(sandbox.unavailable_reason() != "", reason=sandbox.unavailable_reason())


def _probe(child: str, limits: SandboxLimits = FAST) -> sandbox.Outcome:
    """Run trusted child code that reports on its surroundings: it starts at once and writes its
    answer to result_fd."""
    return run_in_sandbox("import os\nos.write(ready_fd, b'R')\n" + child, {}, limits)


@requires_sandbox
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_official_harness_results_are_reproduced(name: str) -> None:
    program, official = PROGRAMS[name], OFFICIAL[name]
    cases = program["test_case"] if isinstance(program["test_case"], list) else [program["test_case"]]
    assert program_judge(program["code"], {"test_case": program["test_case"]}) == official["score"]
    for case, verdict, expected_output in zip(cases, official["cases"], official["outputs"], strict=True):
        output = run_case(program["code"], case["input"])
        assert (output == case["expected"].rstrip()) == (verdict == "Passed")
        # The fixture records outputs of 300 characters or more by their length.
        assert (output if len(output) < 300 else f"<{len(output)} chars>") == expected_output


@requires_sandbox
def test_the_host_is_invisible_and_read_only() -> None:
    child = (
        "import json, socket\n"
        "seen = {'root': sorted(os.listdir('/')), 'pids': sorted(p for p in os.listdir('/proc') if p.isdigit()),\n"
        "        'uid': os.getuid(), 'cwd': os.getcwd(), 'hostname': socket.gethostname(),\n"
        "        'net': open('/proc/net/dev').read()}\n"
        "try:\n    open('/usr/lib/orsta-probe', 'w')\n    seen['usr_writable'] = True\n"
        "except OSError:\n    seen['usr_writable'] = False\n"
        "open('here.txt', 'w').write('x')\nseen['cwd_writable'] = open('here.txt').read() == 'x'\n"
        "os.write(result_fd, json.dumps(seen).encode())\n"
    )
    seen = json.loads(_probe(child).result)
    assert set(seen["root"]) <= {"usr", "lib", "lib64", "lib32", "etc", "proc", "dev", "sandbox", "root"}
    assert not {"home", "tmp", "work", "bin", "var", "run"} & set(seen["root"])
    assert seen["uid"] == sandbox.SANDBOX_UID and seen["cwd"] == sandbox.WORKDIR and seen["hostname"] == "sandbox"
    assert len(seen["pids"]) <= 3  # bwrap's init, the program (and nothing of the host)
    interfaces = [line.split(":")[0].strip() for line in seen["net"].splitlines()[2:]]
    assert interfaces == ["lo"]
    assert not seen["usr_writable"] and seen["cwd_writable"]


@requires_sandbox
def test_limits_are_set_inside() -> None:
    child = ("import json, resource\nnames = ['RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_FSIZE', 'RLIMIT_NOFILE', 'RLIMIT_NPROC']\n"
             "os.write(result_fd, json.dumps({n: resource.getrlimit(getattr(resource, n))[0] for n in names}).encode())\n")
    limits = json.loads(_probe(child).result)
    assert limits == {"RLIMIT_CPU": FAST.cpu_seconds, "RLIMIT_AS": FAST.memory_bytes, "RLIMIT_FSIZE": FAST.file_bytes,
                      "RLIMIT_NOFILE": FAST.open_files, "RLIMIT_NPROC": FAST.max_processes}


@requires_sandbox
def test_seccomp_refuses_new_namespaces_but_allows_threads_and_fork() -> None:
    assert compiled_filter() is not None  # libseccomp2 is installed wherever apt is
    child = ("import ctypes, json, threading\nlibc = ctypes.CDLL(None, use_errno=True)\n"
             "unshare = [libc.unshare(flag) for flag in (0x10000000, 0x40000000, 0x00020000)]\n"
             "errno = ctypes.get_errno()\nthread = threading.Thread(target=print)\nthread.start()\nthread.join()\n"
             "pid = os.fork()\nif pid == 0:\n    os._exit(7)\n"
             "status = [l for l in open('/proc/self/status') if l.startswith('Seccomp:')]\n"
             "os.write(result_fd, json.dumps([unshare, errno, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), status]).encode())\n")
    unshare, error, child_exit, status = json.loads(_probe(child).result)
    assert unshare == [-1, -1, -1] and error == 1  # EPERM
    assert child_exit == 7 and status == ["Seccomp:\t2\n"]  # filter mode


@requires_sandbox
def test_fork_bomb_stops_at_the_process_limit_even_for_root() -> None:
    n = 4 * FAST.max_processes
    child = (f"import time\nstarted = 0\nfor _ in range({n}):\n    try:\n        pid = os.fork()\n"
             "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(1)\n        os._exit(0)\n"
             "    started += 1\nos.write(result_fd, str(started).encode())\n")
    started = int(_probe(child).result)
    assert 0 < started < FAST.max_processes < n


@requires_sandbox
def test_nothing_outlives_the_program_or_its_timeout(tmp_path: Path) -> None:
    token = f"orsta-survivor-{uuid.uuid4().hex}"
    spawn = (f"import sys\nfor _ in range(8):\n    if os.fork() == 0:\n        os.setsid()\n"
             f"        os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(30)', {token!r}])\n")
    assert not _probe(spawn).timed_out
    assert processes_with(token) == []
    hanging = _probe(spawn + "import time\ntime.sleep(30)\n", SandboxLimits(wall_seconds=1.0))
    assert hanging.timed_out and hanging.returncode is None
    assert processes_with(token) == []


@requires_sandbox
def test_time_limit_starts_after_set_up() -> None:
    slow_setup = "import os, time\ntime.sleep(1.5)\nos.write(ready_fd, b'R')\nos.write(result_fd, b'done')\n"
    outcome = run_in_sandbox(slow_setup, {}, SandboxLimits(wall_seconds=1.0))
    assert not outcome.timed_out and outcome.result == b"done"
    started = time.monotonic()
    late = run_in_sandbox("import os, time\nos.write(ready_fd, b'R')\ntime.sleep(30)\n", {}, SandboxLimits(wall_seconds=1.0))
    assert late.timed_out and time.monotonic() - started < 15


@requires_sandbox
def test_a_failed_sandbox_is_an_error_status_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: Creating new namespace failed: Operation not permitted' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(SandboxError, match="Creating new namespace failed"):
        run_case("print(1)", [])
    context = {"test_case": [{"input": [], "expected": "1"}]}
    result = score("megabench.program_judge", "print(1)", "", {}, context)
    assert result.status is Status.ERROR and "Creating new namespace failed" in result.detail


def test_without_a_sandbox_program_judge_is_not_scored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap on it
    monkeypatch.delenv(sandbox.UNSAFE_ENV, raising=False)
    sandbox._probe_reason.cache_clear()
    try:
        metric = get_metric("program_judge")
        assert metric.kind == "unavailable" and "apt-get install bubblewrap" in metric.reason
        assert sandbox.UNSAFE_ENV in metric.reason
        context = {"test_case": [{"input": [], "expected": "1"}]}
        result = score("megabench.program_judge", "print(1)", "", {}, context)
        assert result.status is Status.NOT_SCORED and "bubblewrap" in result.detail
    finally:
        sandbox._probe_reason.cache_clear()


def test_unsandboxed_runs_need_the_explicit_opt_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    monkeypatch.setenv(sandbox.UNSAFE_ENV, "1")
    assert sandbox.unavailable_reason() == "" and get_metric("program_judge").kind == "context"
    outcome = run_in_sandbox("import os\nos.write(ready_fd, b'R')\nos.write(result_fd, b'ran')\n", {}, FAST)
    assert outcome.result == b"ran" and not outcome.sandboxed
    code = 'if __name__ == "__main__":\n    a, b = int(input()), int(input())\n    print(a + b)\n'
    assert program_judge(code, {"test_case": [{"input": ["1", "2"], "expected": "3"}]}) == 1


@requires_sandbox
def test_score_cli_survives_a_program_that_kills_everything_it_can_see(tmp_path: Path) -> None:
    killer = ("import os, signal\nfor pid in [int(p) for p in os.listdir('/proc') if p.isdigit()] + [os.getppid(), "
              f"{os.getpid()}]:\n    try:\n        signal.pidfd_send_signal(os.pidfd_open(pid), signal.SIGKILL)\n"
              "    except OSError:\n        pass\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass\nprint(1)\n")
    context = {"test_case": [{"input": [], "expected": "1"}]}
    records = [{"id": "killer", "verifier": "megabench.program_judge", "response": killer, "reference": "",
                "context": context},
               {"id": "legit", "verifier": "megabench.program_judge", "response": "print(1)", "reference": "",
                "context": context}]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    out = tmp_path / "out.jsonl"
    done = subprocess.run([str(Path(sys.executable).parent / "orsta-bench"), "score", "--input", str(source),
                           "--output", str(out), "--workers", "0"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = {row["id"]: row for row in map(json.loads, out.read_text().splitlines())}
    assert rows["legit"]["score"] == 1.0 and rows["legit"]["status"] == "ok"
    assert rows["killer"]["status"] == "ok"  # it ran (and killed only its own sandbox: no answer)
    assert rows["killer"]["score"] == 0.0
