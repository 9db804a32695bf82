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
    """List tasks with suite, category, family, verifier and sample count."""
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
    for column in ("task", "suite", "category", "family", "verifier"):
        table.add_column(column, no_wrap=True)
    # The narrow columns keep their width so an 80-column terminal truncates names, not counts.
    table.add_column("samples", justify="right", no_wrap=True, min_width=len("samples"))
    table.add_column("spec hash", no_wrap=True, min_width=12)
    for loaded in load_selected(tasks, tasks_dir, allow_empty=tasks == "*"):
        spec = loaded.spec
        count = count_samples(loaded)
        table.add_row(spec.name, spec.suite, spec.category, spec.family, spec.verifier.name,
                      "?" if count is None else str(count), loaded.content_hash)
    console.print(table)
