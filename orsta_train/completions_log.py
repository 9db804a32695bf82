"""A small table of sample completions per data source every N steps (`completion_table_steps`):
to OUTPUT/completion_tables.jsonl, to TensorBoard as text and to W&B as a Table, whichever report.

Every process offers its first `per_source` completions per source of the step; they are
gathered (a collective: every process reaches the same steps) and the main process alone writes
the table, taking each source's rows from the processes in turn, so a source another process saw
is not missing and one process's view does not fill the table.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from orsta_train.rewards import gather_lists

COLUMNS = ["step", "data_source", "process", "sample_id", "reward", "completion"]
MAX_CHARS = 2000


def offered(completions: list[tuple[str, str, float, str]], per_source: int, process: int,
            max_chars: int = MAX_CHARS) -> list[tuple[int, str, str, float, str]]:
    """This process's candidates: (process, source, sample id, reward, completion cut to
    `max_chars`), its first `per_source` per source, small enough to gather."""
    taken: dict[str, int] = defaultdict(int)
    items = []
    for source, sample_id, reward, text in completions:
        if taken[source] < per_source:
            taken[source] += 1
            items.append((process, source, sample_id, reward, text[:max_chars]))
    return items


def table_rows(step: int, items: list[tuple[int, str, str, float, str]], per_source: int) -> list[list[Any]]:
    """[step, source, process, sample id, reward, completion] rows from every process's `offered`
    items: at most `per_source` per source, in source order, each source's rows taken from the
    processes in turn (first of each process, then second ...)."""
    by_source: dict[str, list[tuple[int, int, str, float, str]]] = defaultdict(list)
    position: dict[tuple[int, str], int] = defaultdict(int)
    for process, source, sample_id, reward, text in items:
        by_source[source].append((position[process, source], process, sample_id, reward, text))
        position[process, source] += 1
    return [[step, source, process, sample_id, reward, text]
            for source in sorted(by_source)
            for _, process, sample_id, reward, text in sorted(by_source[source], key=lambda item: item[:2])[:per_source]]


class CompletionTableCallback(TrainerCallback):
    def __init__(self, reward: Any, every: int, per_source: int, path: Path) -> None:
        self.reward = reward
        self.every = every
        self.per_source = per_source
        self.path = Path(path)
        self.trainer: Any = None  # set by build.py: its callbacks hold the TensorBoard writer

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self.every or state.global_step % self.every:
            return
        items = gather_lists(offered(self.reward.last_completions, self.per_source, args.process_index))
        if not state.is_world_process_zero:
            return
        rows = table_rows(state.global_step, items, self.per_source)
        if not rows:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(dict(zip(COLUMNS, row, strict=True)), ensure_ascii=False) + "\n")
        self._to_reporters(rows, state.global_step)

    def _to_reporters(self, rows: list[list[Any]], step: int) -> None:
        for callback in self.trainer.callback_handler.callbacks if self.trainer else []:
            writer = getattr(callback, "tb_writer", None)
            if writer is not None:
                lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
                lines += ["| " + " | ".join(str(v).replace("|", "\\|").replace("\n", " ") for v in row) + " |"
                          for row in rows]
                writer.add_text("completions", "\n".join(lines), step)
        try:
            import wandb
        except ImportError:
            return
        if wandb.run is not None:
            wandb.log({"completions": wandb.Table(columns=COLUMNS, data=rows)}, step=step)
