"""The live display of a run: one progress row per task with samples/s, ETA and the count of
non-ok statuses (parse failures are visible while the run goes, not only at the end)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from orsta_bench.score import Status


class LiveDisplay:
    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"),
            TimeRemainingColumn(), TextColumn("{task.fields[issues]}", style="yellow"),
            console=console, transient=False, speed_estimate_period=60.0)
        self._ids: dict[str, TaskID] = {}
        self._issues: dict[str, dict[str, int]] = {}

    def __enter__(self) -> LiveDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.stop()

    def add_task(self, name: str, total: int | None, done: int) -> None:
        self._ids[name] = self.progress.add_task(name, total=total, completed=done, rate="",
                                                 issues="")
        self._issues[name] = {}

    def note(self, message: str) -> None:
        self.progress.console.print(f"[yellow]{message}[/]")

    def advance(self, name: str, status: str) -> None:
        """One more finished sample of task `name` (any rank's), with its status value."""
        task_id = self._ids.get(name)
        if task_id is None:
            return
        if status != Status.OK.value:
            counts = self._issues[name]
            counts[status] = counts.get(status, 0) + 1
        self.progress.advance(task_id)
        speed = self.progress.tasks[task_id].speed
        issues = ", ".join(f"{k} {v}" for k, v in sorted(self._issues[name].items()))
        self.progress.update(task_id, rate=f"{speed:.1f}/s" if speed else "", issues=issues)
