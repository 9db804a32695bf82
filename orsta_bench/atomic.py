"""The one way orsta-bench writes a file or folder: whole or not at all, readable by others.

Everything is written under a hidden sibling name and renamed into place, so a reader (or a
killed run) never sees half a file. The temporary is created with the ordinary mode the
process's umask gives (0644 for a file, 0755 for a folder under umask 022), unlike
`tempfile.mkstemp`, which makes it 0600: results.json written that way could not be read by a CI
job running under another user.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def _sibling(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _remove(temporary: Path) -> None:
    if temporary.is_dir() and not temporary.is_symlink():
        shutil.rmtree(temporary, ignore_errors=True)
    else:
        temporary.unlink(missing_ok=True)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A fresh sibling path (not yet created) to write `path` through: when the block ends
    without an error it replaces `path`; otherwise it is removed. For writers that want a path
    (parquet, datasets); the file they create gets the umask's mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _sibling(path)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if temporary.exists() or temporary.is_symlink():
            _remove(temporary)


@contextmanager
def atomic_folder(path: str | Path) -> Iterator[Path]:
    """A fresh sibling folder (created, umask's mode) to build `path` in: renamed onto `path`
    when the block ends without an error (an existing empty folder is replaced; a non-empty one
    raises OSError), removed otherwise."""
    with atomic_path(path) as temporary:
        temporary.mkdir()
        yield temporary


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically, mode 0666 less the umask."""
    with atomic_path(path) as temporary, open(temporary, "x", encoding="utf-8") as handle:
        handle.write(text)


def write_json_atomic(path: str | Path, data: Any, sort_keys: bool = False) -> None:
    """Write `data` as indented JSON (non-ASCII kept, trailing newline) to `path` atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=sort_keys, ensure_ascii=False) + "\n")
