"""Run-folder probes of issue 18, kept as regressions: two runs on one folder, a stale lock, a
folder that cannot be written, and run folders whose files are not what a run writes.

Each probe works in its own temporary folder (victim files, FIFOs and symlinks to /dev/zero are
made there) and runs the real `orsta-bench run --model oracle --workers 0` as a subprocess limited
in wall time and address space. A refusal holds when the exit code is 2, stderr is one `error:`
line naming the file and no traceback, and the folder is as it was (an empty `.lock` aside: the
lock file is kept, see orsta_bench/runner/lock.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

TIME_LIMIT_S = 300
MEMORY_CAP_BYTES = 3 * 1024**3
LIMIT = 100  # samples per synth task (8 tasks): enough to catch a run half way
ROOT = Path(__file__).resolve().parents[1]
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]  # root ignores file modes


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def _command(output: Path, prefix: list[str] | None = None) -> list[str]:
    return [*(prefix or []), sys.executable, "-m", "orsta_bench.cli", "run", "--model", "oracle", "--tasks",
            "synth", "--limit", str(LIMIT), "--output", str(output), "--no-progress", "--workers", "0"]


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT)}


def _run(output: Path, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(_command(output, prefix), capture_output=True, text=True, timeout=TIME_LIMIT_S,
                          env=_env(), cwd=output.parent, preexec_fn=_cap_memory)


def _start(output: Path) -> subprocess.Popen:
    return subprocess.Popen(_command(output), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(),
                            cwd=output.parent, preexec_fn=_cap_memory)


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.is_file() else 0


def _wait_for_samples(process: subprocess.Popen, samples: Path) -> str | None:
    """Block until the run wrote its first sample (then it holds the lock and is half way)."""
    deadline = time.monotonic() + TIME_LIMIT_S
    while _lines(samples) == 0:
        if process.poll() is not None:
            return f"the first run ended (exit {process.returncode}) before writing a sample"
        if time.monotonic() > deadline:
            return "the first run wrote no sample in time"
        time.sleep(0.005)
    return None


def _snapshot(folder: Path) -> dict[str, str]:
    """Every entry under `folder` with its kind and content hash (an empty .lock left out)."""
    seen: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            seen[name] = f"link {os.readlink(path)}"
        elif path.is_file():
            if path.name == ".lock" and path.stat().st_size == 0:
                continue
            seen[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            seen[name] = "folder" if path.is_dir() else "other"
    return seen


def _refused(done: subprocess.CompletedProcess, words: list[str]) -> str | None:
    """None when the run exited 2 with one `error:` line holding every word and no traceback."""
    lines = done.stderr.strip().splitlines()
    if done.returncode != 2:
        return f"exit {done.returncode}, wanted 2: {done.stderr.strip()[-300:]}"
    if "Traceback" in done.stderr or not lines or not lines[0].startswith("error:"):
        return f"not a one-line error: {done.stderr.strip()[-300:]}"
    missing = [word for word in words if word not in done.stderr]
    return f"the message lacks {missing}: {lines[0][:300]}" if missing else None


def _complete(output: Path) -> str | None:
    """None when samples.jsonl holds every sample once and results.json counts them all."""
    keys = [(record["task"], str(record["id"])) for record in
            (json.loads(line) for line in (output / "samples.jsonl").read_text().splitlines())]
    if len(keys) != len(set(keys)):
        return f"{len(keys) - len(set(keys))} duplicated sample(s)"
    counted = sum(task["n"] for task in json.loads((output / "results.json").read_text())["tasks"].values())
    return None if counted == len(keys) else f"results.json counts {counted} samples, samples.jsonl holds {len(keys)}"


def _resumes(output: Path) -> str | None:
    """None when a rerun finds nothing to do and leaves samples.jsonl as it was."""
    before = (output / "samples.jsonl").read_bytes()
    done = _run(output)
    if done.returncode != 0 or " 0 evaluated" not in done.stdout:
        return f"the resume did not find the run finished (exit {done.returncode}): {done.stderr.strip()[-300:]}"
    return None if (output / "samples.jsonl").read_bytes() == before else "the resume changed samples.jsonl"


def concurrent_run(tmp: Path) -> str | None:
    """A second run while the first holds the folder (stopped half way): exit 2 at once naming the
    holder's host and PID, nothing written; the first then finishes whole and a resume works."""
    output = tmp / "run"
    first = _start(output)
    try:
        problem = _wait_for_samples(first, output / "samples.jsonl")
        if problem:
            return problem
        first.send_signal(signal.SIGSTOP)
        held = _lines(output / "samples.jsonl")
        if held >= 8 * LIMIT:
            return "the first run finished before it could be stopped half way"
        second = _run(output)
        problem = _refused(second, [f"host {socket.gethostname()} pid {first.pid}", "in use"])
        if problem:
            return problem
        if _lines(output / "samples.jsonl") != held:
            return "samples.jsonl changed while the first run was stopped"
        first.send_signal(signal.SIGCONT)
        if first.wait(timeout=TIME_LIMIT_S) != 0:
            return f"the first run exited {first.returncode} after the refused second one"
    finally:
        first.send_signal(signal.SIGCONT)
        if first.poll() is None:
            first.kill()
        first.wait()
    return _complete(output) or _resumes(output)


def stale_lock(tmp: Path) -> str | None:
    """A run SIGKILLed half way leaves its host and PID in .lock: the next run takes the lock
    over, says so, and finishes the run without duplicates."""
    output = tmp / "run"
    killed = _start(output)
    try:
        problem = _wait_for_samples(killed, output / "samples.jsonl")
    finally:
        killed.kill()
        killed.wait()
    if problem:
        return problem
    holder = f"host {socket.gethostname()} pid {killed.pid}"
    if (output / ".lock").read_text().strip() != holder:
        return f".lock holds {(output / '.lock').read_text()!r}, wanted {holder!r}"
    done = _run(output)
    if done.returncode != 0:
        return f"the run after the kill exited {done.returncode}: {done.stderr.strip()[-300:]}"
    if f"took over the stale lock of {holder}" not in done.stderr or "gone" not in done.stderr:
        return f"no takeover message naming {holder}: {done.stderr.strip()[-300:]}"
    return _complete(output)


def _as_other_user() -> list[str]:
    return NOBODY if os.geteuid() == 0 else []


def _read_only(tmp: Path, make: Callable[[Path], Path]) -> str | None:
    """`make` builds a read-only place and returns the --output inside it; the run must refuse
    it, and change nothing; the same user must be able to run in a writable folder (control)."""
    tmp.chmod(0o755)  # the other user must reach the folders
    output = make(tmp)
    before = _snapshot(tmp)
    try:
        done = _run(output, _as_other_user())
    finally:
        for path in [tmp, *tmp.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
    problem = _refused(done, [str(output), "cannot write the run folder", "writable --output"])
    if problem is None and _snapshot(tmp) != before:
        problem = "the read-only folder changed"
    return problem


def _writable_control(tmp: Path) -> str | None:
    tmp.chmod(0o755)
    place = tmp / "open"
    place.mkdir(mode=0o777)
    place.chmod(0o777)
    done = _run(place / "run", _as_other_user())
    return None if done.returncode == 0 else f"exit {done.returncode} as the same user: {done.stderr.strip()[-300:]}"


def _read_only_empty(tmp: Path) -> Path:
    (tmp / "ro").mkdir(mode=0o555)
    (tmp / "ro").chmod(0o555)
    return tmp / "ro"


def _read_only_parent(tmp: Path) -> Path:
    (tmp / "ro").mkdir(mode=0o555)
    (tmp / "ro").chmod(0o555)
    return tmp / "ro" / "run"


def _read_only_partial_run(tmp: Path) -> Path:
    """A resumable run (finished, then results.json and half the samples dropped), all read-only."""
    output = tmp / "run"
    if _run(output).returncode != 0:
        raise RuntimeError("could not make the partial run")
    samples = output / "samples.jsonl"
    lines = samples.read_bytes().splitlines(keepends=True)
    samples.write_bytes(b"".join(lines[: len(lines) // 2]))
    (output / "results.json").unlink()
    for path in output.iterdir():
        path.chmod(0o444)
    output.chmod(0o555)
    return output


def _bad_file(name: str, content: bytes | str) -> Callable[[Path], str | None]:
    """`name` in the run folder replaced by `content` (bytes; or 'device': a link to /dev/zero;
    'fifo': a FIFO); run.json of a real run is kept for the samples.jsonl cases."""

    def probe(tmp: Path) -> str | None:
        output = tmp / "run"
        output.mkdir()
        if name != "run.json":
            shutil.copy(_reference_run_json(tmp.parent), output / "run.json")
        target = output / name
        if content == "device":
            target.symlink_to("/dev/zero")
        elif content == "fifo":
            os.mkfifo(target)
        else:
            assert isinstance(content, bytes)
            target.write_bytes(content)
        before = _snapshot(output)
        problem = _refused(_run(output), [str(target)])
        if problem is None and _snapshot(output) != before:
            problem = "the folder changed"
        return problem

    return probe


def _reference_run_json(shared: Path) -> Path:
    """run.json of one finished run with the probes' settings, made once per check."""
    output = shared / "reference-run"
    if not (output / "run.json").exists():
        done = _run(output)
        if done.returncode != 0:
            raise RuntimeError(f"the reference run failed: {done.stderr[-300:]}")
    return output / "run.json"


PROBES: dict[str, Callable[[Path], str | None]] = {
    "concurrent_run": concurrent_run,
    "stale_lock": stale_lock,
    "read_only_empty_folder": lambda tmp: _read_only(tmp, _read_only_empty),
    "read_only_parent": lambda tmp: _read_only(tmp, _read_only_parent),
    "read_only_partial_run": lambda tmp: _read_only(tmp, _read_only_partial_run),
    "run_json_list": _bad_file("run.json", b"[]"),
    "run_json_null": _bad_file("run.json", b"null"),
    "run_json_not_utf8": _bad_file("run.json", b'\xff\xfe{"model": "oracle"}'),
    "run_json_string": _bad_file("run.json", b'"text"'),
    "run_json_torn": _bad_file("run.json", b'{"model": "ora'),
    "run_json_empty": _bad_file("run.json", b""),
    "run_json_dev_zero": _bad_file("run.json", "device"),
    "run_json_fifo": _bad_file("run.json", "fifo"),
    "samples_dev_zero": _bad_file("samples.jsonl", "device"),
    "samples_fifo": _bad_file("samples.jsonl", "fifo"),
    "control_writable_same_user": _writable_control,
}


def run_run_folders(names: list[str] | None = None) -> dict[str, Any]:
    """Every probe (or the named ones), each in its own temp folder; `passed` when all held."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="orsta-run-folders-") as shared:
        Path(shared).chmod(0o755)
        for name in names or list(PROBES):
            probe_dir = Path(shared) / name
            probe_dir.mkdir()
            started = time.perf_counter()
            try:
                problem = PROBES[name](probe_dir)
            except (subprocess.TimeoutExpired, RuntimeError, OSError, ValueError) as error:
                problem = f"{type(error).__name__}: {error}"
            results[name] = {"held": problem is None, "problem": problem or "",
                             "wall_s": round(time.perf_counter() - started, 1)}
    held = sum(result["held"] for result in results.values())
    return {"tried": len(results), "held": held, "probes": results, "passed": held == len(results)}
