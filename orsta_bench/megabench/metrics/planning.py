"""symbolic_planning_test: replay a predicted PDDL plan on the task's initial state.

A string-level simulator with the official evaluator's semantics: each action's preconditions
must hold (a negative precondition is checked against the literal "(not ...)" string, so it never
fails), effects delete/add literals, and every goal literal must hold at the end. Plan lines
must start with "(" before stripping. Any malformed input scores 0 (the caller maps exceptions).
"""

from __future__ import annotations

import re
from typing import Any

_PARAM_GROUP = re.compile(r"((?:\?\S+\s*)+)(?:-\s+([^\?$]+)\s*)?")
_PARAM_NAME = re.compile(r"\?([^\s\?\)]+)\s*")


def _outer_inner(text: str) -> tuple[str, list[str], int]:
    """Scan to the ")" closing the current level; collect the balanced groups inside it."""
    depth, start, groups = 0, 0, []
    for i, char in enumerate(text):
        if depth == 0 and char == ")":
            return text[: i + 1], groups, i + 1
        if char == "(":
            if depth == 0:
                start = i
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                groups.append(text[start : i + 1])
    return text, groups, len(text)


def _attr(text: str, starter: str) -> tuple[Any, Any]:
    """One occurrence: (block, inner groups); several: ([blocks], {name: inner groups})."""
    pieces = text.split(starter)
    if len(pieces) == 1:
        return "", []
    if len(pieces) == 2:
        outer, inner, _ = _outer_inner(pieces[1])
        return starter + outer, inner
    blocks, named = [], {}
    while len(text.split(starter)) > 1:
        text = text.split(starter, 1)[1]
        name = re.split(r"\s+", text.strip())[0]
        outer, inner, end = _outer_inner(text)
        blocks.append(starter + outer)
        named[name] = inner
        text = text[end:]
    return blocks, named


def _params(text: str) -> dict[str, Any]:
    text = text.strip()
    if not (text.startswith("(") and text.endswith(")")):
        raise ValueError("bad parameter list")
    found: dict[str, Any] = {}
    for names, kind in _PARAM_GROUP.findall(text[1:-1]):
        for name in _PARAM_NAME.findall(names):
            kind = kind.strip()
            found[name] = re.split(r"\s+", kind[1:-1].strip())[1:] if kind.startswith("(") else kind
    return found


def _drop_types(clause: str) -> str:
    parts = clause.split(" - ")
    for i in range(1, len(parts)):
        part = parts[i].strip()
        parts[i] = ")" + part.split(")", 1)[1] if len(part.split(")")[0].split()) == 1 else " " + part.split(" ", 1)[1]
    return "".join(parts).strip() if len(parts) > 1 else clause


def _conjuncts(text: str) -> set[str]:
    if not text.startswith("(and"):
        raise ValueError("not a conjunction")
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
        blocks, actions = _attr(pddl, "(:action")
        self.names: list[str] = []
        self.params: list[dict[str, Any]] = []
        for _block, (name, inner) in zip(blocks, actions.items(), strict=False):
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
                self.conditions[f"{name}_{suffix}"] = sorted(clauses, key=lambda c: (0 if c.startswith("(not ") else 1, c))


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
    state = _attr(eval_context["task_pddl"], "(:init")[1]
    goal = _attr(eval_context["task_pddl"], "(and")[1]
    for step in plan:
        words = step[1:-1].split(" ")
        name, objects = words[0].strip(), words[1:]
        index = domain.names.index(name)
        if len(objects) != len(domain.params[index]):
            return 0
        binding = dict(zip(domain.params[index], objects, strict=False))
        if not all(_holds(_bind(c, binding), state) for c in domain.conditions[f"{name}_pre"]):
            return 0
        for effect in domain.conditions[f"{name}_post"]:
            effect = _bind(effect, binding)
            negated = _attr(effect, "(not ")[1]
            if negated:
                if negated[0] in state:
                    state.remove(negated[0])
            elif effect.strip() not in state:
                state.append(effect)
    return 1 if all(_holds(g, state) for g in goal) else 0
