"""`orsta-bench leaderboard [RESULTS...]`: add results files to leaderboard/ and regenerate
its README.md and index.html."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orsta_bench.cli.common import console, err_console, fail


def leaderboard_command(
    results: Annotated[list[Path] | None, typer.Argument(
        help="results.json files or run folders to add (none: only regenerate).")] = None,
    board: Annotated[Path, typer.Option(
        "--dir", help="Leaderboard folder (results/ inside it holds one file per model).")
    ] = Path("leaderboard"),
    name: Annotated[str | None, typer.Option(
        "--name", help="Display name for the added model (default: the results' model).")
    ] = None,
) -> None:
    """Collect results into DIR/results/<model>.json and write DIR/README.md (Markdown table)
    and DIR/index.html (static page: sortable table, per-family heat map, per-task drill-down;
    opens from the file system with no server or network)."""
    from orsta_bench.results.leaderboard import (
        LeaderboardError,
        add_results,
        build_board,
        check_results,
        load_board,
    )
    from orsta_bench.results.leaderboard_checks import limit_warning

    paths = results or []
    if name is not None and len(paths) != 1:
        fail("--name names one model: pass exactly one results file with it")
    try:
        for path in paths:  # every file is checked before the first is added
            check_results(path, name)
        added = [add_results(path, board, name=name) for path in paths]
        readme, page, count = build_board(board)
    except LeaderboardError as error:
        fail(str(error))
    for item in added:
        console.print(f"{item.replaced} in {item.path}" if item.replaced else f"added {item.path}",
                      highlight=False, soft_wrap=True)
    console.print(f"{count} models -> {readme} and {page}", highlight=False)
    warning = limit_warning([(entry.name, entry.results) for entry in load_board(board)])
    if warning:
        err_console.print(f"warning: {warning}", style="yellow", highlight=False, soft_wrap=True)
