"""symbolic_planning_test: replay a predicted PDDL plan on the task's initial state.

A string-level simulator with the official evaluator's semantics: each action's preconditions
must hold (a negative precondition is checked against the literal "(not ...)" string, so it
fails only if that string is in the state), effects delete then add literals, and every goal
literal must hold at the end. Plan lines must start with "(" before stripping. Any malformed
input raises, which the caller scores 0, as the official evaluator does. Effects other than
"(not ...)" run in string order (upstream: hash order; see docs/megabench.md, "Fidelity").
"""

from __future__ import annotations

import re
from typing import Any

# A parameter name: "?" then anything up to whitespace, "?" or ")". Types ("- block",
# "- (either a b)") are never used by the simulator, so only names are read.
_PARAM_NAME = re.compile(r"\?([^\s\?\)]+)\s*")


def _groups(text: str) -> tuple[list[str], int]:
    """Scan to the ")" closing the current level: the balanced groups inside it, and where it ends."""
    depth, start, groups = 0, 0, []
    for i, char in enumerate(text):
        if depth == 0 and char == ")":
            return groups, i + 1
        if char == "(":
            if depth == 0:
                start = i
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                groups.append(text[start : i + 1])
    return groups, len(text)


def _attr(text: str, starter: str) -> Any:
    """The groups inside the one `starter` block; with several blocks, {first word: groups}
    (so a task with two "(and" yields a dict whose keys are then read as goal literals)."""
    pieces = text.split(starter)
    if len(pieces) == 1:
        return []
    if len(pieces) == 2:
        return _groups(pieces[1])[0]
    named = {}
    while len(text.split(starter)) > 1:
        text = text.split(starter, 1)[1]
        groups, end = _groups(text)
        named[re.split(r"\s+", text.strip())[0]] = groups
        text = text[end:]
    return named


def _params(text: str) -> list[str]:
    """Parameter names in order, each once (a repeated name counts once, as a dict key upstream)."""
    return list(dict.fromkeys(_PARAM_NAME.findall(text)))


def _drop_types(clause: str) -> str:
    """Cut every "- type" out of a clause, at string level: "(on ?x - block ?y - block)" ->
    "(on ?x ?y)". A type that ends the clause keeps what follows its ")"; otherwise what follows
    its first space."""
    parts = clause.split(" - ")
    for i in range(1, len(parts)):
        part = parts[i].strip()
        if len(part.split(")")[0].split()) == 1:
            parts[i] = ")" + part.split(")", 1)[1]
        else:
            parts[i] = " " + part.split(" ", 1)[1]
    return "".join(parts)


def _conjuncts(text: str) -> set[str]:
    """The untyped top-level clauses of "(and ...)"."""
    found, depth, start = set(), 0, 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
            if depth == 2:
                start = i
        elif char == ")":
            depth -= 1
            if depth == 0:
                break
            if depth == 1:
                found.add(_drop_types(text[start : i + 1]))
    return found


class _Domain:
    def __init__(self, pddl: str) -> None:
        # One action parses to a list, not a dict: .items() raises and the plan scores 0, as upstream.
        actions = _attr(pddl, "(:action")
        self.names: list[str] = []
        self.params: list[list[str]] = []
        for name, inner in actions.items():
            if len(inner) != 3:
                raise ValueError(f"action {name} is not (params, precondition, effect)")
            self.names.append(name)
            self.params.append(_params(inner[0]))
        self.conditions: dict[str, list[str]] = {}
        for name in self.names:
            body = pddl.split(f"(:action {name}")[1]
            for suffix, tag in (("pre", ":precondition"), ("post", ":effect")):
                text = body.split(tag)[1].strip()
                clauses = _conjuncts(text) if text.startswith("(and") else {text.split(")")[0].strip() + ")"}
                # Deletes before adds (an action may delete and re-add a literal); sorted for a fixed order.
                self.conditions[f"{name}_{suffix}"] = sorted(clauses, key=lambda c: (not c.startswith("(not "), c))


def _bind(clause: str, binding: dict[str, str]) -> str:
    for param, obj in binding.items():
        clause = re.sub(rf"\?{param}(?=[^\w-])", obj, clause)
    return clause


def _holds(clause: str, state: list[str]) -> bool:
    negative = clause.startswith("(not ")
    return not ((negative and clause in state) or (not negative and clause not in state))


def symbolic_planning_test(response: Any, eval_context: dict[str, Any]) -> float:
    domain = _Domain(eval_context["domain_pddl"])
    if isinstance(response, str):
        lines = response.split("\n")
    elif isinstance(response, (list, tuple)):
        lines = list(response)
    else:
        raise TypeError("plan must be text or a list of actions")
    plan = [line.strip() for line in lines if line.startswith("(")]
    state = _attr(eval_context["task_pddl"], "(:init")
    goal = _attr(eval_context["task_pddl"], "(and")
    for step in plan:
        words = step[1:-1].split(" ")
        name, objects = words[0].strip(), words[1:]
        index = domain.names.index(name)
        # Wrong arity raises (upstream: an assert), so the plan scores 0.
        binding = dict(zip(domain.params[index], objects, strict=True))
        if not all(_holds(_bind(c, binding), state) for c in domain.conditions[f"{name}_pre"]):
            return 0
        for effect in domain.conditions[f"{name}_post"]:
            effect = _bind(effect, binding)
            negated = _attr(effect, "(not ")
            if negated:
                if len(negated) != 1:
                    raise ValueError(f"effect {effect} negates more than one literal")
                if negated[0] in state:
                    state.remove(negated[0])
            elif effect.strip() not in state:
                state.append(effect)
    return 1 if all(_holds(g, state) for g in goal) else 0
