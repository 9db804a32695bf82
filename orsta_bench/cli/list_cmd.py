"""`orsta-bench list`: the tasks (or verifiers) this installation knows."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from orsta_bench.cli.common import TasksDirOption, console


def list_command(
    tasks: Annotated[str, typer.Option("--tasks", "-t", help="Only these: names, suites or globs, comma-separated.")] = "*",
    tasks_dir: TasksDirOption = None,
    verifiers: Annotated[bool, typer.Option("--verifiers", help="List registered verifiers instead of tasks.")] = False,
) -> None:
    """List tasks with sample count, suite, category, family, verifier and spec hash."""
    if verifiers:
        from orsta_bench.verifiers.registry import get_verifier, verifier_names

        table = Table("verifier", "description")
        for name in verifier_names():
            table.add_row(name, get_verifier(name).description)
        console.print(table)
        return

    from orsta_bench.cli.common import load_selected
    from orsta_bench.sources.base import count_samples

    table = Table()
    # The count comes right after the name: a narrow terminal crops the rightmost columns.
    table.add_column("task", no_wrap=True)
    table.add_column("samples", justify="right", no_wrap=True, min_width=len("samples"))
    for column in ("suite", "category", "family", "verifier", "spec hash"):
        table.add_column(column, no_wrap=True)
    for loaded in load_selected(tasks, tasks_dir, allow_empty=tasks == "*"):
        spec = loaded.spec
        count = count_samples(loaded)
        table.add_row(spec.name, "?" if count is None else str(count), spec.suite, spec.category,
                      spec.family, spec.verifier.name, loaded.content_hash)
    console.print(table)
