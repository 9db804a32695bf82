"""`orsta-bench validate`: check every spec and report every problem, not just the first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orsta_bench.cli.common import EXIT_USAGE, DataRootOption, console, err_console


def validate_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="Spec files or folders (default: the built-in tasks/).")] = None,
    data_root: DataRootOption = None,
) -> None:
    """Validate task specs: YAML syntax and caps, schema, includes, verifier and source names,
    duplicates. Data files are checked when a run opens them."""
    from orsta_bench.spec.catalog import builtin_tasks_dir
    from orsta_bench.spec.loader import SpecError, load_specs

    try:
        specs = load_specs(paths or [builtin_tasks_dir()], data_root or [])
    except SpecError as error:
        for issue in error.issues:
            err_console.print(f"[red]✗[/] {issue}", highlight=False, soft_wrap=True)
        err_console.print(f"[bold red]{len(error.issues)} problem(s) found[/]")
        raise typer.Exit(EXIT_USAGE) from None
    console.print(f"[green]✓[/] {len(specs)} task spec(s) valid")
