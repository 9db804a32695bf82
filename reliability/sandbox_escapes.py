"""Escape attempts against program_judge, scored the way users score: through the ScoringPool
with the `megabench.program_judge` verifier.

Each hostile program prints ESCAPED only if its escape worked, and its test case expects ESCAPED:
a contained escape scores 0, an escape scores 1. A harmless control that prints ESCAPED must score
1, so the check can tell the two apart. Each probe is also checked from outside: victim files in
this check's own temporary folder, a loopback listener it opens, a token that must not be left in
any process's command line, and the pool's workers (which must all survive). Every item is bounded
by the pool's time limit and the sandbox's memory limit.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from orsta_bench.megabench.metrics.program import LIMITS
from orsta_bench.megabench.sandbox import unavailable_reason
from orsta_bench.scoring import ScoreJob, ScoringPool

POOL_TIMEOUT_S = 30.0
FORK_BOMB_N = 4 * LIMITS.max_processes

_FORK_EXEC = """import _posixsubprocess, os, time
cmd = [b'/bin/sh', b'-c', b'echo x > {target}']
done = False
for tail in ([-1, None, None, None, -1, None, False], [-1, None, None, None, -1, None], [None, None, None, None]):
    try:
        _posixsubprocess.fork_exec(cmd, [cmd[0]], True, (), None, None, -1, -1, -1, -1, -1, -1,
                                   *os.pipe(), False, False, *tail)
        done = True
        break
    except TypeError:
        continue
time.sleep(0.5)
if done and os.path.exists({target!r}):
    print('ESCAPED')"""

_SETSID = """import os, sys, time
started = 0
for _ in range(100):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        os.setsid()
        os.execv(sys.executable, [sys.executable, '-c', {late_writer!r}, {token!r}])
    started += 1
print('started', started, file=sys.stderr)"""

_NSENTER = """import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
os.system('nsenter -t 1 -n true')
for pid in [p for p in os.listdir('/proc') if p.isdigit()] + ['{host_pid}']:
    try:
        fd = os.open('/proc/%s/ns/net' % pid, os.O_RDONLY)
        libc.setns(fd, 0x40000000)
    except OSError:
        pass
    try:
        socket.create_connection(('127.0.0.1', {port}), timeout=1)
        print('ESCAPED')
        break
    except OSError:
        pass"""

_PIDFD = """import os, signal
killed = False
for pid in ({host_pid}, {worker_pids}, os.getppid()):
    for attempt in ('pidfd', 'kill'):
        try:
            if attempt == 'pidfd':
                fd = os.pidfd_open(pid)
                signal.pidfd_send_signal(fd, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        except OSError:
            continue
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass"""

_FORK_BOMB = """import os, sys, time
started = 0
for _ in range({n}):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(2)
        os._exit(0)
    started += 1
if started >= {limit}:
    print('ESCAPED')"""

_HOOK_GLOBALS = """import gc, os
for obj in gc.get_objects():
    if isinstance(obj, dict) and '_blocked' in obj:
        obj['_blocked'] = ()
if os.system('echo x > {target}') == 0 and os.path.exists({target!r}):
    print('ESCAPED')"""


def _programs(outside: Path, port: int, token: str, worker_pids: list[int]) -> dict[str, str]:
    target = str(outside / "escaped.txt")
    victim = outside / "victim.txt"
    late_writer = f"import time\ntime.sleep(0.5)\nopen({target!r}, 'w').write('late')"
    pids = ", ".join(map(str, worker_pids)) or "1"
    return {
        "control": "print('ESCAPED')",
        "open_write_outside": f"open({target!r}, 'w').write('x')\nprint('ESCAPED')",
        "os_open_write_outside": f"import os\nfd = os.open({target!r}, os.O_WRONLY | os.O_CREAT, 0o666)\n"
                                 "os.write(fd, b'x')\nprint('ESCAPED')",
        "os_symlink_outside": f"import os\nos.symlink('/etc/passwd', {str(outside / 'link')!r})\nprint('ESCAPED')",
        "os_truncate_outside": f"import os\nos.truncate({str(victim)!r}, 0)\nprint('ESCAPED')",
        "read_host_file": f"print('ESCAPED' if 'secret' in open({str(victim)!r}).read() else '')",
        "hook_globals_then_shell": _HOOK_GLOBALS.format(target=target),
        "posixsubprocess_fork_exec": _FORK_EXEC.format(target=target),
        "subprocess": f"import subprocess\nsubprocess.run(['/bin/sh', '-c', 'echo x > {target}'])\nprint('ESCAPED')",
        "os_system": f"import os\nassert os.system('echo x > {target}') == 0\nprint('ESCAPED')",
        "ctypes_system": f"import ctypes\nassert ctypes.CDLL(None).system(b'echo x > {target}') == 0\nprint('ESCAPED')",
        "setsid_survivors": _SETSID.format(late_writer=late_writer, token=token),
        "network_loopback": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\nprint('ESCAPED')",
        "nsenter_parent_netns": _NSENTER.format(host_pid=os.getpid(), port=port),
        "pidfd_kill_caller": _PIDFD.format(host_pid=os.getpid(), worker_pids=pids),
        "unshare_new_namespaces": "import ctypes\nlibc = ctypes.CDLL(None)\n"
                                  "if libc.unshare(0x10000000) == 0 or libc.unshare(0x40000000) == 0:\n    print('ESCAPED')",
        "fork_bomb": _FORK_BOMB.format(n=FORK_BOMB_N, limit=LIMITS.max_processes),
        "infinite_loop": "while True:\n    pass\nprint('ESCAPED')",
        "memory_hog": "x = bytearray(8 * 1024 ** 3)\nx[-1] = 1\nprint('ESCAPED')",
    }


def _as_main(code: str) -> str:
    """Run as the official main guard's body (the harness runs it as __main__)."""
    body = "\n".join("    " + line for line in code.splitlines())
    return f'if __name__ == "__main__":\n{body}\n'


def processes_with(token: str) -> list[int]:
    """PIDs whose command line holds `token` (what a probe left running)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if token.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def run_sandbox_escapes(rounds: int = 1, workers: int = 2) -> dict[str, Any]:
    """Each probe `rounds` times; report per probe whether it held (score 0 and no outside effect)."""
    reason = unavailable_reason()
    if reason:  # nothing to probe: the check fails and says why
        return {"check": "sandbox_escapes", "tried": 0, "held": 0, "error": reason, "passed": False}
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    token = f"orsta-escape-{uuid.uuid4().hex}"
    outside = Path(tempfile.mkdtemp(prefix="orsta-escape-"))
    os.chmod(outside, 0o777)  # writable by anyone: only the sandbox may stop a write
    victim = outside / "victim.txt"
    victim.write_text("secret")
    victim.chmod(0o666)
    context = {"test_case": [{"input": [], "expected": "ESCAPED"}]}
    started = time.perf_counter()
    with ScoringPool(workers=workers, timeout_s=POOL_TIMEOUT_S) as pool:
        pool.score(ScoreJob("megabench.program_judge", _as_main("print(1)"), "", {}, context))  # start workers
        worker_pids = [w.process.pid for w in pool._workers if w.process.pid]  # noqa: SLF001
        programs = _programs(outside, port, token, worker_pids)
        names = [name for _ in range(rounds) for name in programs]
        jobs = [ScoreJob("megabench.program_judge", _as_main(programs[n]), "", {}, context) for n in names]
        scores = pool.score_many(jobs)
        replaced = pool.n_replaced
    survivors_now = processes_with(token)
    time.sleep(1.5)  # the survivors' late write comes after 0.5 s
    survivors_later = processes_with(token)
    connected = _accepted(listener)
    outside_effects: dict[str, Callable[[], bool]] = {
        "file_written_outside": lambda: (outside / "escaped.txt").exists(),
        "symlink_made_outside": lambda: os.path.lexists(outside / "link"),
        "victim_changed": lambda: victim.read_text() != "secret",
        "listener_connected": lambda: connected,
        "processes_survived": lambda: bool(survivors_now or survivors_later),
        "pool_worker_killed": lambda: replaced > 0,
    }
    effects = {name: check() for name, check in outside_effects.items()}
    for path in outside.iterdir():
        path.unlink()
    outside.rmdir()
    probes: dict[str, dict[str, Any]] = {}
    for name, result in zip(names, scores, strict=True):
        entry = probes.setdefault(name, {"max_score": 0.0, "statuses": []})
        entry["max_score"] = max(entry["max_score"], result.value)
        entry["statuses"].append(result.status.value)
    control_ok = probes.pop("control")["max_score"] == 1.0
    for entry in probes.values():
        entry["held"] = entry["max_score"] == 0.0 and set(entry["statuses"]) <= {"ok"}
    held = sum(entry["held"] for entry in probes.values())
    return {"check": "sandbox_escapes", "rounds": rounds, "tried": len(probes), "held": held,
            "probes": probes, "outside_effects": effects, "control_scored_1": control_ok,
            "wall_s": round(time.perf_counter() - started, 1),
            "passed": control_ok and held == len(probes) and not any(effects.values())}


def _accepted(listener: socket.socket) -> bool:
    try:
        listener.accept()[0].close()
        return True
    except BlockingIOError:
        return False
    finally:
        listener.close()
