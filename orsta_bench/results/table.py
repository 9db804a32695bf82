"""Rich tables of results.json scores: one row per task, then suite rows, with intervals and
status counts (parse failures and harness failures are shown, never hidden). Used by the run
command's summary and by anyone printing a results file."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table

# Statuses shown in their own columns, with short labels: model failures scored 0, then
# harness failures excluded from scores.
_MODEL_FAILURES = {"no_answer": "no-ans", "parse_error": "parse", "timeout": "timeout"}
_EXCLUDED = {"error": "error", "not_scored": "unscored", "backend_error": "backend"}
INCOMPLETE_MARK = "(incomplete)"


def percent(value: float | None) -> str:
    """A 0-1 score as a percentage with one decimal ("-" when there is no score)."""
    return "-" if value is None else f"{100.0 * value:.1f}"


def interval(entry: dict[str, Any]) -> str:
    """"[low, high]" in percent, or "" when the entry has no interval."""
    low, high = entry.get("ci_low"), entry.get("ci_high")
    if low is None or high is None:
        return ""
    return f"[{percent(low)}, {percent(high)}]"


def _counts(entry: dict[str, Any], labels: dict[str, str]) -> str:
    counts = entry.get("status_counts", {})
    return " ".join(f"{label}:{counts[name]}" for name, label in labels.items()
                    if counts.get(name))


def results_table(results: dict[str, Any], title: str | None = None) -> Table:
    """Task rows grouped by suite, followed by one bold row per suite (macro mean)."""
    confidence = results.get("intervals", {}).get("confidence", 0.95)
    tasks = results.get("tasks", {})
    suites = results.get("suites", {})
    several = len(suites) > 1
    table = Table(title=title, title_justify="left", caption_justify="left", box=box.SIMPLE_HEAD,
                  pad_edge=False, collapse_padding=True,
                  caption="scores in percent; failed (scored 0): no-ans(wer), parse (error), "
                          "timeout; excluded from scores: error, unscored, backend (error)")
    table.add_column("task", no_wrap=True)
    if several:
        table.add_column("suite")
    table.add_column("family", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column(f"{confidence:.0%} CI", justify="right", no_wrap=True)
    table.add_column("n", justify="right", no_wrap=True)
    table.add_column("failed", overflow="fold", min_width=9)
    table.add_column("excluded", style="red", overflow="fold", min_width=9)

    def row(name: str, entry: dict[str, Any], suite: str, family: str, score: str) -> None:
        cells = [name] + ([suite] if several else []) + [
            family, score, interval(entry),
            f"{entry.get('n_scored', 0)}/{entry['n']}" if "n" in entry else "",
            _counts(entry, _MODEL_FAILURES), _counts(entry, _EXCLUDED)]
        table.add_row(*cells)

    for name, entry in sorted(tasks.items(), key=lambda item: (item[1].get("suite", ""),
                                                                 item[0])):
        row(name, entry, entry.get("suite", ""), entry.get("family", ""),
            percent(entry.get("score")))
    if suites:
        table.add_section()
    for name, entry in sorted(suites.items()):
        row(f"[bold]suite {name}[/]", entry, name, f"{entry.get('n_tasks', 0)} tasks",
            f"[bold]{percent(entry.get('score'))}[/]")
    megabench = results.get("megabench")
    if megabench:
        table.add_section()
        for part in ("core", "open", "overall"):
            entry = megabench.get(part) or {}
            if entry.get("num_tasks"):
                row(f"[bold]MEGA-Bench {part.capitalize()}[/]", entry, "megabench",
                    f"{entry['num_tasks']} tasks", f"[bold]{percent(entry.get('score'))}[/]"
                    + ("" if entry.get("complete", True) else f" {INCOMPLETE_MARK}"))
        partial = (megabench.get("overall") or {}).get("incomplete_tasks") or []
        if partial:
            table.caption += (f"; {INCOMPLETE_MARK} MEGA-Bench score is incomplete: {len(partial)} counted "
                              "task(s) have fields not scored (no judge, missing tool) or in error")
    return table
