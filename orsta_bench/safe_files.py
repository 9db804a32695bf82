"""The path policy for every file a task spec names (spec files, includes, data files, images).

A spec comes from a third party, so the files it names are checked before anything is read or
written: the real path (symlinks followed) must be a regular file (not a device such as /dev/zero,
a FIFO, a socket or a folder), within a size cap, and inside an allowed root: the task folder the
spec was found in, or a data root the user named (--data-root, $ORSTA_DATA_ROOT, or the data
folders $ORSTA_DATA_DIR / $ORSTA_MEGABENCH_DIR). The check is an lstat of the real path; it reads
no bytes. Reads then open without blocking and re-check the open file, so a file swapped after
the check still cannot hang or flood the reader. docs/specs.md ("Path policy") documents this.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

DATA_ROOT_ENV = "ORSTA_DATA_ROOT"
# Folders the user names through these variables are data roots too (they point at data).
DATA_DIR_ENVS = ("ORSTA_DATA_DIR", "ORSTA_MEGABENCH_DIR")

MAX_IMAGE_BYTES = 64 * 2**20
MAX_DATA_FILE_BYTES = 64 * 2**30


class UnsafePathError(ValueError):
    """A path a spec names breaks the path policy; the message names the path and the fix."""


def env_data_roots() -> list[Path]:
    """Data roots the environment names: $ORSTA_DATA_ROOT (os.pathsep-separated) and the data
    folders of the V-Triune and MEGA-Bench sources."""
    raw = os.environ.get(DATA_ROOT_ENV, "").split(os.pathsep)
    raw += [os.environ.get(name, "") for name in DATA_DIR_ENVS]
    return [Path(item).expanduser() for item in raw if item.strip()]


def real_roots(roots: Iterable[Path]) -> tuple[Path, ...]:
    """The roots as real absolute paths, without repeats, in the given order."""
    seen: list[Path] = []
    for root in roots:
        real = Path(os.path.realpath(Path(root).expanduser()))
        if real not in seen:
            seen.append(real)
    return tuple(seen)


def _inside(real: Path, roots: tuple[Path, ...]) -> bool:
    return any(real == root or real.is_relative_to(root) for root in roots)


def _outside_message(what: str, shown: Path, real: Path, roots: tuple[Path, ...]) -> str:
    allowed = ", ".join(str(root) for root in roots) or "none"
    return (f"{what} {shown}{_via(shown, real)} is outside the allowed folders ({allowed}); move it under the "
            f"spec's folder, or name its folder with --data-root or ${DATA_ROOT_ENV} "
            "(docs/specs.md, Path policy)")


def _via(shown: Path, real: Path) -> str:
    return "" if real == Path(os.path.abspath(shown)) else f" (it leads to {real})"


def check_file(path: str | Path, roots: Iterable[Path], what: str, max_bytes: int) -> Path:
    """The real path of `path` after the policy check (regular, <= max_bytes, inside roots)."""
    shown = Path(path)
    real = Path(os.path.realpath(shown))
    try:
        info = os.lstat(real)
    except OSError as error:
        raise UnsafePathError(f"{what} {shown} cannot be used: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = _kind(info.st_mode)
        raise UnsafePathError(f"{what} {shown}{_via(shown, real)} is {kind}, not a regular file; "
                              "point it at a regular file")
    if info.st_size > max_bytes:
        raise UnsafePathError(f"{what} {shown} is {info.st_size:,} bytes, over the cap of "
                              f"{max_bytes:,} (docs/specs.md, Caps); use a smaller file")
    checked = real_roots(roots)
    if not _inside(real, checked):
        raise UnsafePathError(_outside_message(what, shown, real, checked))
    return real


def check_dir(path: str | Path, roots: Iterable[Path], what: str) -> Path:
    """The real path of a folder a spec names, after checking it is a folder inside roots."""
    shown = Path(path)
    real = Path(os.path.realpath(shown))
    checked = real_roots(roots)
    if not real.is_dir():
        raise UnsafePathError(f"{what} {shown} is not a folder; point it at the data folder")
    if not _inside(real, checked):
        raise UnsafePathError(_outside_message(what, shown, real, checked))
    return real


@contextmanager
def open_regular(path: str | Path, what: str = "") -> Iterator[BinaryIO]:
    """`path` opened for binary reading without ever blocking on a FIFO or streaming a device;
    UnsafePathError unless the open file itself is a regular file (safe even if swapped since an
    lstat check). `what` ("data file") opens the messages."""
    shown = f"{what} {path}" if what else str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise UnsafePathError(f"{shown} cannot be read: {error.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnsafePathError(f"{shown} is {_kind(info.st_mode)}, not a regular file")
        yield handle


def read_regular(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most max_bytes, read without ever blocking on a FIFO
    or streaming a device: the open file itself is checked (safe even if swapped since lstat)."""
    with open_regular(path) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnsafePathError(f"{path} is over the cap of {max_bytes:,} bytes (docs/specs.md, Caps)")
    return data


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"
