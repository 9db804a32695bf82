"""Read a run folder's `samples.jsonl` into the few fields aggregation and compare need.

The file is appended to while a run is alive and may end in a torn line after a kill; that one
line is ignored (the runner redoes it on resume). Anything else that is not a valid record is bad
input and is reported with its file and line, never guessed around.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orsta_bench.score import Status

SAMPLES_FILE = "samples.jsonl"
RESULTS_FILE = "results.json"
RUN_FILE = "run.json"


class RecordsError(ValueError):
    """A run folder or samples file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class SampleRecord:
    """One finished sample as aggregation sees it (docs/contracts.md "Run folder")."""

    task: str
    id: str
    data_source: str
    sample_hash: str
    value: float
    status: Status
    spec: str
    family: str
    category: str
    suite: str
    metric: str = "mean"
    dimensions: dict[str, list[str]] = field(default_factory=dict)
    judged: bool = False  # MEGA-Bench Open (judge-scored) task, when the record says so

    @property
    def counts(self) -> bool:
        """Whether the sample counts in scores (error / not_scored / backend_error do not)."""
        return self.status.counts_in_score

    @property
    def scored_value(self) -> float:
        """The value used in means: MEGA-Bench's -1 ("not applicable") counts as 0."""
        return self.value if self.value >= 0 else 0.0

    @property
    def key(self) -> tuple[str, str]:
        return (self.task, self.id)


def _text(record: dict[str, Any], name: str, where: str, default: str | None = None) -> str:
    value = record.get(name, default)
    if value is None or isinstance(value, (dict, list)):
        raise RecordsError(f"{where}: field {name!r} is missing or not a string/number; "
                           "each sample record needs task, id, sample_hash and score")
    return str(value)


def _dimensions(raw: Any, where: str) -> dict[str, list[str]]:
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise RecordsError(f"{where}: field 'dimensions' must be an object of key -> value(s)")
    out: dict[str, list[str]] = {}
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        out[str(key)] = [str(item) for item in values]
    return out


def parse_record(record: Any, where: str) -> SampleRecord:
    """Validate one decoded JSON line; `where` ("file:line") goes into every error message."""
    if not isinstance(record, dict):
        raise RecordsError(f"{where}: a sample record must be a JSON object")
    score = record.get("score")
    if not isinstance(score, dict):
        raise RecordsError(f"{where}: field 'score' must be a Score object "
                           "({value, status, ...}, see docs/contracts.md)")
    try:
        value = float(score.get("value", 0.0))
        status = Status(score.get("status", "ok"))
    except (TypeError, ValueError) as error:
        raise RecordsError(f"{where}: bad score ({error}); status must be one of "
                           f"{', '.join(s.value for s in Status)}") from None
    if value != value:  # NaN
        raise RecordsError(f"{where}: score value is NaN")
    task = _text(record, "task", where)
    return SampleRecord(
        task=task,
        id=_text(record, "id", where),
        data_source=_text(record, "data_source", where, default=task),
        sample_hash=_text(record, "sample_hash", where),
        value=value,
        status=status,
        spec=_text(record, "spec", where, default=task),
        family=_text(record, "family", where, default="unknown"),
        category=_text(record, "category", where, default="unknown"),
        suite=_text(record, "suite", where, default="unknown"),
        metric=_text(record, "metric", where, default="mean"),
        dimensions=_dimensions(record.get("dimensions"), where),
        judged=_megabench_eval_type(record) == "llm",
    )


def _megabench_eval_type(record: dict[str, Any]) -> str:
    """metadata.megabench.eval_type ("llm" | "rule"), present when samples are logged in full."""
    metadata = record.get("metadata")
    megabench = metadata.get("megabench") if isinstance(metadata, dict) else None
    return str(megabench.get("eval_type", "")) if isinstance(megabench, dict) else ""


def read_samples(path: Path) -> list[SampleRecord]:
    """All records of a samples.jsonl; a torn last line is ignored, duplicates are refused."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RecordsError(f"{path}: cannot read ({error.strerror}); pass a run folder written "
                           "by `orsta-bench run --output DIR`") from None
    lines = data.split(b"\n")
    torn_tail = not data.endswith(b"\n")  # the last element is then an unfinished line
    records: list[SampleRecord] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            decoded = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            if torn_tail and number == len(lines):
                break  # a kill mid-write: ignored, redone on resume
            raise RecordsError(f"{where}: not valid JSON; fix or delete this line") from None
        record = parse_record(decoded, where)
        if record.key in seen:
            raise RecordsError(f"{where}: sample (task={record.task!r}, id={record.id!r}) "
                               f"already appeared on line {seen[record.key]}; a run folder "
                               "holds each sample once")
        seen[record.key] = number
        records.append(record)
    return records


def resolve_run_dir(path: Path) -> Path:
    """A run folder, or a results.json / samples.jsonl inside one -> the folder."""
    if path.is_dir():
        folder = path
    elif path.name in (RESULTS_FILE, SAMPLES_FILE) or path.suffix == ".json":
        folder = path.parent
    else:
        raise RecordsError(f"{path}: not a run folder or results.json; pass the --output folder "
                           "of `orsta-bench run`")
    if not (folder / SAMPLES_FILE).is_file():
        raise RecordsError(f"{folder}: no {SAMPLES_FILE} there; compare and aggregation need "
                           "the per-sample records a run writes beside results.json")
    return folder


def read_run_json(run_dir: Path) -> dict[str, Any]:
    """DIR/run.json (the run's fingerprint) or {} when the folder has none."""
    path = run_dir / RUN_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise RecordsError(f"{path}: not readable JSON ({error}); fix or delete it") from None
    if not isinstance(data, dict):
        raise RecordsError(f"{path}: must hold a JSON object")
    return data
