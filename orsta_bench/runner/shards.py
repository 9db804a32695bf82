"""Shard files of a data-parallel run and their merge into samples.jsonl.

Rank r of a launch appends its records to DIR/samples.shard-<r>.jsonl (same line format and
crash safety as samples.jsonl). Finished samples are read from samples.jsonl and every shard
file, so a resume with another process count redoes nothing. The merge appends each shard's
complete lines whose (task, id) samples.jsonl does not hold yet, syncs, then deletes the shard:
a merge killed half way is finished by the next run without duplicates.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from orsta_bench.distributed import Launch
from orsta_bench.jsonlines import LineError, decode_line, iter_lines
from orsta_bench.runner.folder import SAMPLES_FILE, RunFolderError

SHARD_GLOB = "samples.shard-*.jsonl"


def shard_path(folder: Path, rank: int) -> Path:
    return Path(folder) / f"samples.shard-{rank}.jsonl"


def shard_files(folder: Path) -> list[Path]:
    return sorted(Path(folder).glob(SHARD_GLOB))


def _exists_as_file(path: Path) -> bool:
    """False when `path` is absent; RunFolderError when it is not a regular file (a device or a
    FIFO would be read until memory runs out, or block for ever)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(mode):
        raise RunFolderError(f"{path} is not a regular file; this is not a run folder written by "
                             "orsta-bench run: choose another --output")
    return True


def _complete_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, line with its newline) for every complete non-blank line; a torn last
    line (no newline: a kill mid-write) is skipped, it is redone."""
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.endswith(b"\n") and line.strip():
                yield number, line


def _key(line: bytes, where: str) -> tuple[str, str]:
    try:
        record = decode_line(line)
        return str(record["task"]), str(record["id"])
    except (LineError, KeyError, TypeError):
        raise RunFolderError(f"{where}: not a sample record; fix or delete that line, or use "
                             "another --output") from None


def keys_in(path: Path) -> set[tuple[str, str]]:
    """(task, id) of every complete record of one samples file (missing file: none)."""
    if not _exists_as_file(path):
        return set()
    return {_key(line, f"{path}:{number}") for number, line in _complete_lines(path)}


def cut_torn_tail(path: Path) -> None:
    """Drop an unfinished last line before appending to `path` (only its writer may do this)."""
    if not _exists_as_file(path):
        return
    size = path.stat().st_size
    with path.open("r+b") as handle:
        start = max(size - 65536, 0)
        while True:
            handle.seek(start)
            chunk = handle.read(size - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0 or start == 0:
                end = start + cut + 1
                break
            start = max(start - 65536, 0)
        if end < size:
            handle.truncate(end)


def finished_keys(folder: Path) -> set[tuple[str, str]]:
    """Every sample recorded in samples.jsonl or any shard file of the folder."""
    keys = keys_in(Path(folder) / SAMPLES_FILE)
    for shard in shard_files(folder):
        keys |= keys_in(shard)
    return keys


def merge_shards(folder: Path) -> int:
    """Move every shard's records into samples.jsonl (streaming); returns the lines added."""
    shards = shard_files(folder)
    if not shards:
        return 0
    target = Path(folder) / SAMPLES_FILE
    cut_torn_tail(target)
    have = keys_in(target)
    added = 0
    with target.open("ab") as out:
        for shard in shards:
            for number, line in _complete_lines(shard):
                key = _key(line, f"{shard}:{number}")
                if key not in have:
                    out.write(line)
                    have.add(key)
                    added += 1
        out.flush()
        os.fsync(out.fileno())
    for shard in shards:
        shard.unlink()
    return added


class ShardFollower:
    """Rank 0's view of the other ranks' progress: reads the lines they appended to their
    shard files since the last look (at most once a second) and advances the display."""

    def __init__(self, folder: Path, launch: Launch, display: Any, every_s: float = 1.0) -> None:
        others = range(1, launch.world_size) if launch.is_main and display is not None else ()
        self.paths = [shard_path(folder, rank) for rank in others]
        self.offsets = {path: path.stat().st_size if path.exists() else 0 for path in self.paths}
        self.display = display
        self.every_s = every_s
        self._last = 0.0

    def poll(self) -> None:
        if not self.paths or time.monotonic() - self._last < self.every_s:
            return
        self._last = time.monotonic()
        for path in self.paths:
            if not path.exists():
                continue
            with path.open("rb") as handle:
                handle.seek(self.offsets[path])
                data = handle.read()
            end = data.rfind(b"\n") + 1
            self.offsets[path] += end
            for _, line in iter_lines(data[:end]):
                try:
                    record = decode_line(line)
                    self.display.advance(str(record["spec"]), str(record["status"]))
                except (ValueError, KeyError, TypeError):
                    continue  # display only; the merge reports bad lines
