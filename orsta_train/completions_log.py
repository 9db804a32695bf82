"""A small table of sample completions per data source every N steps (`completion_table_steps`):
to OUTPUT/completion_tables.jsonl, to TensorBoard as text and to W&B as a Table, whichever report.

The main process's own completions of the step are used (one process's view is enough for
reading what the policy writes); at most `per_source` rows per source, the first ones scored.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

COLUMNS = ["step", "data_source", "sample_id", "reward", "completion"]


def table_rows(step: int, completions: list[tuple[str, str, float, str]], per_source: int,
               max_chars: int = 2000) -> list[list[Any]]:
    """[step, source, sample id, reward, completion] rows, at most `per_source` per source, in
    source order; completions cut to `max_chars`."""
    by_source: dict[str, list[tuple[str, str, float, str]]] = defaultdict(list)
    for item in completions:
        if len(by_source[item[0]]) < per_source:
            by_source[item[0]].append(item)
    return [[step, source, sample_id, reward, text[:max_chars]]
            for source in sorted(by_source) for _, sample_id, reward, text in by_source[source]]


class CompletionTableCallback(TrainerCallback):
    def __init__(self, reward: Any, every: int, per_source: int, path: Path) -> None:
        self.reward = reward
        self.every = every
        self.per_source = per_source
        self.path = Path(path)
        self.trainer: Any = None  # set by build.py: its callbacks hold the TensorBoard writer

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self.every or state.global_step % self.every or not state.is_world_process_zero:
            return
        rows = table_rows(state.global_step, self.reward.last_completions, self.per_source)
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
