"""`orsta-bench score`: score a JSONL of {id, verifier, params, response, reference, context}.

Every input line gets exactly one output line, in input order; a malformed line gets status `error`
with a reason and the run goes on. Scoring runs in killable worker processes with a per-item time
limit. With --output the file appears only when complete (written to a temporary file, then renamed).
"""

from __future__ import annotations

import ast
import json
import math
import stat
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from orsta_bench.atomic import atomic_path
from orsta_bench.cli.common import EXIT_FAILED, EXIT_OK, err_console, fail
from orsta_bench.jsonlines import MAX_DEPTH, LineError, decode_line, iter_lines, nesting_depth

LITERAL_STARTS = ("[", "{", "(")


def decode_literal(value: Any, field: str) -> Any:
    """A string holding a JSON / Python container literal becomes that value (never eval)."""
    if not isinstance(value, str) or not value.strip().startswith(LITERAL_STARTS):
        return value
    try:
        decoded = json.loads(value)
    except (ValueError, RecursionError):
        try:
            decoded = ast.literal_eval(value.strip())
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as error:
            raise ValueError(f"{field} looks like a literal but does not parse: {error}") from None
    if nesting_depth(decoded, MAX_DEPTH) > MAX_DEPTH:
        raise ValueError(f"{field} is nested deeper than {MAX_DEPTH} levels")
    return decoded


def read_record(raw: bytes, line_no: int) -> tuple[Any, Any]:
    """(id, ScoreJob) for a good line; (id or line number, error message) for a bad one."""
    from orsta_bench.scoring import ScoreJob

    try:
        record = decode_line(raw)
    except LineError as error:
        return line_no, f"line {line_no}: {error}"
    if not isinstance(record, dict):
        return line_no, f"line {line_no}: expected a JSON object, got {type(record).__name__}"
    record_id = record.get("id")
    if isinstance(record_id, bool) or not isinstance(record_id, (str, int)):
        return line_no, f"line {line_no}: field 'id' is required (a string or integer)"
    verifier = record.get("verifier")
    if not isinstance(verifier, str) or not verifier:
        return record_id, f"line {line_no}: field 'verifier' is required (a verifier name)"
    response = record.get("response")
    if not isinstance(response, str):
        return record_id, f"line {line_no}: field 'response' must be a string"
    params = record.get("params") or {}
    if not isinstance(params, dict):
        return record_id, f"line {line_no}: field 'params' must be an object"
    try:
        reference = record.get("reference")
        # V-Triune ground truths and single MEGA-Bench metrics take the reference string as it is.
        if not verifier.startswith(("vtriune.", "megabench.")):
            reference = decode_literal(reference, "reference")
        context = decode_literal(record.get("context") or {}, "context")
    except ValueError as error:
        return record_id, f"line {line_no}: {error}"
    if not isinstance(context, dict):
        return record_id, f"line {line_no}: field 'context' must be an object (or a string holding one)"
    return record_id, ScoreJob(verifier, response, reference, params, context)


def output_record(record_id: Any, score: Any) -> dict[str, Any]:
    components = {"accuracy": score.accuracy, "format": score.format, **score.parts}
    return _finite({
        "id": record_id, "score": score.value, "components": components,
        "status": score.status.value, "detail": score.detail, "parsed": score.parsed,
    })


def _finite(value: Any) -> Any:
    """JSON has no NaN/inf: such numbers become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return repr(value)[:200]


def score_command(
    input: Annotated[Path, typer.Option("--input", "-i", help="JSONL: one {id, verifier, params, response, reference, context} per line.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where to write the scored JSONL (default: stdout).")] = None,
    workers: Annotated[int, typer.Option("--workers", "-w", min=0, help="Scoring processes (0 = in-process, best-effort time limit).")] = 2,
    timeout: Annotated[float, typer.Option("--timeout", min=0.01, help="Seconds allowed per item; a slower item gets status timeout.")] = 10.0,
) -> None:
    """Score model responses with the built-in verifiers (same code path as run and train)."""
    from orsta_bench.score import Score, Status
    from orsta_bench.scoring import ScoreJob, ScoringPool

    try:
        if stat.S_ISCHR(input.stat().st_mode) or stat.S_ISBLK(input.stat().st_mode):  # /dev/zero: endless
            fail(f"--input {input} is a device, not a JSONL file; give a file (or a pipe)")
        data = input.read_bytes()
    except OSError as error:
        fail(f"cannot read --input {input}: {error.strerror or error}. Give an existing JSONL file.")
    if output is not None and not output.parent.exists():
        fail(f"--output folder {output.parent} does not exist; create it first.")

    entries: list[tuple[Any, Any]] = []
    seen: set[Any] = set()
    for line_no, raw in iter_lines(data):
        record_id, job = read_record(raw, line_no)
        if isinstance(job, ScoreJob):
            if record_id in seen:
                job = f"line {line_no}: duplicate id {record_id!r}"
            seen.add(record_id)
        entries.append((record_id, job))

    jobs = (job for _, job in entries if isinstance(job, ScoreJob))
    counts: Counter[str] = Counter()
    total = 0.0
    with _output(output) as target, ScoringPool(workers=workers, timeout_s=timeout) as pool:
        scores = pool.imap(jobs)
        for record_id, job in entries:
            score = next(scores) if isinstance(job, ScoreJob) else Score.failure(Status.ERROR, job)
            counts[score.status.value] += 1
            total += score.value if score.counts_in_score else 0.0
            target.write(json.dumps(output_record(record_id, score), allow_nan=False) + "\n")

    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "no records"
    err_console.print(f"scored {len(entries)} line(s): {summary}", highlight=False)
    raise typer.Exit(EXIT_FAILED if counts.get(Status.ERROR.value) else EXIT_OK)


@contextmanager
def _output(output: Path | None) -> Iterator[TextIO]:
    """stdout, or a file that appears at `output` only once every line is written."""
    if output is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with atomic_path(output) as temporary, open(temporary, "x", encoding="utf-8") as handle:
        yield handle
