"""Run untrusted model-written Python in an OS-level sandbox made by bubblewrap (program_judge).

An audit hook inside the same interpreter is no boundary, so the kernel draws it (docs/megabench.md,
"program_judge sandbox"): `bwrap` gives the program new mount, PID, IPC, UTS, cgroup and network
namespaces (no interface, not even loopback); its filesystem is a read-only view of the
interpreter's prefix (`sys.base_prefix`) and the system libraries, a fresh /proc and /dev, and a
private size-capped tmpfs as working directory: no home, /tmp, run folder or /bin. It runs as uid
65534 with no capabilities and with limits on CPU time, address space, file size, open files and
processes. The process limit binds because the uid is a real unprivileged one: a caller that is
not root gets a new user namespace (`--unshare-user`, whose process count is its own); root gets
the namespaces directly and the children drop to uid 65534 before the program is read (a
user namespace made by root maps the program to host root, for whom RLIMIT_NPROC does nothing).
One sandbox serves all jobs of a call (all test cases of one program): its PID 1 is a trusted
harness (sandbox_harness.py) that forks one child per job, enforces each job's limits, and kills
and reaps every other process of the namespace between jobs; the children cannot signal, ptrace
or read it (see there). When the harness ends, the kernel kills everything left in the namespace;
on the safety-net timeout PID 1 is killed and awaited. A seccomp filter (seccomp_filter.py) refuses new
namespaces, mounts, ptrace and other kernel surface a program never needs.

The sandbox's own failure raises SandboxError (scored `error`, never a crash). Where no sandbox can
be made, `unavailable_reason()` says how to enable one; ORSTA_UNSAFE_UNSANDBOXED_PROGRAMS=1 runs
programs without it (limits only; unsafe, for machines without bubblewrap).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orsta_bench.megabench.seccomp_filter import compiled_filter

UNSAFE_ENV = "ORSTA_UNSAFE_UNSANDBOXED_PROGRAMS"
SANDBOX_UID = 65534
WORKDIR = "/sandbox"
_HOW_TO_ENABLE = (
    "install bubblewrap (apt-get install bubblewrap) on a kernel that allows namespaces "
    f"(user.max_user_namespaces > 0 for non-root users), or set {UNSAFE_ENV}=1 to run model-written "
    "programs unsandboxed (unsafe)"
)

class SandboxError(ValueError):
    """The sandbox itself failed (not the program). A ValueError so that `reward.score` gives the
    sample status `error` with this reason (metrics' "any exception scores 0" rule lets it through)."""


@dataclass(frozen=True)
class SandboxLimits:
    wall_seconds: float = 2.0  # counted from the moment the program starts (after set-up)
    setup_seconds: float = 30.0  # bwrap and interpreter start-up, generous for loaded machines
    cpu_seconds: int = 4
    memory_bytes: int = 512 * 1024 * 1024
    file_bytes: int = 8 * 1024 * 1024
    open_files: int = 64
    max_processes: int = 16
    tmpfs_bytes: int = 64 * 1024 * 1024
    max_result_bytes: int = 16 * 1024 * 1024
    max_stderr_bytes: int = 64 * 1024


@dataclass(frozen=True)
class Outcome:
    result: bytes  # what the child wrote to its result channel (b"" when nothing)
    timed_out: bool  # the program ran past wall_seconds and was killed
    returncode: int | None
    stderr: str
    sandboxed: bool


def unsafe_opt_in() -> bool:
    return os.environ.get(UNSAFE_ENV, "") == "1"


@functools.lru_cache(maxsize=1)
def _probe_reason() -> str:
    if shutil.which("bwrap") is None:
        return f"program_judge needs a sandbox: bubblewrap (bwrap) is not installed; {_HOW_TO_ENABLE}"
    try:
        outcome = run_in_sandbox("import os\nos.write(ready_fd, b'R')\nos.write(result_fd, b'ok')\n", {}, SandboxLimits())
    except SandboxError as error:
        return f"program_judge needs a sandbox and bubblewrap could not make one ({error}); {_HOW_TO_ENABLE}"
    if outcome.result != b"ok":
        return f"program_judge needs a sandbox and a probe program did not run in it; {_HOW_TO_ENABLE}"
    return ""


def unavailable_reason() -> str:
    """Why programs cannot be run here ("" when they can: a working sandbox, or the unsafe opt-in)."""
    return "" if unsafe_opt_in() else _probe_reason()


def _interpreter() -> str:
    """The base interpreter (a venv's python is a link into sys.base_prefix, which is all we mount)."""
    real = os.path.realpath(sys.executable)
    if real.startswith(os.path.realpath(sys.base_prefix) + os.sep):
        return real
    return str(Path(sys.base_prefix, "bin", f"python{sys.version_info.major}.{sys.version_info.minor}"))


def _system_mounts() -> list[str]:
    """Read-only binds of the system libraries, mirroring /lib-style links as links."""
    args: list[str] = []
    for top in ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/lib32", "/usr/lib32"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    for name in ("/etc/ld.so.cache", "/etc/ld.so.conf"):
        if Path(name).is_file():
            args += ["--ro-bind", name, name]
    return args


def _open_parents(destinations: list[str]) -> list[str]:
    """Make the folders above each mount point 0755 (bwrap would make them 0700, root's, which
    uid 65534 could not pass)."""
    parents = sorted({str(p) for dest in destinations for p in Path(dest).parents if str(p) != "/"},
                     key=lambda p: (p.count("/"), p))
    return [arg for parent in parents for arg in ("--perms", "0755", "--dir", parent)]


def _bwrap_command(bwrap: str, limits: SandboxLimits, info_fd: int, seccomp_fd: int | None) -> list[str]:
    root = os.geteuid() == 0
    prefix = os.path.realpath(sys.base_prefix)
    args = [bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup",
            "--die-with-parent", "--new-session", "--as-pid-1", "--hostname", "sandbox", "--info-fd", str(info_fd)]
    if root:  # no user namespace (it would map the program to host root); the prologue drops to 65534
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"]
    else:
        args += ["--unshare-user", "--disable-userns", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    mounts = _system_mounts() + ["--ro-bind", prefix, prefix]
    args += _open_parents([mounts[i + 2] for i, arg in enumerate(mounts) if arg in ("--ro-bind", "--symlink")])
    args += mounts
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "0777", "--size", str(limits.tmpfs_bytes), "--tmpfs", WORKDIR, "--chdir", WORKDIR,
             "--clearenv", "--setenv", "HOME", WORKDIR, "--setenv", "LANG", "C.UTF-8",
             "--setenv", "PYTHONHASHSEED", "0", "--"]
    return args


def run_in_sandbox(child_source: str, job: dict[str, Any], limits: SandboxLimits) -> Outcome:
    """Run `child_source` (trusted harness code, which runs the untrusted program) in the sandbox.

    The child gets `job`, `ready_fd` (write b"R" there just before the untrusted code starts: the
    wall clock starts then) and `result_fd` (its answer). Raises SandboxError when the sandbox
    could not be set up; whatever the program does is an Outcome."""
    return run_jobs_in_sandbox(child_source, [job], limits)[0]


def run_jobs_in_sandbox(child_source: str, jobs: list[dict[str, Any]], limits: SandboxLimits,
                        preload: tuple[str, ...] = ()) -> list[Outcome]:
    """Run `child_source` once per job, each in its own child process, all in ONE sandbox.

    The harness (sandbox_harness.py, the sandbox's PID 1, trusted) imports `preload`, then forks a
    child per job: each has the limits, the wall clock and the contract of `run_in_sandbox`, and
    nothing of one job's processes lives into the next (they share the sandbox's working folder).
    Every Outcome carries the tail of the whole sandbox's stderr."""
    sandboxed = not unsafe_opt_in()
    bwrap = shutil.which("bwrap")
    if sandboxed and bwrap is None:
        raise SandboxError(f"bubblewrap (bwrap) is not installed; {_HOW_TO_ENABLE}")
    rlimits = {"RLIMIT_CPU": limits.cpu_seconds, "RLIMIT_AS": limits.memory_bytes,
               "RLIMIT_FSIZE": limits.file_bytes, "RLIMIT_NOFILE": limits.open_files,
               "RLIMIT_NPROC": limits.max_processes, "RLIMIT_CORE": 0}
    spec = {"rlimits": rlimits, "drop_root": sandboxed, "uid": SANDBOX_UID, "child": child_source, "jobs": jobs,
            "preload": list(preload), "setup_seconds": limits.setup_seconds, "wall_seconds": limits.wall_seconds,
            "max_result_bytes": limits.max_result_bytes}
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(tempfile.TemporaryFile()) for _ in range(5)]
        payload, result, stderr, info, seccomp = files
        payload.write(json.dumps(spec).encode())  # ASCII: json escapes the rest
        payload.seek(0)
        bpf = compiled_filter() if sandboxed else None
        if bpf is not None:
            seccomp.write(bpf)
            seccomp.seek(0)
        ready_read, ready_write = os.pipe()
        stack.callback(os.close, ready_read)
        fds = (payload.fileno(), ready_write, result.fileno())
        child = [_interpreter(), "-I", "-S", "-c", _harness_source(), *map(str, fds)]
        if sandboxed:
            seccomp_fd = seccomp.fileno() if bpf is not None else None
            command = _bwrap_command(str(bwrap), limits, info.fileno(), seccomp_fd) + child
            cwd = "/"
        else:
            command, cwd = child, stack.enter_context(tempfile.TemporaryDirectory(prefix="orsta-unsafe-"))
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, cwd=cwd,
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, pass_fds=(*fds, info.fileno(), seccomp.fileno()),
                start_new_session=True,
            )
        except OSError as error:
            os.close(ready_write)
            raise SandboxError(f"could not start the sandbox: {error}") from None
        os.close(ready_write)
        init_pidfd = None
        try:
            if not _wait_ready(ready_read, limits.setup_seconds):
                raise SandboxError(f"the sandbox did not start: {_tail(stderr, 400) or 'no message'}")
            init_pidfd = _sandbox_init_pidfd(info) if sandboxed else None
            # A safety net only: the harness enforces each job's limits itself.
            try:
                process.wait(timeout=len(jobs) * (limits.setup_seconds + limits.wall_seconds + 1.0))
                stopped = False
            except subprocess.TimeoutExpired:
                stopped = True
        finally:
            _kill(process, init_pidfd)
        result.seek(0)
        reports = result.read().splitlines()[:len(jobs)]
        stderr_tail = _tail(stderr, limits.max_stderr_bytes)
        if len(reports) < len(jobs) and not stopped:
            raise SandboxError(f"the sandbox harness stopped after {len(reports)} of {len(jobs)} jobs: "
                               f"{stderr_tail[-400:] or 'no message'}")
        return _outcomes(reports, len(jobs), stderr_tail, sandboxed)


def _outcomes(lines: list[bytes], n_jobs: int, stderr: str, sandboxed: bool) -> list[Outcome]:
    """The harness's report per job; a job it never reported on (stopped by the safety net) timed out."""
    outcomes = []
    for line in lines[:n_jobs]:
        report = json.loads(line)
        if not report["started"]:
            raise SandboxError(f"the sandbox did not start: {stderr[-400:] or 'no message'}")
        outcomes.append(Outcome(report["result"].encode("latin-1"), report["timed_out"], report["returncode"],
                                stderr, sandboxed))
    outcomes += [Outcome(b"", True, None, stderr, sandboxed)] * (n_jobs - len(outcomes))
    return outcomes


@functools.lru_cache(maxsize=1)
def _harness_source() -> str:
    return Path(__file__).with_name("sandbox_harness.py").read_text(encoding="utf-8")


def _wait_ready(ready_read: int, seconds: float) -> bool:
    """True once the child reports that the untrusted code starts; False on exit or set-up timeout."""
    readable, _, _ = select.select([ready_read], [], [], seconds)
    return bool(readable) and os.read(ready_read, 1) == b"R"


def _kill(process: subprocess.Popen[bytes], init_pidfd: int | None) -> None:
    """Kill the whole sandbox and wait until nothing of it is left, on every path.

    bwrap itself may exit before its PID 1 has finished tearing the namespace down, so PID 1 is
    killed and awaited through its pidfd: the kernel kills and reaps every process of the
    namespace before PID 1 counts as exited."""
    try:
        if init_pidfd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(init_pidfd, signal.SIGKILL)
            select.select([init_pidfd], [], [], 10.0)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finally:
        if init_pidfd is not None:
            os.close(init_pidfd)


def _sandbox_init_pidfd(info: Any) -> int | None:
    """A pidfd of bwrap's PID 1, opened as the program starts, while PID 1 is alive (it lives as
    long as the program; a pidfd then keeps naming it whatever happens to the pid)."""
    info.seek(0)
    try:
        pid = int(json.loads(info.read(4096) or b"{}").get("child-pid", 0))
        return os.pidfd_open(pid) if pid > 1 else None
    except (ValueError, OSError, AttributeError):
        return None  # already gone (its namespace with it), or no pidfd support: bwrap's kill suffices


def _tail(handle: Any, limit: int) -> str:
    handle.seek(0, os.SEEK_END)
    handle.seek(max(0, handle.tell() - limit))
    return handle.read(limit).decode("utf-8", "replace").strip()
