"""Runs inside the sandbox (as text, under `python -I -S`) as its PID 1: one child per job.

Not imported by the package. Trusted: it starts before any job's code is read. It forks one child
per job; each child leaves the harness's session, sets the limits, drops root (when the sandbox
runs as root), closes the harness's channels and runs the trusted child source with `job`,
`ready_fd` and `result_fd` (a fresh memfd). The harness enforces the set-up and wall limits per
job (the wall clock starts when the child writes b"R" to ready_fd), then kills every other
process of the namespace (kill(-1) from PID 1) and reaps them all before the next job, so no
process of one job lives into the next. It reports one JSON line per job to its result channel.

The children cannot touch the harness (docs/megabench.md, "program_judge sandbox"): it is the
namespace's init, to which the kernel delivers no signal from inside the namespace that has no
handler (SIGINT is reset to its default for this), it is not dumpable (no /proc/1/mem, /proc/1/fd
or ptrace access for same-uid children; seccomp refuses ptrace and process_vm_* besides) and,
where the sandbox runs as root, the children run as another uid.
"""

import atexit
import contextlib
import ctypes
import json
import os
import resource
import select
import signal
import sys

payload_fd, ready_fd, result_fd = map(int, sys.argv[1:4])
del sys.argv[1:]
with os.fdopen(payload_fd, "rb") as handle:
    spec = json.loads(handle.read())
signal.signal(signal.SIGINT, signal.SIG_DFL)  # init ignores signals it has no handler for
if ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE = 0
    raise SystemExit("sandbox: could not make the harness non-dumpable")
for module in spec["preload"]:
    __import__(module)
child_code = compile(spec["child"], "<sandbox-child>", "exec")
is_init = os.getpid() == 1


def run_child(job, child_ready, child_result):
    """In the forked child: set up as a fresh sandboxed process would be, then run the child."""
    os.close(result_fd)
    os.setsid()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for name, value in spec["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (value, value))
    if spec["drop_root"] and os.getuid() == 0:
        os.setgroups([])
        os.setresgid(spec["uid"], spec["uid"], spec["uid"])
        os.setresuid(spec["uid"], spec["uid"], spec["uid"])
        if 0 in os.getresuid() or 0 in os.getresgid():
            raise SystemExit("sandbox: could not drop root")
    exec(child_code, {"__name__": "__sandbox_child__", "job": job, "ready_fd": child_ready, "result_fd": child_result})


def child_main(job, child_ready, child_result):
    code = 0
    try:
        run_child(job, child_ready, child_result)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    # What a finishing interpreter does: wait for non-daemon threads, then run the atexit functions.
    if "threading" in sys.modules:
        with contextlib.suppress(BaseException):
            sys.modules["threading"]._shutdown()
    with contextlib.suppress(BaseException):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()
    os._exit(code & 0xFF)


def kill_all(pid):
    """Kill the job's child and everything it started; reap them all. Its exit status."""
    status = None
    if not is_init:  # unsandboxed: only the child's own session can be reached
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    while True:
        if is_init:
            with contextlib.suppress(OSError):
                os.kill(-1, signal.SIGKILL)  # from PID 1: every other process of the namespace
        try:
            reaped, wait_status = os.waitpid(-1, 0)
        except ChildProcessError:
            return status
        if reaped == pid:
            status = wait_status


def run_job(job):
    child_result = os.memfd_create("result")
    child_ready, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(child_ready)
        child_main(job, ready_write, child_result)
    os.close(ready_write)
    started = timed_out = False
    try:
        readable = select.select([child_ready], [], [], spec["setup_seconds"])[0]
        started = bool(readable) and os.read(child_ready, 1) == b"R"
        if started:
            exited = os.pidfd_open(pid)
            timed_out = not select.select([exited], [], [], spec["wall_seconds"])[0]
            os.close(exited)
    finally:
        status = kill_all(pid)
        os.close(child_ready)
    data = os.pread(child_result, spec["max_result_bytes"], 0)
    os.close(child_result)
    code = None if timed_out or status is None else os.waitstatus_to_exitcode(status)
    return {"started": started, "timed_out": timed_out, "returncode": code, "result": data.decode("latin-1")}


os.write(ready_fd, b"R")
os.close(ready_fd)
for each in spec["jobs"]:
    line = (json.dumps(run_job(each)) + "\n").encode()
    while line:
        line = line[os.write(result_fd, line):]
