"""Fresh inputs for bench_official_side_by_side.py: a MEGA-Bench query mix, V-Triune detection rows
and math rows, each in the shape orsta-bench scores and in the shape the official code reads.

Every value that a metric parses carries random digits drawn from the round's seed, so no string
repeats across rounds (or, but for chance, within one): a parse cache can never answer for free.
The MEGA-Bench shares are an estimate of the benchmark's query mix (string matches dominate,
structured JSON answers next, numbers, sets, boxes and points, a little LaTeX and program_judge at
2% of queries), not counted from the dataset, which is not available offline.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from orsta_bench.interop.vtriune import RELEASED_DET_RATIO
from orsta_bench.reward import eval_context
from orsta_bench.scoring import ScoreJob

Query = tuple[str, dict[str, Any], dict[str, Any]]  # response, answer, eval_context
WORDS = ["red", "house", "river", "paris", "tower", "seven", "green", "cat", "bridge", "north", "table", "moon"]


def _phrase(rng: random.Random, n: int = 2) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + f" {rng.randrange(10**6)}"


def _number(rng: random.Random) -> tuple[str, str]:
    """(answer, response) numbers: plain, percentages and LaTeX fractions (which parse_latex reads)."""
    value = rng.randrange(1, 10**6)
    form = rng.random()
    if form < 0.5:
        return str(value), rng.choice([str(value), f"{value:,}", str(value + 1)])
    if form < 0.75:
        return f"{value / 10**4:.4f}", rng.choice([f"{value / 100:.2f}%", f"{value / 10**4:.4f}"])
    return f"\\frac{{{value}}}{{{value % 97 + 2}}}", rng.choice([f"\\frac{{{value}}}{{{value % 97 + 2}}}", str(value)])


def _mc(rng):
    letter = rng.choice("ABCD")
    return f"Answer: ({rng.choice('ABCD')}) {_phrase(rng, 1)}", {"answer": letter}, {}


def _short(rng):
    truth = _phrase(rng)
    return f"Answer: {rng.choice([truth, truth.title(), _phrase(rng)])}", {"answer": truth}, {}


def _two_fields(rng):
    name, city = _phrase(rng, 1), _phrase(rng, 1)
    reply = {"name": rng.choice([name, name.upper()]), "city": rng.choice([city, _phrase(rng, 1)])}
    return f"Answer: {json.dumps(reply)}", {"name": name, "city": city}, {}


def _numeric(rng):
    truth, said = _number(rng)
    return f"Answer: {said}", {"answer": truth}, {}


def _similar(rng):
    truth = _phrase(rng, 3)
    said = truth if rng.random() < 0.5 else truth[: len(truth) // 2] + _phrase(rng, 1)
    return f"Answer: {said}", {"answer": truth}, {}


def _items(rng, n=4):
    return [f"{rng.choice(WORDS)}{rng.randrange(10**4)}" for _ in range(n)]


def _collection(rng):
    truth = _items(rng)
    said = rng.sample(truth, len(truth)) if rng.random() < 0.5 else truth[:2] + _items(rng, 2)
    return f"Answer: {json.dumps({'answer': said})}", {"answer": str(truth)}, {}


def _dict_recall(rng):
    truth = {key: str(rng.randrange(100)) for key in _items(rng, 3)}
    said = {key: rng.choice([value, "0"]) for key, value in truth.items()}
    return f"Answer: {said}", {"answer": str(truth)}, {}


def _box(rng):
    x, y = rng.random() / 2, rng.random() / 2
    truth = f"[[{x:.4f}, {y:.4f}, {x + 0.3:.4f}, {y + 0.3:.4f}]]"
    return f"Answer: [[{x + rng.random() / 20:.4f}, {y:.4f}, {x + 0.3:.4f}, {y + 0.25:.4f}]]", {"answer": truth}, {}


def _point(rng):
    x, y = rng.random(), rng.random()
    said = f"<point>{x + rng.random() / 10:.4f}, {y:.4f}</point>"
    return f"Answer: {said}", {"answer": f"<point>{x:.4f}, {y:.4f}</point>"}, {}


def _multi_ref(rng):
    refs = [_phrase(rng, 1) for _ in range(3)]
    return f"Answer: {rng.choice(refs + [_phrase(rng, 1)])}", {"answer": str(refs)}, {}


def _rel_diff(rng):
    value = rng.randrange(1, 10**6)
    return f"Answer: {value * rng.uniform(0.8, 1.2):.2f}", {"answer": str(value)}, {}


def _latex(rng):
    a, b = rng.randrange(2, 10**4), rng.randrange(2, 10**4)
    truth = f"{a}x^2 + {b}x"
    said = rng.choice([truth, f"x({a}x + {b})", f"{a}x^2 + {b + 1}x"])
    return f"Answer: {said}", {"answer": truth}, {}


def _program(rng):
    k = rng.randrange(1, 10**6)
    program = f"a = int(input())\nb = int(input())\nprint(a * b + {k if rng.random() < 0.7 else k + 1})\n"
    cases = [{"input": [str(a), str(b)], "expected": f"{a * b + k}\n"} for a, b in
             ((rng.randrange(100), rng.randrange(100)) for _ in range(2))]
    return f"Answer:\n```python\n{program}```", {"answer": "# any program\n"}, {"test_case": cases}


def _info(parser: str, **fields: str) -> dict[str, Any]:
    return {"field_score_function": fields, "response_parse_function": parser,
            "aggregation": {"function": "mean", "field_weights": dict.fromkeys(fields, 1)}}


# (percent of queries, metric_info, query maker)
MIX: list[tuple[int, dict[str, Any], Callable[[random.Random], Query]]] = [
    (24, _info("answer_string", answer="exact_str_match"), _mc),
    (8, _info("answer_string", answer="exact_str_match"), _short),
    (8, _info("answer_string", answer="simple_str_match"), _short),
    (8, _info("json", name="exact_str_match", city="simple_str_match"), _two_fields),
    (6, _info("answer_string", answer="general_single_numerical_match"), _numeric),
    (5, _info("answer_string", answer="near_str_match"), _similar),
    (5, _info("answer_string", answer="normalized_similarity_damerau_levenshtein"), _similar),
    (5, _info("json", answer="set_equality"), _collection),
    (5, _info("json", answer="sequence_equality"), _collection),
    (4, _info("json", answer="jaccard_index"), _collection),
    (3, _info("answer_string", answer="dict_exact_str_match_agg_recall"), _dict_recall),
    (4, _info("answer_string", answer="nbbox_iou_tuple"), _box),
    (3, _info("answer_string", answer="xml_norm_point_distance"), _point),
    (3, _info("answer_string", answer="multi_ref_phrase"), _multi_ref),
    (3, _info("answer_string", answer="number_rel_diff_ratio"), _rel_diff),
    (2, _info("answer_string", answer="latex_expr_equality"), _latex),
    (2, _info("answer_string", answer="positive_int_match"), _rel_diff),
    (2, _info("answer_string", answer="program_judge"), _program),
]
QUERIES_PER_TASK = 16  # MEGA-Bench has about 8,000 queries over 505 tasks


def megabench_round(seed: int, n: int, leave_out: str = "") -> list[tuple[dict[str, Any], list[Query]]]:
    """About n queries as (metric_info, queries) tasks, in the MIX shares (less metric `leave_out`)."""
    rng = random.Random(seed)
    tasks = []
    for share, info, make in MIX:
        if leave_out in info["field_score_function"].values():
            continue
        count = max(1, round(n * share / 100))
        for start in range(0, count, QUERIES_PER_TASK):
            tasks.append((info, [make(rng) for _ in range(min(QUERIES_PER_TASK, count - start))]))
    return tasks


def megabench_ours(tasks) -> list[ScoreJob]:
    return [ScoreJob("megabench", response, answer, {"metric_info": info, "eval_context": context}, eval_context())
            for info, queries in tasks for response, answer, context in queries]


def megabench_official(tasks) -> dict[str, Any]:
    """The evaluator's inputs: the model's results file and the HF rows (metric_info as a string)."""
    data, hf = [], []
    for number, (info, queries) in enumerate(tasks):
        name = f"task_{number}"
        data.append({"task_name": name, "global_description": "", "example_info": {"example_text": "", "image_paths": []},
                     "query_response": [{"query_idx": i, "query_text": "", "images": [], "response": response,
                                         "correct_answer": answer} for i, (response, answer, _) in enumerate(queries)]})
        hf.append({"task_name": name, "task_samples": [{"metric_info": repr(info), "eval_context": repr(context)}
                                                        for _, _, context in queries]})
    return {"data": data, "hf": hf}


LABELS = ["dog", "cat", "car", "person", "bicycle", "tree"]
GRID = [[1, 812, 1204]]  # the image size in pixels (h, w), as verl sends image_grid_thw
VT_FORMAT = "<think>\n{}\n</think>\n<answer>\n{}\n</answer>"


def detection_row(rng: random.Random) -> dict[str, Any]:
    """A V-Triune detection row: truth in 0-1000 coordinates, the answer in pixels, 1-6 boxes."""
    truth, said = [], []
    for _ in range(rng.randint(1, 6)):
        x, y = rng.uniform(0, 600), rng.uniform(0, 600)
        w, h = rng.uniform(50, 390), rng.uniform(50, 390)
        label = rng.choice(LABELS)
        truth.append({"bbox_2d": [round(x, 1), round(y, 1), round(x + w, 1), round(y + h, 1)], "label": label})
        if rng.random() < 0.85:
            jitter = [rng.uniform(-30, 30) for _ in range(4)]
            box = [(x + jitter[0]) * 1.204, (y + jitter[1]) * 0.812, (x + w + jitter[2]) * 1.204, (y + h + jitter[3]) * 0.812]
            said.append({"bbox_2d": [round(v) for v in box], "label": label if rng.random() < 0.9 else rng.choice(LABELS)})
    answer = json.dumps(said) if rng.random() < 0.5 else repr(said)
    return {"verifier": "detection", "solution": f"<answer>\n{truth!r}\n</answer>",
            "response": VT_FORMAT.format("boxes", answer) if rng.random() < 0.9 else answer,
            "parm": {"det_verifier_normalized": True, "det_reward_ratio": dict(RELEASED_DET_RATIO)},
            "grid": GRID}


def math_row(rng: random.Random) -> dict[str, Any]:
    """A V-Triune math row: integer, fraction, decimal or surd answers, right, rewritten or wrong."""
    a, b = rng.randrange(1, 10**5), rng.randrange(2, 10**3)
    truth, same, wrong = rng.choice([
        (str(a), f"{a}.0", str(a + 1)),
        (f"\\frac{{{a}}}{{{b}}}", f"{a}/{b}", f"\\frac{{{a + 1}}}{{{b}}}"),
        (f"{a}\\sqrt{{{b}}}", f"{a}\\sqrt{{{b}}}", f"{a}\\sqrt{{{b + 1}}}"),
        (f"{a / 100:.2f}", f"{a / 100:.2f}", f"{a / 100 + 1:.2f}"),
    ])
    said = rng.choice([truth, same, wrong])
    text = f"The result is \\boxed{{{said}}}."
    return {"verifier": "mathverify", "solution": f"\\boxed{{{truth}}}",
            "response": VT_FORMAT.format("work", text) if rng.random() < 0.8 else text, "parm": {}, "grid": None}


def vtriune_round(kind: str, seed: int, n: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    make = detection_row if kind == "detection" else math_row
    return [make(rng) for _ in range(n)]


def vtriune_ours(rows) -> list[ScoreJob]:
    jobs = []
    for row in rows:
        params = {"accuracy_ratio": 1.0, "format_ratio": 0.1, "verifier_parm": row["parm"]}
        context = eval_context(image_grid_thw=row["grid"]) if row["grid"] else eval_context()
        jobs.append(ScoreJob(f"vtriune.{row['verifier']}", row["response"], row["solution"], params, context))
    return jobs


def vtriune_official(rows) -> list[dict[str, Any]]:
    """The /judge requests the released verl RewardWorker sends (evaluation: is_training false)."""
    requests = []
    for row in rows:
        parm = {**row["parm"], "is_training": False, "step": 0, "total_steps": 1, "image_grid_thw": row["grid"],
                "image_path": ["image.png"]}
        requests.append({"reward_verifier": row["verifier"], "reward_verifier_parm": json.dumps(parm),
                         "response": row["response"], "solution": row["solution"],
                         "accuracy_ratio": 1.0, "format_ratio": 0.1})
    return requests
