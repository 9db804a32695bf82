"""`orsta-bench run` end to end on the fixture tasks: run folder contents, resume after a torn
line and after SIGKILL (no loss, no duplicates, same results), fingerprint refusal, bad
settings -> exit 2 with nothing written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "run_tasks"
N_SAMPLES = 22  # 12 counting + 10 arithmetic


def run(args: list[str], output: Path, **kwargs) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "orsta_bench.cli", "run", "--tasks", "runfix", "--tasks-dir",
           str(FIXTURES), "--output", str(output), "--no-progress", *args]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, **kwargs)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def task_scores(output: Path) -> dict:
    results = json.loads((output / "results.json").read_text())
    return {name: (t["score"], t["n"], t["n_scored"], t["ci_low"], t["ci_high"], t["status_counts"])
            for name, t in results["tasks"].items()}


@pytest.fixture(scope="module")
def oracle_run(tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("oracle") / "run"
    done = run(["--model", "oracle", "--workers", "1"], output)
    assert done.returncode == 0, done.stderr
    return output


def test_oracle_run_writes_complete_folder(oracle_run: Path) -> None:
    records = lines(oracle_run / "samples.jsonl")
    assert len(records) == N_SAMPLES
    first = records[0]
    for key in ("task", "id", "data_source", "sample_hash", "prompt", "images", "response",
                "score", "timing", "spec", "family", "category", "suite", "dimensions", "status"):
        assert key in first, key
    counting = next(r for r in records if r["task"] == "run_count")
    assert counting["images"] and "sha256" in counting["images"][0]
    assert all(r["status"] == "ok" and r["score"]["value"] == 1.0 for r in records)
    run_json = json.loads((oracle_run / "run.json").read_text())
    assert set(run_json["spec_hashes"]) == {"run_count", "run_arith"}
    assert run_json["model"] == "oracle" and "git_revision" in run_json
    results = json.loads((oracle_run / "results.json").read_text())
    assert results["tasks"]["run_count"]["score"] == 1.0
    assert results["suites"]["runfix"]["score"] == 1.0


def test_resume_after_torn_line_redoes_only_missing(oracle_run: Path, tmp_path: Path) -> None:
    output = tmp_path / "run"
    output.mkdir()
    (output / "run.json").write_bytes((oracle_run / "run.json").read_bytes())
    raw = (oracle_run / "samples.jsonl").read_bytes().splitlines(keepends=True)
    # Keep 7 whole lines and half of the 8th, as a kill in mid-write would leave them.
    (output / "samples.jsonl").write_bytes(b"".join(raw[:7]) + raw[7][: len(raw[7]) // 2])
    done = run(["--model", "oracle", "--workers", "1"], output)
    assert done.returncode == 0, done.stderr
    records = lines(output / "samples.jsonl")
    keys = [(r["task"], r["id"]) for r in records]
    assert len(keys) == len(set(keys)) == N_SAMPLES
    assert task_scores(output) == task_scores(oracle_run)


def test_changed_generation_setting_is_refused(oracle_run: Path, tmp_path: Path) -> None:
    before = (oracle_run / "samples.jsonl").read_bytes()
    done = run(["--model", "oracle", "--gen-kwargs", "max_new_tokens=3"], oracle_run)
    assert done.returncode == 2
    assert "different max_new_tokens: 6 then, 3 now" in done.stderr, done.stderr
    assert "use a new --output or the same settings" in done.stderr
    assert (oracle_run / "samples.jsonl").read_bytes() == before


def test_changed_model_is_refused(oracle_run: Path) -> None:
    done = run(["--model", "tiny"], oracle_run)
    assert done.returncode == 2 and "different model: oracle then, tiny now" in done.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "oracle", "--backend-args", "dtype=float32"], "unknown key(s) dtype"),
    (["--model", "tiny", "--backend-args", "dtype=float64"], "dtype='float64'"),
    (["--model", "tiny", "--backend-args", "nodelimiter"], "is not key=value"),
    (["--model", "oracle", "--gen-kwargs", "temperature=hot"], "temperature='hot' is not a float"),
    (["--model", "openai:http://127.0.0.1:9/v1"], "--model-name NAME"),
    (["--model", "no-such-org/no-such-model"], "pass its local folder"),
    (["--model", "./no/such/folder"], "no such folder"),
])
def test_bad_settings_exit_2_and_write_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    output = tmp_path / "run"
    done = run(args, output)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert not output.exists()


@pytest.mark.slow
def test_sigkill_then_resume_matches_uninterrupted_run(tmp_path: Path) -> None:
    """Kill a tiny-model run mid-way with SIGKILL, resume it, and compare with a clean run."""
    args = ["--model", "tiny", "--batch-size", "1", "--workers", "1"]
    clean = tmp_path / "clean"
    assert run(args, clean).returncode == 0
    killed = tmp_path / "killed"
    cmd = [sys.executable, "-m", "orsta_bench.cli", "run", "--tasks", "runfix", "--tasks-dir",
           str(FIXTURES), "--output", str(killed), "--no-progress", *args]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = killed / "samples.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if samples.exists() and samples.read_bytes().count(b"\n") >= 5:
            break
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    kept = samples.read_bytes().count(b"\n")
    assert 5 <= kept < N_SAMPLES
    resumed = run(args, killed)
    assert resumed.returncode == 0, resumed.stderr
    records = lines(samples)
    keys = [(r["task"], r["id"]) for r in records]
    assert len(keys) == len(set(keys)) == N_SAMPLES
    clean_records = {(r["task"], r["id"]): r for r in lines(clean / "samples.jsonl")}
    for record in records:
        assert record["response"] == clean_records[(record["task"], record["id"])]["response"]
    assert task_scores(killed) == task_scores(clean)
