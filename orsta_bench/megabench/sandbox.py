"""Run untrusted model-written Python in a contained child process (for program_judge).

Layers, each independent of the others (see docs/megabench.md for what holds where):
- a fresh `python -I -S` child in its own session/process group; on timeout the whole group
  is SIGKILLed, so grandchildren die too;
- resource limits: CPU seconds, address space, file size, open files, and (for non-root users)
  the number of processes;
- when the harness runs as root and nobody can run the interpreter: the child drops to uid/gid
  65534 (nobody), so file permissions and the process limit apply to it too (probed once; where
  the interpreter lives in a root-only home, the child keeps root and the audit hook, namespace
  and limits are what hold);
- a new network namespace (unshare CLONE_NEWNET, or CLONE_NEWUSER|CLONE_NEWNET unprivileged)
  when the kernel allows it: the child sees only a downed loopback;
- inside the child, before the user code runs, an audit hook (which code cannot remove) refuses
  sockets, fork/exec/spawn, ctypes loading and file writes outside the working directory.
The working directory is a new temporary directory, removed afterwards.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
NOBODY = 65534

# Runs first in the child: installs the audit hook, then runs the user's file as __main__.
_BOOTSTRAP = r"""
import os, sys
_root = os.path.realpath(os.getcwd())
_blocked = ("socket.", "subprocess.", "os.fork", "os.forkpty", "os.exec", "os.posix_spawn",
            "os.spawn", "os.system", "os.kill", "os.killpg", "ctypes.", "pty.", "os.putenv")
def _hook(event, args):
    if event.startswith(_blocked) or event == "os.fork":
        raise PermissionError("sandbox: " + event + " is not allowed")
    if event == "open" and len(args) > 1 and args[1] is not None:
        mode, path = args[1], args[0]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(mode, int) and mode & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND))
        if writing and isinstance(path, (str, bytes)):
            full = os.path.realpath(os.fsdecode(path))
            if not (full == _root or full.startswith(_root + os.sep)):
                raise PermissionError("sandbox: writing outside the working directory")
    if event in ("os.remove", "os.rename", "os.rmdir", "os.mkdir", "shutil.rmtree", "os.chmod"):
        for path in args[:2]:
            if isinstance(path, (str, bytes)):
                full = os.path.realpath(os.fsdecode(path))
                if not (full == _root or full.startswith(_root + os.sep)):
                    raise PermissionError("sandbox: changing files outside the working directory")
sys.addaudithook(_hook)
del _hook
import runpy
runpy.run_path("user_code.py", run_name=sys.argv[1])
"""


@dataclass(frozen=True)
class SandboxLimits:
    wall_seconds: float = 2.0
    cpu_seconds: int = 4
    memory_bytes: int = 512 * 1024 * 1024
    file_bytes: int = 8 * 1024 * 1024
    max_processes: int = 64
    max_output_bytes: int = 1024 * 1024


@dataclass(frozen=True)
class RunResult:
    stdout: str
    stderr: str
    returncode: int | None  # None when killed for the time limit
    timed_out: bool
    network_isolated: bool


_PROBES: dict[str, bool] = {}


def _probe(name: str, setup: object) -> bool:
    """Whether a child started with `setup` as preexec_fn runs Python here (cached)."""
    if name not in _PROBES:
        try:
            probe = subprocess.run(
                [sys.executable, "-I", "-S", "-c", "pass"], cwd="/",
                preexec_fn=setup, capture_output=True, timeout=10,  # type: ignore[arg-type]
            )
            _PROBES[name] = probe.returncode == 0
        except (OSError, subprocess.SubprocessError):
            _PROBES[name] = False
    return _PROBES[name]


def network_namespace_available() -> bool:
    """Whether a child can be put in a fresh network namespace here."""
    return _probe("netns", _enter_network_namespace)


def can_drop_to_nobody() -> bool:
    """Whether (as root) a child can drop to nobody and still run the interpreter."""
    return os.geteuid() == 0 and _probe("nobody", _drop_to_nobody)


def _drop_to_nobody() -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _enter_network_namespace() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    if libc.unshare(flags) != 0:
        raise OSError(ctypes.get_errno(), "unshare failed")


def _child_setup(limits: SandboxLimits, isolate_network: bool, drop: bool) -> None:
    """Runs in the forked child before exec (keep it to plain system calls)."""
    if isolate_network:
        _enter_network_namespace()
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if drop:
        _drop_to_nobody()
    resource.setrlimit(resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes))


def run_python(
    code: str, stdin: str = "", limits: SandboxLimits | None = None, run_name: str = "__main__"
) -> RunResult:
    """Run `code` as a module named `run_name` with `stdin`; never raises for what the code does."""
    limits = limits or SandboxLimits()
    isolate = network_namespace_available()
    drop = can_drop_to_nobody()
    workdir = tempfile.mkdtemp(prefix="orsta-sandbox-")
    try:
        Path(workdir, "user_code.py").write_text(code, encoding="utf-8", errors="replace")
        if drop:
            os.chown(workdir, NOBODY, NOBODY)
        env = {"PATH": "/usr/bin:/bin", "HOME": workdir, "PYTHONHASHSEED": "0", "LANG": "C.UTF-8"}
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            process = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _BOOTSTRAP, run_name],
                stdin=subprocess.PIPE, stdout=out, stderr=err, cwd=workdir, env=env,
                start_new_session=True, close_fds=True,
                preexec_fn=lambda: _child_setup(limits, isolate, drop),
            )
            timed_out = False
            try:
                process.communicate(stdin.encode("utf-8", "replace"), timeout=limits.wall_seconds)
            except subprocess.TimeoutExpired:
                timed_out = True
            finally:
                _kill_group(process.pid)
                process.wait()
            stdout = _read(out, limits.max_output_bytes)
            stderr = _read(err, limits.max_output_bytes)
        return RunResult(stdout, stderr, None if timed_out else process.returncode, timed_out, isolate)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _read(handle: object, limit: int) -> str:
    handle.seek(0)  # type: ignore[attr-defined]
    return handle.read(limit).decode("utf-8", "replace")  # type: ignore[attr-defined]
