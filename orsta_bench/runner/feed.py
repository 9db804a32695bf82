"""Generation on a background thread, drained in bursts by the caller.

The backend's generator runs in its own thread (torch and HTTP release the GIL), so the main
thread scores and writes one batch while the next one generates. The caller gets every item
that is ready at once as one burst, which lets the scoring pool work on a whole batch instead of
one response at a time. The queue is bounded, so memory stays flat however long the stream is.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_DONE = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def bursts(items: Iterable[T], maxsize: int = 256) -> Iterator[list[T]]:
    """Yield lists of the items produced so far (at least one each), in production order.
    An exception in the producer is re-raised here; closing this generator stops the producer."""
    channel: queue.Queue[Any] = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                channel.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as error:  # handed to the consumer, which re-raises it
            put(_Failure(error))
        finally:
            put(_DONE)

    thread = threading.Thread(target=produce, name="orsta-generate", daemon=True)
    thread.start()
    try:
        while True:
            burst = [channel.get()]
            while True:
                try:
                    burst.append(channel.get_nowait())
                except queue.Empty:
                    break
            ready = []
            for item in burst:
                if item is _DONE:
                    if ready:
                        yield ready
                    return
                if isinstance(item, _Failure):
                    if ready:
                        yield ready
                    raise item.error
                ready.append(item)
            yield ready
    finally:
        stop.set()
        thread.join(timeout=5)
