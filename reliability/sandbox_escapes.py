"""Escape attempts against program_judge, scored the way users score: through the ScoringPool
with the `megabench.program_judge` verifier.

Every hostile program prints ESCAPED only if its escape worked, and the test case expects
ESCAPED: a contained escape scores 0, an escape scores 1. A harmless control program that prints
ESCAPED must score 1, so the check can tell the two apart. Side effects are checked from outside
too: no file appears outside the sandbox, the loopback listener sees no connection, and every
item comes back within the pool's time limit.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from pathlib import Path
from typing import Any

from orsta_bench.scoring import ScoreJob, ScoringPool

POOL_TIMEOUT_S = 20.0


def _programs(target: Path, port: int) -> dict[str, str]:
    return {
        "control": "print('ESCAPED')",
        "infinite_loop": "while True:\n    pass\nprint('ESCAPED')",
        "fork_bomb": "import os\nfor _ in range(10000):\n    os.fork()\nprint('ESCAPED')",
        "subprocess": "import subprocess\nsubprocess.run(['true'])\nprint('ESCAPED')",
        "memory_hog": "x = bytearray(8 * 1024 ** 3)\nx[-1] = 1\nprint('ESCAPED')",
        "network": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)\nprint('ESCAPED')",
        "file_write": f"open({str(target)!r}, 'w').write('x')\nprint('ESCAPED')",
        "ctypes": "import ctypes\nctypes.CDLL(None).system(b'true')\nprint('ESCAPED')",
        "os_system": "import os\nos.system('true')\nprint('ESCAPED')",
    }


def _as_main(code: str) -> str:
    """program_judge runs only the official main guard's body (as MEGA-Bench does)."""
    body = "\n".join("    " + line for line in code.splitlines())
    return f'if __name__ == "__main__":\n{body}\n'


def run_sandbox_escapes(rounds: int = 1, workers: int = 2) -> dict[str, Any]:
    """Each escape `rounds` times; report scores, times and outside side effects."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    outside = Path(tempfile.mkdtemp(prefix="orsta-escape-"))
    os.chmod(outside, 0o777)  # writable by anyone: only the sandbox may stop the write
    target = outside / "escaped.txt"
    programs = _programs(target, port)
    context = {"test_case": [{"input": [], "expected": "ESCAPED"}]}
    names = [name for _ in range(rounds) for name in programs]
    jobs = [ScoreJob("megabench.program_judge", _as_main(programs[n]), "", {}, context) for n in names]
    results: dict[str, list[float]] = {}
    started = time.perf_counter()
    with ScoringPool(workers=workers, timeout_s=POOL_TIMEOUT_S) as pool:
        scores = pool.score_many(jobs)
    wall = time.perf_counter() - started
    statuses = {}
    for name, result in zip(names, scores, strict=True):
        results.setdefault(name, []).append(result.value)
        statuses[name] = result.status.value
    try:
        listener.accept()
        connected = True
    except BlockingIOError:
        connected = False
    listener.close()
    file_written = target.exists()
    target.unlink(missing_ok=True)
    outside.rmdir()
    escaped = sorted(n for n, values in results.items() if n != "control" and max(values) > 0)
    return {"check": "sandbox_escapes", "rounds": rounds, "attempts": len(jobs) - rounds,
            "scores": {n: max(v) for n, v in results.items()}, "statuses": statuses,
            "escaped": escaped, "file_written_outside": file_written, "listener_connected": connected,
            "wall_s": round(wall, 1),
            "passed": (not escaped and min(results["control"]) == 1.0 and not file_written
                       and not connected and "timeout" not in statuses.values())}
