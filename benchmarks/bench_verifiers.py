"""Scoring throughput: items/s per verifier family in one process, and `orsta-bench score` on a
generated 10,000-line mixed file with 2 workers. Run: pytest benchmarks/bench_verifiers.py --benchmark-only"""

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from orsta_bench.reward import eval_context, score

BOX = "[{'bbox_2d': [%d, %d, %d, %d], 'label': 'dog'}, {'bbox_2d': [500, 500, 600, 640], 'label': 'cat'}]"
GT = [{"bbox_2d": [100, 100, 300, 300], "label": "dog"}, {"bbox_2d": [500, 500, 600, 600], "label": "cat"}]
VT_RATIO = {"verifier_parm": {"det_reward_ratio": {"iou_max_label_first": 1.0, "iou_completeness": 0.3}}}


def _items(rng: random.Random, n: int) -> dict[str, list[tuple]]:
    """Per family: (verifier, response, reference, params) with a mix of right and wrong answers."""
    vt = "<think>\nhm\n</think>\n<answer>\n%s\n</answer>"
    return {
        "math": [("math", "so \\boxed{\\frac{" + str(rng.randint(1, 3)) + "}{2}}", "1", {}) for _ in range(n)],
        "count": [("count", f"There are {rng.randint(2, 5)} cats.", 4, {}) for _ in range(n)],
        "number": [("number", f"Answer: {rng.uniform(90, 110):.1f}", "100", {"rel_tol": 0.05}) for _ in range(n)],
        "choice": [("choice", f"({rng.choice('ABCD')}) the cat", "B", {}) for _ in range(n)],
        "ocr": [("ocr", rng.choice(["hello world", "hallo wrld", "HELLO"]), "hello world", {"mode": "anls"})
                for _ in range(n)],
        "iou": [("iou", f"[{rng.randint(0, 20)}, 0, 100, 100]", [0, 0, 100, 100], {}) for _ in range(n)],
        "detection": [("detection", BOX % (rng.randint(90, 110), rng.randint(90, 110), 300, 300), GT, {})
                      for _ in range(n)],
        "vtriune.mathverify": [("vtriune.mathverify", vt % ("\\boxed{" + str(rng.randint(3, 5)) + "}"), r"\boxed{4}", {})
                               for _ in range(n)],
        "vtriune.detection": [("vtriune.detection", vt % (BOX % (100, 100, 300, rng.randint(280, 300))),
                               "<answer>\n" + repr(GT) + "\n</answer>", VT_RATIO) for _ in range(n)],
    }


FAMILIES = list(_items(random.Random(0), 1))


@pytest.mark.parametrize("family", FAMILIES)
def test_items_per_second(benchmark, family):
    items = _items(random.Random(0), 200)[family]
    context = eval_context()

    def run():
        for verifier, response, reference, params in items:
            score(verifier, response, reference, params, context)

    benchmark.pedantic(run, rounds=3, iterations=1, warmup_rounds=1)
    benchmark.extra_info["items_per_round"] = len(items)
    benchmark.extra_info["items_per_s"] = len(items) / benchmark.stats.stats.mean


def test_score_cli_10k_mixed_2_workers(benchmark, tmp_path: Path):
    rng = random.Random(0)
    pools = _items(rng, 1200)
    lines = []
    for i in range(10_000):
        verifier, response, reference, params = pools[FAMILIES[i % len(FAMILIES)]][i // len(FAMILIES)]
        lines.append(json.dumps({"id": i, "verifier": verifier, "params": params, "response": response,
                                 "reference": reference, "context": {"mode": "eval"}}))
    source = tmp_path / "mixed.jsonl"
    source.write_text("\n".join(lines))
    command = [str(Path(sys.executable).parent / "orsta-bench"), "score", "--input", str(source),
               "--output", str(tmp_path / "out.jsonl"), "--workers", "2"]

    def run():
        done = subprocess.run(command, capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, done.stderr

    benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info["lines"] = 10_000
    benchmark.extra_info["lines_per_s"] = 10_000 / benchmark.stats.stats.mean
