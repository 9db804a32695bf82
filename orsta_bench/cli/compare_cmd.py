"""`orsta-bench compare BASELINE CANDIDATE`: the CI regression gate (exit 0 / 1 / 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from orsta_bench.cli.common import EXIT_FAILED, console, fail


def _delta_table(report: dict[str, Any]) -> Table:
    from orsta_bench.results.table import percent

    settings = report["settings"]
    table = Table(title=f"candidate - baseline in points: {settings['confidence']:.0%} paired "
                        f"bootstrap, max drop {100 * settings['max_drop']:.1f}",
                  title_justify="left", caption_justify="left",
                  caption="p drop n/a: fewer than 10 pairs, no verdict for the task alone"
                  if any(t["p_holm"] is None for t in report["tasks"].values()) else None)
    table.add_column("task", no_wrap=True)
    for column in ("n", "base %", "cand %", "delta"):
        table.add_column(column, justify="right")
    table.add_column("CI", justify="right", no_wrap=True)
    table.add_column("p drop", justify="right")  # Holm-adjusted, one-sided: near 1 for a gain
    flagged = bool(report["regressions"])
    if flagged:
        table.add_column("", no_wrap=True)

    def row(name: str, entry: dict[str, Any], n: str, p: str) -> None:
        cells = [name, n, percent(entry["baseline"]), percent(entry["candidate"]),
                 f"{100 * entry['delta']:+.1f}",
                 f"[{100 * entry['ci_low']:+.1f}, {100 * entry['ci_high']:+.1f}]", p]
        if flagged:
            cells.append("[bold red]REGRESSION[/]" if entry["regression"] else "")
        table.add_row(*cells)

    for name, entry in report["tasks"].items():
        p_holm = "n/a" if entry["p_holm"] is None else f"{entry['p_holm']:.2g}"
        row(name, entry, str(entry["n_paired"]), p_holm)
    table.add_section()
    for name, entry in report["suites"].items():
        n = sum(report["tasks"][t]["n_paired"] for t, e in report["tasks"].items()
                if e["suite"] == name)
        row(f"[bold]suite {name}[/]", entry, str(n), "")
    return table


def compare_command(
    baseline: Annotated[Path, typer.Argument(help="Baseline run folder (or its results.json).")],
    candidate: Annotated[Path, typer.Argument(help="Candidate run folder (or its results.json).")],
    max_drop: Annotated[float, typer.Option(
        "--max-drop", help="Tolerated drop on the 0-1 scale (0.02 = two points).")] = 0.0,
    confidence: Annotated[float, typer.Option(
        "--confidence", help="Confidence of the intervals (family-wise across tasks).")] = 0.95,
    resamples: Annotated[int, typer.Option(
        "--resamples", help="Bootstrap resamples.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 0,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print the full comparison as JSON (for CI) instead of a table.")] = False,
) -> None:
    """Exit 1 when the candidate is worse than the baseline beyond statistical noise.

    Samples pair by (task, id, sample_hash); each task's mean difference gets a paired bootstrap
    interval and regresses when it lies entirely below -max-drop (Holm-corrected across tasks);
    each suite is judged on its own interval. Exit 0: no regression, 1: regression, 2: bad or
    incomparable input."""
    from orsta_bench.results.compare import CompareError, Settings, compare_runs

    try:
        report = compare_runs(baseline, candidate, Settings(max_drop, confidence, resamples,
                                                            seed))
    except CompareError as error:
        fail(str(error))
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        pairing = report["pairing"]
        left_out = pairing["union"] - pairing["paired"]
        console.print(f"{pairing['paired']} paired samples; {left_out} unpaired left out "
                      f"({pairing['only_baseline']} only in baseline, "
                      f"{pairing['only_candidate']} only in candidate, "
                      f"{pairing['hash_mismatch']} changed); "
                      f"{pairing['excluded_status']} excluded by status", highlight=False)
        console.print(_delta_table(report))
        style = "bold red" if report["regressions"] else "bold green"
        detail = f": {', '.join(report['regressions'])}" if report["regressions"] else ""
        console.print(f"[{style}]verdict: {report['verdict']}[/]{detail}", highlight=False)
    if report["regressions"]:
        raise typer.Exit(EXIT_FAILED)
