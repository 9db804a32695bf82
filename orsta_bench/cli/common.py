"""What every CLI command shares: consoles, exit codes, the --tasks-dir option, clean failures."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)

def command_help(command: Callable[..., Any]) -> str:
    """The command's docstring with each paragraph on one line: Typer's rich help keeps a
    docstring's line breaks, so a wrapped source line would break mid-sentence in `--help`."""
    paragraphs = inspect.cleandoc(command.__doc__ or "").split("\n\n")
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and found something wrong (regression, scoring errors)
EXIT_USAGE = 2  # bad input: spec, flags, files

TasksDirOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--tasks-dir",
        help="Folder(s) of task specs to use instead of the built-in tasks/ (repeatable; "
        "also $ORSTA_TASKS_DIR).",
    ),
]


DataRootOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--data-root",
        help="Folder a task spec may name data files and images in, besides the spec's own "
        "folder (repeatable; also $ORSTA_DATA_ROOT, several joined by ':'). docs/specs.md.",
    ),
]


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print a clear error to stderr and exit (2 = bad input by default). The message is shown
    as written: brackets in it (`pip install 'orsta-bench[interop]'`, `tasks[0]`) are not markup."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def load_selected(tasks: str, tasks_dir: list[Path] | None, allow_empty: bool = False,
                  data_roots: list[Path] | None = None):
    """Load the catalog and apply a --tasks selector, turning every problem into a clean exit 2."""
    from orsta_bench.spec.catalog import SelectionError, load_catalog, select_tasks
    from orsta_bench.spec.loader import SpecError

    try:
        catalog = load_catalog(tasks_dir, data_roots)
        if allow_empty and not catalog:
            return []
        return select_tasks(catalog, tasks)
    except SpecError as error:
        fail(f"invalid task specs:\n{error}")
    except SelectionError as error:
        fail(str(error))
