"""How the processes of one data-parallel `orsta-bench run` agree, without long collectives.

At start, rank 0 takes the folder lock and broadcasts the outcome plus a fresh attempt token
over a short-lived gloo group (torch.distributed, env:// from torchrun / accelerate, or
MASTER_ADDR/MASTER_PORT under srun); the group is then destroyed, so no collective can time out
while ranks generate for hours and vLLM can set up its own. After that the ranks talk through
marker files in DIR/.ranks/<token>/: `done-<r>` when rank r wrote its shard, `failed-<r>` with
its message when it stopped on an error. Rank 0 polls them (no timeout: a finished rank waits on
nothing, a killed rank is the launcher's to tear down, see docs/running.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from orsta_bench.atomic import write_text_atomic
from orsta_bench.distributed import Launch
from orsta_bench.runner.folder import RunFolderError

RANKS_DIR = ".ranks"
SETUP_TIMEOUT = timedelta(minutes=30)


class RankFailed(RunFolderError):
    """Another rank of this launch stopped on an error (its message is included)."""


def broadcast_from_main(launch: Launch, payload: object) -> object:
    """Rank 0's payload on every rank, through a gloo group made and destroyed here."""
    if launch.world_size == 1:
        return payload
    try:
        import torch.distributed as dist
    except ImportError:
        raise RunFolderError(f"a {launch.world_size}-process launch needs torch (pip install "
                             "'orsta-bench[hf]'), or run one process") from None
    if not os.environ.get("MASTER_ADDR") or not os.environ.get("MASTER_PORT"):
        raise RunFolderError("a multi-process launch needs MASTER_ADDR and MASTER_PORT "
                             "(torchrun and accelerate set them; under srun export them)")
    try:
        dist.init_process_group("gloo", init_method="env://", rank=launch.rank,
                                world_size=launch.world_size, timeout=SETUP_TIMEOUT)
    except (RuntimeError, ValueError) as error:  # torch's DistError subclasses RuntimeError
        raise RunFolderError(f"rank {launch.rank}: cannot join the launch's process group at "
                             f"{os.environ['MASTER_ADDR']}:{os.environ['MASTER_PORT']} ({error})") from None
    try:
        box = [payload]
        dist.broadcast_object_list(box, src=0)
        return box[0]
    finally:
        dist.destroy_process_group()


class Markers:
    """The marker files of one attempt (one token) of a launch."""

    def __init__(self, folder: Path, token: str, launch: Launch, poll_s: float = 0.2) -> None:
        self.dir = Path(folder) / RANKS_DIR / token
        self.launch = launch
        self.poll_s = poll_s

    @staticmethod
    def new_token() -> str:
        return uuid.uuid4().hex[:16]

    def prepare(self) -> None:
        """Rank 0, holding the lock: clear markers of earlier attempts, make this one's."""
        shutil.rmtree(self.dir.parent, ignore_errors=True)
        self.dir.mkdir(parents=True)

    def done(self, counts: dict[str, int]) -> None:
        """Rank r wrote its shard; `counts` are its new samples per status."""
        self._write(f"done-{self.launch.rank}", json.dumps(counts))

    def failed(self, message: str) -> None:
        # OSError: the folder itself is the problem; the launcher reports this rank's exit
        with contextlib.suppress(OSError):
            self._write(f"failed-{self.launch.rank}", message)

    def _write(self, name: str, text: str) -> None:
        write_text_atomic(self.dir / name, text)

    def check_failures(self) -> None:
        """Raise RankFailed with the message of the first rank that reported a failure."""
        for marker in sorted(self.dir.glob("failed-*")):
            rank = marker.name.split("-", 1)[1]
            message = marker.read_text(encoding="utf-8", errors="replace").strip()
            raise RankFailed(f"rank {rank} failed: {message}")

    def wait_for_file(self, path: Path) -> None:
        """Block until `path` exists (rank 0 writes run.json), stopping if any rank failed."""
        while not path.exists():
            self.check_failures()
            if not self.dir.exists():  # rank 0 stopped before its run began and cleaned up
                raise RankFailed("rank 0 stopped before the run began (see its message)")
            time.sleep(self.poll_s)

    def wait_all_done(self, on_poll: Callable[[], None] | None = None) -> dict[str, int]:
        """Rank 0: block until every rank marked done; returns their status counts summed."""
        expected = [self.dir / f"done-{rank}" for rank in range(self.launch.world_size)]
        while True:
            self.check_failures()
            if on_poll is not None:
                on_poll()
            if all(path.exists() for path in expected):
                break
            time.sleep(self.poll_s)
        total: dict[str, int] = {}
        for path in expected:
            for status, count in json.loads(path.read_text(encoding="utf-8")).items():
                total[status] = total.get(status, 0) + count
        return total

    def remove(self) -> None:
        shutil.rmtree(self.dir.parent, ignore_errors=True)
