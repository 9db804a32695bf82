"""The first training step's check that no data source is skipped silently.

Unscorable completions (status `error` / `not_scored`) get no reward (None: TRL leaves them out
of the group statistics). If that is every completion of a data source, the source teaches
nothing, however long the run: in the first reward call, orsta-train stops instead (exit 2)
naming the source and the first detail. With several processes the counts are gathered from every
rank first, so all ranks take the same decision and none waits in a collective the others left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from orsta_bench.api import UNSCORABLE_STATUSES, Sample, Score
from orsta_train.dataset import TrainDataError

UNSCORABLE = frozenset(status.value for status in UNSCORABLE_STATUSES)

# data source -> [completions scored, completions unscorable, first unscorable "status: detail"]
Tally = dict[str, list[Any]]


class FirstStepError(TrainDataError):
    """Every completion of a data source in the first training step could not be scored."""


def tally(samples: Sequence[Sample], scores: Sequence[Score]) -> Tally:
    """This process's counts per data source."""
    counts: Tally = {}
    for sample, score in zip(samples, scores, strict=True):
        entry = counts.setdefault(sample.data_source, [0, 0, None])
        status = score.status.value
        if status in UNSCORABLE:
            entry[1] += 1
            if entry[2] is None:
                entry[2] = f"{status}: {score.detail or 'no detail'} (task {sample.task!r}, sample {sample.id!r})"
        else:
            entry[0] += 1
    return counts


def gathered(counts: Tally) -> Tally:
    """Every rank's counts merged (rank order decides the first detail); this rank's alone when
    torch.distributed is not initialised."""
    try:
        import torch.distributed as dist
    except ImportError:
        return counts
    if not (dist.is_available() and dist.is_initialized()):
        return counts
    everyone: list[Tally | None] = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, counts)
    merged: Tally = {}
    for rank_counts in everyone:
        for source, (scored, unscorable, first) in (rank_counts or {}).items():
            entry = merged.setdefault(source, [0, 0, None])
            entry[0] += scored
            entry[1] += unscorable
            entry[2] = entry[2] or first
    return merged


def check_first_step(samples: Sequence[Sample], scores: Sequence[Score]) -> None:
    """Raise FirstStepError naming each data source none of whose completions could be scored."""
    dead = {source: entry for source, entry in gathered(tally(samples, scores)).items()
            if entry[0] == 0 and entry[1] > 0}
    if dead:
        lines = "; ".join(f"data source {source!r}: all {unscorable} completion(s) unscorable, first {first}"
                          for source, (_, unscorable, first) in sorted(dead.items()))
        raise FirstStepError(
            f"first training step: {lines}. These rows would be skipped (no reward) for the whole run; "
            "fix the verifier call or the data, or drop the task from --tasks")
