"""Task, Core/Open/Overall and keyword-breakdown scores, as the official MEGA-Bench tables.

- task score: sum of query scores >= 0 divided by the number of queries (a -1 query counts 0
  and stays in the denominator);
- Core / Open: macro means over rule-scored / judge-scored tasks; Overall: the macro mean over
  all of them (= (Core*n_core + Open*n_open) / (n_core + n_open));
- keyword breakdowns (skills, input_format, output_format, num_input, app): mean task score of the
  tasks carrying the keyword, read from the task metadata file shipped in megabench/data/.
The results engineer calls `summarize(task_scores, open_tasks)` for results.json.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

META_PATH = Path(__file__).parent / "data" / "all_task_meta.json"
KEYWORD_DIMENSIONS = {  # result key -> metadata key
    "skills": "skills",
    "input_format": "input_format",
    "output_format": "output_format",
    "input_num": "num_input",
    "app": "app",
}


def task_score(query_scores: Iterable[float]) -> float:
    """Official task score; an empty task scores 0."""
    scores = list(query_scores)
    return sum(s for s in scores if s >= 0) / len(scores) if scores else 0.0


@lru_cache(maxsize=4)
def load_task_meta(path: str | None = None) -> dict[str, dict[str, Any]]:
    """task_name -> metadata (app, input_format, output_format, num_input, skills, ...)."""
    file = Path(path) if path else META_PATH
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{file}: cannot read MEGA-Bench task metadata ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{file}: expected a JSON object of task_name -> metadata")
    return data


def _macro(scores: list[float]) -> dict[str, Any]:
    return {"score": sum(scores) / len(scores) if scores else None, "num_tasks": len(scores)}


def _flagged(scores: dict[str, float], incomplete: Collection[str]) -> dict[str, Any]:
    """A macro mean that says whether every counted task was fully scored: a Core with a
    `not_scored` field somewhere is partial and must never look like a full one."""
    partial = sorted(name for name in scores if name in incomplete)
    return {**_macro(list(scores.values())), "complete": not partial, "incomplete_tasks": partial}


def keyword_breakdown(
    task_scores: Mapping[str, float], meta_path: str | None = None
) -> dict[str, dict[str, dict[str, Any]]]:
    """{dimension: {keyword: {"score", "num_tasks"}}}; tasks absent from the metadata are skipped."""
    meta = load_task_meta(meta_path)
    totals: dict[str, dict[str, list[float]]] = {dim: {} for dim in KEYWORD_DIMENSIONS}
    for name, score in task_scores.items():
        if name not in meta or score == -1:
            continue
        for dim, key in KEYWORD_DIMENSIONS.items():
            value = meta[name].get(key)
            keywords = value if isinstance(value, list) else ([value] if value else [])
            for keyword in keywords:
                totals[dim].setdefault(keyword, []).append(score)
    return {
        dim: {kw: _macro(scores) for kw, scores in sorted(by_kw.items())}
        for dim, by_kw in totals.items()
    }


def summarize(
    task_scores: Mapping[str, float],
    open_tasks: Collection[str] = (),
    meta_path: str | None = None,
    incomplete_tasks: Collection[str] = (),
) -> dict[str, Any]:
    """Core / Open / Overall (macro means) plus the keyword breakdowns.

    `open_tasks` names the judge-scored tasks (those whose metric_info uses an LLM-judge metric,
    see `is_open_task`); every other task counts as Core. `incomplete_tasks` names the tasks with
    a field that could not be scored (not_scored: no judge, missing tool; or error): each of Core,
    Open and Overall says `complete: false` and lists those it counts."""
    core = {name: s for name, s in task_scores.items() if name not in open_tasks}
    opened = {name: s for name, s in task_scores.items() if name in open_tasks}
    return {
        "core": _flagged(core, incomplete_tasks),
        "open": _flagged(opened, incomplete_tasks),
        "overall": _flagged({**core, **opened}, incomplete_tasks),
        "keywords": keyword_breakdown(task_scores, meta_path),
    }


def is_open_task(metric_info: Mapping[str, Any]) -> bool:
    """Whether a task is judge-scored (an Open task) from its metric_info."""
    from orsta_bench.megabench.metrics import JUDGE_METRICS

    names = list((metric_info.get("field_score_function") or {}).values())
    names += list((metric_info.get("global_aux_metrics") or {}).values())
    return any(str(name).lower() in JUDGE_METRICS for name in names)
