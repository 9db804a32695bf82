"""Data-parallel `orsta-bench run` on CPU (tiny model) and the memory of a run as it grows.

    pytest benchmarks/bench_distributed.py --benchmark-only -s

speed-up: the same 422 samples (fixture tasks plus 400 arithmetic questions) with 1 process and
under torchrun with 2 processes (gloo); the ratio of wall times, and rank 0's merge time
(results.json timing.merge_s). Needs 2 free cores to mean anything. memory: peak RSS of one
process running 1x and 10x the samples (streaming: it should stay flat).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench_runner import tasks_dir  # benchmarks/ is on sys.path (rootdir conftest)

REPO = Path(__file__).resolve().parents[1]


def cli(output: Path, folder: Path, nproc: int) -> list[str]:
    args = ["run", "--tasks", "runfix", "--tasks-dir", str(folder), "--output", str(output),
            "--model", "tiny", "--workers", "1", "--no-progress", "--batch-size", "8"]
    if nproc == 1:
        return [sys.executable, "-m", "orsta_bench.cli", *args]
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node",
            str(nproc), "--no-python", str(Path(sys.executable).parent / "orsta-bench"), *args]


def timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of the command's largest process."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == 0, process.stderr.read().decode()[-2000:] if process.stderr else ""
    return time.perf_counter() - started, usage.ru_maxrss // 1024


def with_extra(tmp_path: Path, name: str, n_extra: int) -> Path:
    (tmp_path / name).mkdir()
    return tasks_dir(tmp_path / name, n_extra)


def test_two_processes_against_one(benchmark, tmp_path: Path) -> None:
    folder = with_extra(tmp_path, "tasks", 400)
    one_s, _ = timed(cli(tmp_path / "one", folder, 1))
    two_s, _ = timed(cli(tmp_path / "two", folder, 2))
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    merge_s = json.loads((tmp_path / "two" / "results.json").read_text())["timing"]["merge_s"]
    benchmark.extra_info.update(one_s=round(one_s, 2), two_s=round(two_s, 2),
                                speedup=round(one_s / two_s, 2), merge_s=merge_s)
    print(f"\n422 samples: 1 process {one_s:.1f} s, 2 processes {two_s:.1f} s, speed-up "
          f"{one_s / two_s:.2f}x, merge {merge_s * 1000:.1f} ms")


def test_memory_stays_flat(benchmark, tmp_path: Path) -> None:
    small_s, small_mib = timed(cli(tmp_path / "x1", with_extra(tmp_path, "x1", 200), 1))
    large_s, large_mib = timed(cli(tmp_path / "x10", with_extra(tmp_path, "x10", 2200), 1))
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
    benchmark.extra_info.update(rss_1x_mib=small_mib, rss_10x_mib=large_mib)
    print(f"\npeak RSS: 222 samples {small_mib} MiB ({small_s:.1f} s), 2222 samples "
          f"{large_mib} MiB ({large_s:.1f} s)")
