"""The live display of a run: one progress row per task with samples/s, ETA and the count of
non-ok statuses (parse failures are visible while the run goes, not only at the end)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
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


class WindowRate:
    """Samples per second over the last `window_s` seconds of this process: resumed samples are
    never counted, and the span is measured from when counting began (at least `min_span_s`), so
    a first burst does not read as thousands per second."""

    def __init__(self, window_s: float = 30.0, min_span_s: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s, self.min_span_s, self.clock = window_s, min_span_s, clock
        self.started = clock()
        self._times: deque[float] = deque()

    def add(self) -> None:
        self._times.append(self.clock())

    def rate(self) -> float | None:
        """None until a sample finished in the window."""
        now = self.clock()
        while self._times and self._times[0] < now - self.window_s:
            self._times.popleft()
        if not self._times:
            return None
        span = now - max(self.started, now - self.window_s)
        return len(self._times) / max(span, self.min_span_s)


class LiveDisplay:
    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"),
            TimeRemainingColumn(), TextColumn("{task.fields[issues]}", style="yellow"),
            console=console, transient=False)
        self._ids: dict[str, TaskID] = {}
        self._issues: dict[str, dict[str, int]] = {}
        self._rates: dict[str, WindowRate] = {}

    def __enter__(self) -> LiveDisplay:
        self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.stop()

    def add_task(self, name: str, total: int | None, done: int) -> None:
        self._ids[name] = self.progress.add_task(name, total=total, completed=done, rate="",
                                                 issues="")
        self._issues[name] = {}
        self._rates[name] = WindowRate()

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
        self._rates[name].add()
        speed = self._rates[name].rate()
        issues = ", ".join(f"{k} {v}" for k, v in sorted(self._issues[name].items()))
        self.progress.update(task_id, rate=f"{speed:.1f}/s" if speed else "", issues=issues)
