"""The run folder on disk: run.json (fingerprint), samples.jsonl (append-only, one line per
finished sample) and results.json (atomic, at the end).

Crash safety: each record is one write() of a whole line to an unbuffered append-mode file, so
a SIGKILL loses at most the samples in flight; a torn last line is cut off before appending on
resume, so it is redone and never duplicated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orsta_bench.atomic import write_json_atomic
from orsta_bench.runner.fingerprint_change import describe_fingerprint_change
from orsta_bench.safe_files import read_regular

SAMPLES_FILE = "samples.jsonl"
RUN_FILE = "run.json"
RESULTS_FILE = "results.json"
MAX_RUN_FILE_BYTES = 64 * 2**20  # run.json is a few KiB: settings and one hash per task
# Fingerprint keys a resume must match exactly (batch size, workers, display: free to change).
FINGERPRINT_KEYS = ("model", "model_name", "backend_args", "generation", "spec_hashes", "seed",
                    "limit", "package_version")


class RunFolderError(ValueError):
    """The output folder cannot be used as asked; the message says why and what to do."""


class RunFolder:
    def __init__(self, path: Path, records_name: str = SAMPLES_FILE) -> None:
        """`records_name`: the file this process appends to (a rank's shard, see shards.py)."""
        self.path = Path(path)
        self.samples_path = self.path / SAMPLES_FILE
        self.records_path = self.path / records_name
        self._handle: Any = None

    def check_fingerprint(self, fingerprint: dict[str, Any]) -> bool:
        """True when the folder holds a run with the same settings (resume); False for a new
        run; RunFolderError on any mismatch. Writes nothing."""
        run_file = self.path / RUN_FILE
        if not run_file.exists():
            if self.samples_path.exists() and self.samples_path.stat().st_size > 0:
                raise RunFolderError(f"{self.samples_path} exists but {run_file} does not; this is "
                                     "not a run folder written by orsta-bench run: choose another --output")
            return False
        old = self._read_run_json()
        changed = describe_fingerprint_change(old, fingerprint, FINGERPRINT_KEYS)
        if changed:
            raise RunFolderError(
                f"{self.path} holds a run with different settings ({changed}); resuming would "
                "mix results: use a new --output or the same settings (or delete the folder to "
                "start over)")
        return True

    def start(self, fingerprint: dict[str, Any], described: dict[str, Any]) -> None:
        """Write run.json for a new run (after the backend loaded, so a bad setting leaves
        nothing behind); on resume, refuse a backend that describes itself differently."""
        run_file = self.path / RUN_FILE
        if not run_file.exists():
            self.path.mkdir(parents=True, exist_ok=True)
            write_json_atomic(run_file, {**fingerprint, "backend": described})
            return
        recorded = self._read_run_json().get("backend")
        if recorded != described:
            raise RunFolderError(
                f"{self.path}: the model loaded now ({_short(described)}) differs from the one this "
                f"run started with ({_short(recorded)}); use another --output folder")

    def _read_run_json(self) -> dict[str, Any]:
        run_file = self.path / RUN_FILE
        try:  # bounded: a run.json that is a device or a FIFO must not be read until memory runs out
            data = json.loads(read_regular(run_file, MAX_RUN_FILE_BYTES).decode("utf-8"))
        except (OSError, ValueError) as error:  # ValueError: bad JSON, non-UTF-8, not a regular file
            raise RunFolderError(f"{run_file}: unreadable ({error}); delete the folder or "
                                 "choose another --output") from None
        if not isinstance(data, dict):
            raise RunFolderError(f"{run_file}: holds {type(data).__name__}, not the run's settings "
                                 "(a JSON object); delete the folder or choose another --output")
        return data

    def finished_keys(self) -> set[tuple[str, str]]:
        """(task, id) of every complete record in samples.jsonl and the shard files; first cuts
        a torn last line off the file this process appends to."""
        from orsta_bench.runner.shards import cut_torn_tail, finished_keys

        cut_torn_tail(self.records_path)
        return finished_keys(self.path)

    def append(self, record: dict[str, Any]) -> None:
        if self._handle is None:
            self._handle = open(self.records_path, "ab", buffering=0)  # noqa: SIM115
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        self._handle.write(line.encode("utf-8"))

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def write_results(self, results: dict[str, Any]) -> None:
        write_json_atomic(self.path / RESULTS_FILE, results)


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
