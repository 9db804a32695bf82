"""Which process of a data-parallel launch this is, and which samples it owns.

One helper serves `orsta-bench run` under torchrun / accelerate / srun and the trainer's
evaluation: samples are split by a stable hash of (task, id), so a sample's owner depends only on
the number of processes, never on the order or count of the other samples.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

# (rank, world size, local rank) variable names, first launcher that sets them wins.
_LAUNCHERS = (("RANK", "WORLD_SIZE", "LOCAL_RANK"),  # torchrun, accelerate launch
              ("SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"))  # srun


@dataclass(frozen=True)
class Launch:
    rank: int
    world_size: int
    local_rank: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def _int_var(environ: Mapping[str, str], name: str, default: int | None = None) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        if default is None:
            raise ValueError(f"{name} is not set but the other launch variables are; "
                             "set it or unset them all")
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer") from None


def detect_launch(environ: Mapping[str, str] = os.environ) -> Launch:
    """The launch this process belongs to; a single process (0, 1, 0) when none is set."""
    for rank_var, size_var, local_var in _LAUNCHERS:
        if rank_var not in environ and size_var not in environ:
            continue
        rank = _int_var(environ, rank_var)
        world_size = _int_var(environ, size_var)
        local_rank = _int_var(environ, local_var, default=rank)
        if world_size < 1:
            raise ValueError(f"{size_var}={world_size} must be >= 1")
        if not 0 <= rank < world_size:
            raise ValueError(f"{rank_var}={rank} is outside 0..{world_size - 1} ({size_var}={world_size})")
        if not 0 <= local_rank <= rank:
            raise ValueError(f"{local_var}={local_rank} must be between 0 and {rank_var}={rank}")
        return Launch(rank, world_size, local_rank)
    return Launch(0, 1, 0)


def shard_of(task: str, sample_id: str, world_size: int) -> int:
    """The rank that owns a sample: sha256 of task NUL id, modulo world size."""
    if world_size < 1:
        raise ValueError(f"world_size must be >= 1, got {world_size}")
    digest = hashlib.sha256(f"{task}\0{sample_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % world_size


def take_shard(items: Iterable[T], key: Callable[[T], tuple[str, str]], rank: int,
               world_size: int) -> Iterator[T]:
    """The items whose (task, id) key belongs to `rank`, lazily and in input order."""
    if not 0 <= rank < world_size:
        raise ValueError(f"rank {rank} is outside 0..{world_size - 1}")
    for item in items:
        if world_size == 1 or shard_of(*key(item), world_size) == rank:
            yield item
