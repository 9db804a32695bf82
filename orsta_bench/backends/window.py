"""A bounded in-flight window: run a function over a stream of items on threads, keep at most
`window` running, and yield results as each completes (not in input order).

Used by request-per-call backends (openai) so a slow request never holds back finished ones and
memory stays bounded however long the input stream is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def completed_in_window(fn: Callable[[T], R], items: Iterable[T], window: int) -> Iterator[R]:
    """Yield fn(item) for every item as it completes, at most `window` calls in flight."""
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    source = iter(items)
    with ThreadPoolExecutor(max_workers=window, thread_name_prefix="orsta-req") as pool:
        pending: set[Future[R]] = set()
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                pending.add(pool.submit(fn, item))
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
