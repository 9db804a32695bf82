"""Scoring throughput side by side with the official code, on the same fresh inputs, in one run.

    ORSTA_OFFICIAL_MEGABENCH=/scratch/megabench ORSTA_OFFICIAL_MEGABENCH_PYTHON=/scratch/venv/bin/python \\
    ORSTA_OFFICIAL_VTRIUNE=/scratch/vtriune \\
    pytest benchmarks/bench_official_side_by_side.py --benchmark-only -s

ORSTA_OFFICIAL_MEGABENCH names an unpacked TIGER-AI-Lab/MEGA-Bench checkout, ORSTA_OFFICIAL_VTRIUNE
an unpacked MiniMax-AI/One-RL-to-See-Them-All one (folders outside this repository: none of their
code is in it); the *_PYTHON variables name an interpreter with the official code's packages
(default: this one). A test whose checkout is not named is skipped, saying which variable to set.

Every round has fresh inputs (side_by_side_inputs.py) and times three scorers on them, in an order
that rotates from round to round so that the load of a shared machine falls on all of them alike:
the official code in one process (official_driver.py), orsta-bench in this process (run_job, what a
pool worker runs per item) and orsta-bench through a ScoringPool of 1 worker (pipes, chunks and
time limits included). Round 0 pays the first-call costs of both sides and is not counted. The
scores of both sides must agree; the table printed at the end gives items/s and the ratios.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import side_by_side_inputs as inputs

from orsta_bench.scoring import ScoreJob, ScoringPool, run_job

HERE = Path(__file__).resolve().parent
ROUNDS = int(os.environ.get("ORSTA_SIDE_BY_SIDE_ROUNDS", "3"))
# kind -> (checkout variable, file that proves the checkout, driver mode, items per round)
KINDS: dict[str, tuple[str, str, str, int]] = {
    "megabench": ("ORSTA_OFFICIAL_MEGABENCH", "megabench/evaluation_processor.py", "megabench", 800),
    "megabench_without_program_judge": ("ORSTA_OFFICIAL_MEGABENCH", "megabench/evaluation_processor.py", "megabench", 800),
    "vtriune_detection": ("ORSTA_OFFICIAL_VTRIUNE", "reward_server/verify.py", "vtriune", 400),
    "vtriune_math": ("ORSTA_OFFICIAL_VTRIUNE", "reward_server/verify.py", "vtriune", 300),
}


def _round_inputs(kind: str, seed: int, n: int) -> tuple[list[ScoreJob], Any]:
    if kind.startswith("megabench"):
        tasks = inputs.megabench_round(seed, n, "program_judge" if kind.endswith("without_program_judge") else "")
        return inputs.megabench_ours(tasks), inputs.megabench_official(tasks)
    rows = inputs.vtriune_round(kind.removeprefix("vtriune_"), seed, n)
    return inputs.vtriune_ours(rows), inputs.vtriune_official(rows)


class Official:
    """The official code in its own process, fed one input file per round."""

    def __init__(self, mode: str, checkout: Path, python: str) -> None:
        self.process = subprocess.Popen([python, str(HERE / "official_driver.py"), mode, str(checkout)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True)
        if not self.process.stdout.readline():
            raise RuntimeError(f"the official {mode} code did not start under {python} (run the driver by hand to see why)")

    def score(self, batch: Any, path: Path) -> tuple[float, list[float]]:
        path.write_text(json.dumps(batch))
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        return answer["seconds"], answer["values"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _in_process(jobs: list[ScoreJob]) -> tuple[float, list[float]]:
    start = time.perf_counter()
    values = [run_job(job).value for job in jobs]
    return time.perf_counter() - start, values


def _pooled(pool: ScoringPool) -> Callable[[list[ScoreJob]], tuple[float, list[float]]]:
    def score(jobs: list[ScoreJob]) -> tuple[float, list[float]]:
        start = time.perf_counter()
        values = [result.value for result in pool.score_many(jobs)]
        return time.perf_counter() - start, values

    return score


def _official_or_skip(kind: str) -> Official:
    variable, proof, mode, _ = KINDS[kind]
    folder = os.environ.get(variable)
    if not folder or not (Path(folder) / proof).is_file():
        pytest.skip(f"{variable} must name an unpacked official checkout holding {proof} (see the module docstring)")
    return Official(mode, Path(folder), os.environ.get(f"{variable}_PYTHON", sys.executable))


@pytest.mark.parametrize("kind", list(KINDS))
def test_side_by_side(benchmark, kind: str, tmp_path: Path) -> None:
    official = _official_or_skip(kind)
    n = KINDS[kind][3]
    seconds = {"official": 0.0, "ours_in_process": 0.0, "ours_1_worker": 0.0}
    counted, disagree = 0, []
    with ScoringPool(workers=1, timeout_s=30.0) as pool:
        scorers: dict[str, Callable[[list[ScoreJob], Any], tuple[float, list[float]]]] = {
            "official": lambda jobs, batch: official.score(batch, tmp_path / "batch.json"),
            "ours_in_process": lambda jobs, batch: _in_process(jobs),
            "ours_1_worker": lambda jobs, batch: _pooled(pool)(jobs),
        }

        def run() -> None:
            nonlocal counted
            for number in range(ROUNDS + 1):
                jobs, batch = _round_inputs(kind, 7919 * number + len(kind), n)
                names = list(scorers)
                names = names[number % 3:] + names[:number % 3]
                values = {}
                for name in names:
                    took, values[name] = scorers[name](jobs, batch)
                    if number:
                        seconds[name] += took
                counted += len(jobs) if number else 0
                assert values["ours_in_process"] == values["ours_1_worker"]
                disagree.extend(job for job, ours, theirs in zip(jobs, values["ours_in_process"], values["official"], strict=True)
                                if abs(ours - max(theirs, 0.0)) > 1e-6)

        benchmark.pedantic(run, rounds=1, iterations=1)
    official.close()
    rates = {name: counted / took for name, took in seconds.items()}
    benchmark.extra_info.update({f"{name}_per_s": round(rate, 1) for name, rate in rates.items()})
    benchmark.extra_info["items"] = counted
    benchmark.extra_info["disagreements"] = len(disagree)
    print(f"\n{kind}: {counted} items in {ROUNDS} fresh rounds; items/s official {rates['official']:.1f}, "
          f"ours in-process {rates['ours_in_process']:.1f} ({rates['ours_in_process'] / rates['official']:.2f}x), "
          f"ours 1 worker {rates['ours_1_worker']:.1f} ({rates['ours_1_worker'] / rates['official']:.2f}x); "
          f"{len(disagree)} scores differ")
    assert not disagree, f"scores differ from the official code's, e.g. {disagree[0]}"
