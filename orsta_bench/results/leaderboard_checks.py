"""What the leaderboard must not let pass silently: a results file where the model never
answered, rows evaluated on different numbers of samples, and an entry replacing another of the
same name. Pure functions over results.json dicts, shared by the CLI and both pages."""

from __future__ import annotations

from typing import Any

from orsta_bench.score import Status

NO_LIMIT = "all samples"


def sample_counts(results: dict[str, Any]) -> tuple[int, int]:
    """(scored, total) samples over every task of a results.json."""
    tasks = results.get("tasks", {}).values()
    return sum(t.get("n_scored", 0) for t in tasks), sum(t.get("n", 0) for t in tasks)


def samples_cell(results: dict[str, Any]) -> str:
    """The row's sample count: '240', or '200 of 240 scored' when some were not."""
    scored, total = sample_counts(results)
    return str(total) if scored == total else f"{scored} of {total} scored"


def only_backend_errors(results: dict[str, Any]) -> bool:
    """True when samples exist and every one is `backend_error`: the model never answered, and
    a row of zeros or dashes would read like a model that tried and failed."""
    tasks = results.get("tasks", {}).values()
    total = sum(t.get("n", 0) for t in tasks)
    failed = sum((t.get("status_counts") or {}).get(Status.BACKEND_ERROR.value, 0) for t in tasks)
    return total > 0 and failed == total


def limit_label(results: dict[str, Any]) -> str:
    limit = results.get("limit")
    return NO_LIMIT if limit is None else f"--limit {limit}"


def limit_warning(named: list[tuple[str, dict[str, Any]]]) -> str:
    """'' when every row ran with the same --limit; else a sentence naming the groups."""
    groups: dict[str, list[str]] = {}
    for name, results in named:
        groups.setdefault(limit_label(results), []).append(name)
    if len(groups) < 2:
        return ""
    listed = "; ".join(f"{label}: {', '.join(names)}" for label, names in sorted(groups.items()))
    return (f"Rows were evaluated on different numbers of samples per task ({listed}); their "
            "scores are over different samples and compare only roughly.")


def replacement_note(name: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    """What the user is told when `new` takes the place of `old` under the same name."""
    def described(results: dict[str, Any]) -> str:
        date = str(results.get("created") or "")[:10] or "undated"
        return f"{date}, {samples_cell(results)} samples"

    return f"replaced the entry {name!r} ({described(old)}) by the new results ({described(new)})"


def group_chance(all_results: list[dict[str, Any]], key: str, name: str) -> float | None:
    """The chance level of a suite or family (`key` "suite" / "family"): the macro mean of its
    tasks' chance levels (results.json `tasks.T.chance`, from the spec) when every task of the
    group on the board states one; None otherwise (a partial mean would mislead)."""
    levels: dict[str, float | None] = {}
    for results in all_results:
        for task, entry in results.get("tasks", {}).items():
            if entry.get(key) == name:
                levels.setdefault(task, entry.get("chance"))
    if not levels or any(level is None for level in levels.values()):
        return None
    return sum(levels.values()) / len(levels)  # type: ignore[arg-type]


def chance_row(all_results: list[dict[str, Any]], suites: list[str], families: list[str]) -> dict[str, float | None] | None:
    """{"suite:S" / "family:F": chance or None} for the board's chance-level row; None when no
    task on the board states a chance level (then the row is left out)."""
    if not any(entry.get("chance") is not None for r in all_results for entry in r.get("tasks", {}).values()):
        return None
    row = {f"suite:{s}": group_chance(all_results, "suite", s) for s in suites}
    row.update({f"family:{f}": group_chance(all_results, "family", f) for f in families})
    return row
