"""runner.feed.bursts: every item once, in order, in bursts; producer errors surface; closing
the consumer stops the producer (no thread left generating)."""

from __future__ import annotations

import threading
import time

import pytest

from orsta_bench.runner.feed import bursts


def test_all_items_in_order_in_bursts() -> None:
    def slow_batches():
        for start in range(0, 40, 8):
            time.sleep(0.02)
            yield from range(start, start + 8)

    got = list(bursts(slow_batches(), maxsize=4))
    assert [item for burst in got for item in burst] == list(range(40))
    assert all(burst for burst in got)


def test_producer_error_is_raised_after_earlier_items() -> None:
    def failing():
        yield 1
        raise RuntimeError("backend exploded")

    seen = []
    with pytest.raises(RuntimeError, match="backend exploded"):
        for burst in bursts(failing()):
            seen.extend(burst)
    assert seen == [1]


def test_closing_stops_the_producer() -> None:
    produced = []

    def endless():
        i = 0
        while True:
            produced.append(i)
            yield i
            i += 1

    stream = bursts(endless(), maxsize=2)
    next(stream)
    stream.close()
    count = len(produced)
    time.sleep(0.3)
    assert len(produced) <= count + 3  # stopped (at most the queue's worth after close)
    assert not any(t.name == "orsta-generate" and t.is_alive() for t in threading.enumerate())
