"""Pins of megabench.metrics.planning (symbolic_planning_test) found by mutation testing.

Every expected score comes from the OFFICIAL MEGA-Bench `symbolic_planning_test` run on the same
domain, problem and plan (tests/fixtures/megabench/official/planning.json, made by
make_planning.py there; each row says what it pins). They cover typed clauses inside action
conditions (how "- type" is cut out at string level), how plan steps are split into objects,
the order parameters bind in, deletes before adds, negative goals and preconditions as literal
strings, and the upstream quirks of odd domains and problems (one action, twin actions, two
(:init or (and blocks).
"""

import json
from pathlib import Path

import pytest

from orsta_bench.megabench.metrics import run_metric
from orsta_bench.megabench.metrics.planning import symbolic_planning_test

FIXTURE = json.loads((Path(__file__).parent / "fixtures/megabench/official/planning.json").read_text(encoding="utf-8"))
ROWS = FIXTURE["rows"]


def _context(row: dict) -> dict:
    return {"domain_pddl": FIXTURE["domains"][row["domain"]], "task_pddl": FIXTURE["tasks"][row["task"]]}


def test_the_fixture_holds_both_scores():
    """A fixture of all zeros (or all ones) would pin nothing: both scores occur."""
    assert {row["official"] for row in ROWS} == {0, 1}
    assert len(ROWS) >= 40


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['domain']}-{r['task']}-{i}" for i, r in enumerate(ROWS)])
def test_symbolic_planning_equals_official(row):
    """Our score equals the official evaluator's (which scores any exception 0) on each row."""
    plan = row["plan"]
    if row["what"].startswith("tuple"):  # JSON has no tuples
        plan = tuple(plan)
    assert run_metric(symbolic_planning_test, plan, _context(row)) == row["official"], row["what"]


def test_a_plan_of_another_type_is_refused_by_name():
    """A plan that is neither text nor a list raises saying what a plan must be (scored 0 by the caller)."""
    context = _context(ROWS[0])
    with pytest.raises(TypeError, match=r"^plan must be text or a list of actions$"):
        symbolic_planning_test(42, context)


def test_an_action_without_three_parts_is_named():
    """A domain action lacking its parameters, precondition or effect raises naming that action."""
    row = next(r for r in ROWS if r["domain"] == "no_effect")
    with pytest.raises(ValueError, match="action drop is not"):
        symbolic_planning_test(row["plan"], _context(row))


def test_a_negated_effect_with_two_literals_is_named():
    """`(not (clear a) (touched a))` raises naming the effect (upstream: an assert), so the plan scores 0."""
    row = next(r for r in ROWS if r["task"] == "wipe")
    with pytest.raises(ValueError, match=r"effect \(not \(clear a\) \(touched a\)\) negates more than one"):
        symbolic_planning_test(row["plan"], _context(row))
