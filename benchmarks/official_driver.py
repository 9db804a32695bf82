"""Scores benchmark inputs with the official code, in its own process (used by
bench_official_side_by_side.py; not a benchmark itself, and it never imports orsta_bench).

    python official_driver.py megabench <MEGA-Bench checkout>
    python official_driver.py vtriune <One-RL-to-See-Them-All checkout>

Reads one input-file path per stdin line and answers one JSON line: the seconds the scoring took
(reading the file excluded) and the values it gave. MEGA-Bench: the official EvaluationProcessor
on the HF-shaped rows, with its rewrite of the whole scores file after every task turned off (a
disk cost that grows with the run, not scoring work). V-Triune: what the reward server's /judge
handler does for one request, without HTTP: build the verifier from the JSON parameters, check
format and accuracy, mix them with the ratios.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
import types
from pathlib import Path
from typing import Any


def _stub(name: str, **attributes: Any) -> None:
    """Modules the evaluator imports only for the LLM judge and the dataset download."""
    if name not in sys.modules:
        module = types.ModuleType(name)
        module.__dict__.update(attributes)
        sys.modules[name] = module


def megabench_scorer(checkout: Path):
    sys.path.insert(0, str(checkout / "megabench"))
    _stub("datasets", load_dataset=None)
    _stub("models")
    _stub("models.openai", OpenAI=object)
    from evaluation_processor import EvaluationProcessor

    EvaluationProcessor._save_json_safe = lambda self, *args, **kwargs: None
    folder = Path(tempfile.mkdtemp(prefix="official-megabench-"))

    def score(batch: dict[str, Any]) -> tuple[float, list[float]]:
        data_file = folder / "data.json"
        data_file.write_text(json.dumps(batch["data"]))
        start = time.perf_counter()
        processor = EvaluationProcessor(batch["hf"], str(data_file), str(folder / "log"), str(folder / "none.json"))
        processor.process()
        seconds = time.perf_counter() - start
        return seconds, [query["scores"]["query"] for task in processor.data for query in task["query_response"]]

    return score


def vtriune_scorer(checkout: Path):
    sys.path.insert(0, str(checkout / "reward_server"))
    from verify import Verifier

    def judge(row: dict[str, Any]) -> float:
        verifier = Verifier.get(row["reward_verifier"])(**json.loads(row["reward_verifier_parm"]))
        format_score = verifier.verify_format(row["response"])
        accuracy = verifier.verify_accuracy(row["response"], row["solution"])
        if isinstance(accuracy, dict):
            accuracy = accuracy["final_score"]
        total = row["accuracy_ratio"] + row["format_ratio"]
        return float(accuracy) * row["accuracy_ratio"] / total + float(format_score) * row["format_ratio"] / total

    def score(batch: list[dict[str, Any]]) -> tuple[float, list[float]]:
        start = time.perf_counter()
        values = []
        for row in batch:
            try:
                values.append(judge(row))
            except Exception:  # the handler answers 0 rewards on any exception
                values.append(0.0)
        return time.perf_counter() - start, values

    return score


def main() -> None:
    kind, checkout = sys.argv[1], Path(sys.argv[2])
    logging.disable(logging.CRITICAL)
    answers = os.fdopen(os.dup(1), "w")  # the official code prints: keep fd 1 for the answers only
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    score = megabench_scorer(checkout) if kind == "megabench" else vtriune_scorer(checkout)
    answers.write(json.dumps({"ready": True}) + "\n")
    answers.flush()
    for line in sys.stdin:
        seconds, values = score(json.loads(Path(line.strip()).read_text()))
        answers.write(json.dumps({"seconds": seconds, "values": values}) + "\n")
        answers.flush()


if __name__ == "__main__":
    main()
