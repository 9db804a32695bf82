"""The run-folder lock: one `orsta-bench run` (one launch, however many processes) per folder.

An exclusive POSIX record lock (fcntl.lockf) on DIR/.lock: stdlib, so it fits every
environment's pins. Unlike flock it belongs to the process, not to the open file, so forked
scoring workers do not inherit it and a killed run's lock dies with the run itself; the kernel
drops it when its holder dies, so a lock left by a killed process is simply taken. The holder's
host and PID written into the file name the owner in the refusal and in the takeover message.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import socket
from pathlib import Path

from orsta_bench.runner.folder import RUN_FILE, RunFolderError

LOCK_FILE = ".lock"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """Held from acquire() to release(); `note` says whether a stale lock was taken over."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / LOCK_FILE
        self.note: str | None = None
        self._fd: int | None = None
        self._created_folder = False

    def acquire(self) -> RunLock:
        """Take the lock at once or raise RunFolderError naming the holder; never waits."""
        try:
            if not self.folder.exists():
                self.folder.mkdir(parents=True)
                self._created_folder = True
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise RunFolderError(f"{self.folder}: cannot write the run folder ({error.strerror}); "
                                 "choose a writable --output") from None
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            holder = _read_holder(fd)
            os.close(fd)
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise RunFolderError(f"{self.path}: cannot lock ({error.strerror})") from None
            raise RunFolderError(
                f"{self.folder} is in use by another orsta-bench run ({holder or 'holder unknown'}); "
                "wait for it to finish or choose another --output") from None
        self._fd = fd
        previous = _read_holder(fd)
        if previous:
            self.note = f"took over the stale lock of {previous} in {self.folder}" + (
                " (that process is gone)" if _is_dead_here(previous) else "")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"host {socket.gethostname()} pid {os.getpid()}\n".encode(), 0)
        return self

    def release(self) -> None:
        """Unlock; a folder this lock created and no run ever started in is removed again."""
        if self._fd is None:
            return
        if self._created_folder and not (self.folder / RUN_FILE).exists():
            shutil.rmtree(self.folder, ignore_errors=True)
        else:
            os.ftruncate(self._fd, 0)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_holder(fd: int) -> str:
    try:
        return os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _is_dead_here(holder: str) -> bool:
    parts = holder.split()
    if len(parts) != 4 or parts[1] != socket.gethostname() or not parts[3].isdigit():
        return False
    return not _pid_alive(int(parts[3]))
