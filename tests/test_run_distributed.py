"""`orsta-bench run` under torchrun on CPU (gloo, 2 processes, tiny model): the same sample
records and results as one process, greedy and sampled; SIGKILL of the whole launch, then a
resume with another process count: nothing lost, nothing done twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")

FIXTURES = Path(__file__).parent / "fixtures" / "run_tasks"
REPO = Path(__file__).resolve().parents[1]
N_SAMPLES = 22
SAMPLED = ["--gen-kwargs", "temperature=1.0,top_p=0.95,max_new_tokens=8", "--seed", "7"]


def command(output: Path, nproc: int, args: list[str]) -> list[str]:
    cli = ["run", "--tasks", "runfix", "--tasks-dir", str(FIXTURES), "--output", str(output),
           "--model", "tiny", "--workers", "1", *args]
    if nproc == 1:
        return [sys.executable, "-m", "orsta_bench.cli", *cli]
    return [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(nproc),
            "--standalone", "--no-python", str(Path(sys.executable).parent / "orsta-bench"), *cli]


def environment() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": path, "OMP_NUM_THREADS": "1"}


def run(output: Path, nproc: int, args: list[str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command(output, nproc, args), capture_output=True, text=True,
                          timeout=600, env=environment())
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def records(folder: Path) -> set[tuple]:
    """What must match a one-process run: everything but timings."""
    out = set()
    for line in (folder / "samples.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        out.add((r["task"], r["id"], r["sample_hash"], r["prompt"], r["response"],
                 json.dumps(r["score"], sort_keys=True), r["status"]))
    return out


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def scores(folder: Path) -> dict:
    results = json.loads((folder / "results.json").read_text())
    return {key: results[key] for key in ("tasks", "suites", "overall", "n_samples") if key in results}


def assert_clean_folder(folder: Path) -> None:
    names = {p.name for p in folder.iterdir()}
    assert not any(name.startswith("samples.shard-") for name in names), names
    assert ".ranks" not in names
    assert {"run.json", "samples.jsonl", "results.json"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--batch-size", "4"], ["--batch-size", "4", *SAMPLED]],
                         ids=["greedy", "sampled"])
def test_two_processes_match_one(tmp_path: Path, args: list[str]) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    run(one, 1, ["--no-progress", *args])
    # Another batch size on the two ranks: per-sample seeds make sampling batch-independent.
    done = run(two, 2, [*args, "--batch-size", "3"])
    assert_clean_folder(two)
    assert len(records(one)) == N_SAMPLES
    assert records(two) == records(one)
    assert scores(two) == scores(one)
    assert "runfix" in done.stdout  # rank 0 printed the table, once
    assert done.stdout.count("results:") == 1
    if SAMPLED[1] in args:  # sampling is really on: another seed changes some responses
        other = tmp_path / "other"
        run(other, 1, ["--no-progress", *args[:-1], "8"])
        assert records(other) != records(one)


@pytest.mark.slow
def test_kill_the_launch_then_resume_with_one_process(tmp_path: Path) -> None:
    args = ["--batch-size", "1", "--no-progress", *SAMPLED]
    clean = tmp_path / "clean"
    run(clean, 1, args)
    killed = tmp_path / "killed"
    process = subprocess.Popen(command(killed, 2, args), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=environment(), start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        shards = list(killed.glob("samples.shard-*.jsonl")) if killed.exists() else []
        if sum(p.read_bytes().count(b"\n") for p in shards) >= 4:
            break
        time.sleep(0.02)
    for pid in children(process.pid):  # the ranks: torchrun starts each in its own session
        os.kill(pid, signal.SIGKILL)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    kept = sum(p.read_bytes().count(b"\n") for p in killed.glob("samples.shard-*.jsonl"))
    assert 4 <= kept < N_SAMPLES and not (killed / "results.json").exists()
    run(killed, 1, args)  # a different process count resumes the same run
    assert_clean_folder(killed)
    assert records(killed) == records(clean)
    lines = (killed / "samples.jsonl").read_text().splitlines()
    assert len(lines) == N_SAMPLES  # nothing twice
    assert scores(killed) == scores(clean)


@pytest.mark.slow
def test_a_second_distributed_run_on_a_locked_folder_is_refused(tmp_path: Path) -> None:
    """Rank 0 finds the folder locked and every rank stops with exit 2, writing nothing."""
    import socket

    from orsta_bench.runner.lock import RunLock

    folder = tmp_path / "run"
    with RunLock(folder):
        done = subprocess.run(command(folder, 2, ["--no-progress"]), capture_output=True,
                              text=True, timeout=300, env=environment())
    assert done.returncode != 0
    assert f"host {socket.gethostname()} pid {os.getpid()}" in done.stdout + done.stderr
    assert not list(folder.glob("samples*")) and not (folder / "run.json").exists()


@pytest.mark.parametrize(("visible", "local_rank", "tp", "expected"), [
    (None, "1", 1, "1"), ("4,5,6,7", "2", 1, "6"), ("0,1,2,3", "1", 2, "2,3"), (None, "0", 2, "0,1")])
def test_vllm_engine_per_process_gets_its_local_gpus(monkeypatch: pytest.MonkeyPatch, visible: str | None,
                                                     local_rank: str, tp: int, expected: str) -> None:
    from orsta_bench.backends.vllm import _pin_local_gpu

    monkeypatch.setenv("RANK", local_rank)
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("LOCAL_RANK", local_rank)
    if visible is None:
        monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    else:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
    _pin_local_gpu(tp)
    assert os.environ["CUDA_VISIBLE_DEVICES"] == expected


def test_vllm_too_few_gpus_for_the_local_rank(monkeypatch: pytest.MonkeyPatch) -> None:
    from orsta_bench.backends.errors import BackendConfigError
    from orsta_bench.backends.vllm import _pin_local_gpu

    for key, value in {"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1",
                       "CUDA_VISIBLE_DEVICES": "0,1"}.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(BackendConfigError, match="LOCAL_RANK 1"):
        _pin_local_gpu(2)


@pytest.mark.parametrize(("env", "message"), [
    ({"RANK": "5", "WORLD_SIZE": "2", "LOCAL_RANK": "0"}, "RANK=5 is outside 0..1"),
    ({"SLURM_PROCID": "0", "SLURM_NTASKS": "2", "SLURM_LOCALID": "0"}, "MASTER_ADDR and MASTER_PORT"),
])
def test_bad_launch_environment_exits_2(tmp_path: Path, env: dict[str, str], message: str) -> None:
    clean = {k: v for k, v in environment().items()
             if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")}
    cmd = [sys.executable, "-m", "orsta_bench.cli", "run", "--tasks", "runfix", "--tasks-dir",
           str(FIXTURES), "--output", str(tmp_path / "run"), "--model", "oracle", "--no-progress"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env={**clean, **env})
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "run").exists()
