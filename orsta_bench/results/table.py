"""Rich tables of results.json scores: one row per task, then suite rows, with intervals and
status counts (parse failures and harness failures are shown, never hidden). Used by the run
command's summary and by anyone printing a results file."""

from __future__ import annotations

from typing import Any

from rich.table import Table

# Statuses shown in their own columns: model failures scored 0, then harness failures excluded.
_MODEL_FAILURES = ("no_answer", "parse_error", "timeout")
_EXCLUDED = ("error", "not_scored", "backend_error")


def percent(value: float | None) -> str:
    """A 0-1 score as a percentage with one decimal ("-" when there is no score)."""
    return "-" if value is None else f"{100.0 * value:.1f}"


def interval(entry: dict[str, Any]) -> str:
    """"[low, high]" in percent, or "" when the entry has no interval."""
    low, high = entry.get("ci_low"), entry.get("ci_high")
    if low is None or high is None:
        return ""
    return f"[{percent(low)}, {percent(high)}]"


def _counts(entry: dict[str, Any], statuses: tuple[str, ...]) -> str:
    counts = entry.get("status_counts", {})
    parts = [f"{name} {counts[name]}" for name in statuses if counts.get(name)]
    return ", ".join(parts)


def results_table(results: dict[str, Any], title: str | None = None) -> Table:
    """Task rows grouped by suite, followed by one bold row per suite (macro mean)."""
    confidence = results.get("intervals", {}).get("confidence", 0.95)
    table = Table(title=title, title_justify="left")
    table.add_column("task")
    table.add_column("suite")
    table.add_column("family")
    table.add_column("score %", justify="right")
    table.add_column(f"{confidence:.0%} CI", justify="right")
    table.add_column("n", justify="right")
    table.add_column("failed (scored 0)")
    table.add_column("excluded", style="red")
    tasks = results.get("tasks", {})
    for name, entry in sorted(tasks.items(), key=lambda item: (item[1].get("suite", ""),
                                                                 item[0])):
        n = f"{entry.get('n_scored', 0)}/{entry.get('n', 0)}"
        table.add_row(name, entry.get("suite", ""), entry.get("family", ""),
                      percent(entry.get("score")), interval(entry), n,
                      _counts(entry, _MODEL_FAILURES), _counts(entry, _EXCLUDED))
    suites = results.get("suites", {})
    if suites:
        table.add_section()
    for name, entry in sorted(suites.items()):
        n = f"{entry.get('n_scored', 0)}/{entry.get('n', 0)}"
        table.add_row(f"[bold]{name}[/] (suite, {entry.get('n_tasks', 0)} tasks)", name, "",
                      f"[bold]{percent(entry.get('score'))}[/]", interval(entry), n,
                      _counts(entry, _MODEL_FAILURES), _counts(entry, _EXCLUDED))
    return table
