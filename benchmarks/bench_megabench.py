"""Scoring 10,000 MEGA-Bench queries with mixed rule metrics (parsing + metrics + aggregation).

Run: pytest benchmarks/bench_megabench.py --benchmark-only
(program_judge is left out: it starts one sandboxed interpreter per test case; bench_sandbox.py.)
"""

import random

from orsta_bench.megabench.query import score_query


def _queries(n: int = 10_000, seed: int = 0) -> list[tuple[dict, str, dict]]:
    rng = random.Random(seed)
    kinds = [
        ({"a": "exact_str_match"}, "answer_string", lambda: (f"Answer: ({rng.choice('ABCD')}) x", {"a": rng.choice("ABCD")})),
        ({"a": "general_single_numerical_match"}, "answer_string", lambda: (f"Answer: {rng.randint(1, 99)}%", {"a": f"0.{rng.randint(10, 99)}"})),
        ({"a": "jaccard_index", "b": "simple_str_match"}, "json",
         lambda: ('Answer: {"a": [1, 2, 3], "b": "new york"}', {"a": str([rng.randint(1, 4) for _ in range(3)]), "b": "New-York"})),
        ({"a": "nbbox_iou_tuple"}, "answer_string", lambda: ("Answer: [[0, 0, 0.5, 0.5]]", {"a": f"[[0, 0, {rng.random():.2f}, 0.5]]"})),
        ({"a": "near_str_match"}, "answer_string", lambda: ("Answer: the eiffel tower", {"a": rng.choice(["Eiffel Tower", "Louvre"])})),
        ({"a": "positive_int_match", "b": "sequence_equality"}, "json", lambda: ('Answer: {"a": "3", "b": "[1, 2]"}', {"a": str(rng.randint(0, 4)), "b": "[1, 2]"})),
        ({"a": "dict_exact_str_match_agg_recall"}, "answer_string", lambda: ("Answer: {'x': '1', 'y': '2'}", {"a": "{'x': '1', 'y': '3'}"})),
        ({"a": "xml_norm_point_distance"}, "answer_string", lambda: ("Answer: <point>0.2, 0.3</point>", {"a": "<point>0.25, 0.3</point>"})),
    ]
    queries = []
    for i in range(n):
        fields, parser, make = kinds[i % len(kinds)]
        response, answer = make()
        info = {"field_score_function": fields, "response_parse_function": parser,
                "aggregation": {"function": "mean", "field_weights": {k: 1 for k in fields}}}
        queries.append((info, response, answer))
    return queries


def test_score_10k_mixed_queries(benchmark):
    queries = _queries()

    def run() -> float:
        return sum(max(0.0, score_query(info, response, answer).score) for info, response, answer in queries)

    total = benchmark.pedantic(run, rounds=3, iterations=1)
    assert 0 < total < len(queries)
