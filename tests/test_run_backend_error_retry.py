"""A run whose model never answers ends by saying how many samples got no answer and the
command that retries them; that command, then the same run command, really retries only those."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "run_tasks"
N_SAMPLES = 22  # 12 counting + 10 arithmetic


def _run(cli, output: Path, model: str) -> subprocess.CompletedProcess:
    args = ["run", "--model", model, "--tasks", "runfix", "--tasks-dir", str(FIXTURES),
            "--output", str(output), "--no-progress", "--workers", "1"]
    if model.startswith("openai:"):  # nothing listens on port 9: every request fails at once
        args += ["--backend-args", "max_retries=0,timeout=2,concurrency=4"]
    return cli(*args)


def test_closing_note_counts_backend_errors_and_its_command_retries_them(cli, tmp_path: Path) -> None:
    output = tmp_path / "run"
    done = _run(cli, output, "openai:http://127.0.0.1:9/v1#absent")
    assert done.returncode == 1, done.stderr
    assert f"{N_SAMPLES} sample(s) got no answer from the model (backend_error" in done.stderr
    command = next(line.strip() for line in done.stderr.splitlines() if line.strip().startswith("sed -i"))

    again = _run(cli, output, "openai:http://127.0.0.1:9/v1#absent")  # plain resume keeps them
    assert "0 evaluated" in again.stdout, again.stdout

    subprocess.run(["bash", "-c", command], check=True)
    assert (output / "samples.jsonl").read_text() == ""
    retried = _run(cli, output, "openai:http://127.0.0.1:9/v1#absent")
    assert f"{N_SAMPLES} evaluated" in retried.stdout, retried.stdout
    records = [json.loads(line) for line in (output / "samples.jsonl").read_text().splitlines()]
    assert len(records) == N_SAMPLES and {r["status"] for r in records} == {"backend_error"}


def test_no_note_when_every_sample_was_answered(cli, tmp_path: Path) -> None:
    done = _run(cli, tmp_path / "run", "oracle")
    assert done.returncode == 0, done.stderr
    assert "got no answer" not in done.stderr


def test_the_command_keeps_answered_samples_even_quoting_the_pattern(tmp_path: Path) -> None:
    from orsta_bench.cli.run_notes import backend_error_note
    from orsta_bench.runner.folder import RunFolder

    folder = RunFolder(tmp_path)
    answered = {"task": "t", "id": "1", "status": "ok", "response": '{"status":"backend_error"}'}
    failed = {"task": "t", "id": "2", "status": "backend_error", "response": ""}
    folder.append(answered)
    folder.append(failed)
    folder.close()
    command = backend_error_note(1, tmp_path).splitlines()[-1].strip()
    subprocess.run(["bash", "-c", command], check=True)
    assert folder.finished_keys() == {("t", "1")}
