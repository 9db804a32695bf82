"""A wall-clock limit for symbolic work (LaTeX parsing, sympy equality) that can blow up.

Uses SIGALRM in the main thread, as the official evaluator does; elsewhere it is a no-op and
the outer scoring pool's per-item timeout is what bounds the work."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class TimeLimit(Exception):
    """The guarded block ran past its limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield  # someone else owns the timer; do not clobber it
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeLimit()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
