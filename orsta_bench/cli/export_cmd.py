"""`orsta-bench export`: tasks out as V-Triune parquet, plain HF parquet or an lmms-eval folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orsta_bench.cli.common import DataRootOption, TasksDirOption, console, fail


def export_command(
    tasks: Annotated[str, typer.Option("--tasks", "-t", help="Task names, suites or globs, comma-separated.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="New (or empty) folder to write into.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="vtriune | hf | lmms-eval")] = "vtriune",
    limit: Annotated[int | None, typer.Option("--limit", help="At most N samples per task.")] = None,
    tasks_dir: TasksDirOption = None,
    data_root: DataRootOption = None,
) -> None:
    """Export tasks: one parquet per task (V-Triune columns, or Sample.to_hf_row rows); for
    lmms-eval also a task YAML per task and utils.py (use with `lmms-eval --include_path DIR`)."""
    from orsta_bench.cli.common import load_selected
    from orsta_bench.interop.export import ExportError, export_tasks
    from orsta_bench.interop.vtriune import VTriuneFormatError
    from orsta_bench.safe_files import UnsafePathError
    from orsta_bench.sources.base import SourceError

    specs = load_selected(tasks, tasks_dir, data_roots=data_root)
    try:
        counts = export_tasks(specs, fmt, output, limit)
    except (ExportError, SourceError, VTriuneFormatError, UnsafePathError) as error:
        fail(str(error))
    except ImportError as error:
        fail(f"export needs pyarrow ({error}); install it with: pip install 'orsta-bench[interop]'")
    for name, count in counts.items():
        console.print(f"{name}: {count} sample(s)", highlight=False)
    console.print(f"[green]✓[/] wrote {len(counts)} task(s) as {fmt} to {output.expanduser().resolve()}")
    if fmt == "lmms-eval":
        console.print(f"run: lmms-eval --include_path {output} --tasks {','.join(counts)} --model ...",
                      highlight=False, soft_wrap=True)
