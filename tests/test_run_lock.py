"""The run-folder lock and run-folder input checks (issue 18 "Run folders"): a second run on a
folder in use exits 2 at once naming the holder; a stale lock is taken over with a message; a
run.json that is not an object or not UTF-8, and a folder that cannot be written, exit 2."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from orsta_bench.runner.folder import RunFolder, RunFolderError
from orsta_bench.runner.lock import RunLock

FIXTURES = Path(__file__).parent / "fixtures" / "run_tasks"


def run(output: Path, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    cmd = [*(prefix or []), sys.executable, "-m", "orsta_bench.cli", "run", "--tasks", "runfix",
           "--tasks-dir", str(FIXTURES), "--output", str(output), "--no-progress", "--model",
           "oracle", "--workers", "0"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_second_run_on_a_locked_folder_exits_2_naming_the_holder(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    with RunLock(folder):
        done = run(folder)
    assert done.returncode == 2
    assert f"host {socket.gethostname()} pid {os.getpid()}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (folder / "samples.jsonl").exists()
    assert run(folder).returncode == 0  # released: the run goes ahead


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    (folder / ".lock").write_text(f"host {socket.gethostname()} pid {pid}\n")
    done = run(folder)
    assert done.returncode == 0, done.stderr
    assert f"took over the stale lock of host {socket.gethostname()} pid {pid}" in done.stderr  # --no-progress too
    lock = RunLock(folder).acquire()  # a finished run leaves no holder behind
    assert lock.note is None
    lock.release()
    (folder / ".lock").write_text(f"host {socket.gethostname()} pid {pid}\n")
    lock = RunLock(folder).acquire()
    assert lock.note is not None and f"pid {pid}" in lock.note and "gone" in lock.note
    lock.release()


def test_failed_start_leaves_no_folder(tmp_path: Path) -> None:
    folder = tmp_path / "new"
    with RunLock(folder):
        assert folder.is_dir()
    assert not folder.exists()


@pytest.mark.parametrize("content", [b"[]", b"null", b"\xff\xfe{not utf-8", b'"text"'])
def test_bad_run_json_exits_2(tmp_path: Path, content: bytes) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "run.json").write_bytes(content)
    done = run(folder)
    assert done.returncode == 2, done.stderr
    assert "run.json" in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(RunFolderError, match="run.json"):
        RunFolder(folder).check_fingerprint({})


def test_read_only_folder_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    tmp_path.chmod(0o755)
    prefix: list[str] = []
    if os.geteuid() == 0:  # root ignores file modes: run as nobody instead
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    try:
        done = run(folder, prefix)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2, done.stderr
    assert "cannot write the run folder" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("name", ["run.json", "samples.jsonl"])
@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_run_folder_file_that_is_a_device_or_fifo_exits_2(tmp_path: Path, name: str, target: str) -> None:
    """Read without a bound, /dev/zero ran into MemoryError and a FIFO blocked for ever."""
    folder = tmp_path / "run"
    folder.mkdir()
    if name == "samples.jsonl":
        (folder / "run.json").write_text("{}")  # reached only after the settings matched: see below
    if target == "fifo":
        os.mkfifo(folder / "fifo")
        target = str(folder / "fifo")
    (folder / name).symlink_to(target)
    if name == "run.json":
        done = run(folder)
        assert done.returncode == 2, done.stderr
        assert "run.json" in done.stderr and "not a regular file" in done.stderr
        assert "Traceback" not in done.stderr
    else:
        with pytest.raises(RunFolderError, match="samples.jsonl is not a regular file"):
            RunFolder(folder).finished_keys()
