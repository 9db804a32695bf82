"""The live display's samples/s: a recent window of this process's samples, never a cumulative
figure inflated by resumed samples or by a first burst over a few microseconds."""

from __future__ import annotations

import io

from rich.console import Console

from orsta_bench.runner.display import LiveDisplay, WindowRate


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_is_none_before_any_sample():
    assert WindowRate(clock=FakeClock()).rate() is None


def test_a_first_burst_is_divided_by_at_least_one_second():
    clock = FakeClock()
    rate = WindowRate(clock=clock)
    clock.now += 0.001
    for _ in range(50):
        rate.add()
    assert rate.rate() == 50.0


def test_rate_counts_only_the_recent_window():
    clock = FakeClock()
    rate = WindowRate(window_s=30.0, clock=clock)
    for _ in range(60):  # 60 samples, one every 2 s: 0.5/s
        clock.now += 2.0
        rate.add()
    assert abs(rate.rate() - 0.5) <= 1 / 30  # 15 or 16 samples in the last 30 s
    for _ in range(30):  # then 10 per second for 30 s: the old pace is out of the window
        for _ in range(10):
            clock.now += 0.1
            rate.add()
    assert abs(rate.rate() - 10.0) < 0.5
    clock.now += 31.0
    assert rate.rate() is None


def test_early_rate_is_measured_from_when_counting_began():
    clock = FakeClock()
    rate = WindowRate(window_s=30.0, clock=clock)
    clock.now += 10.0
    for _ in range(5):
        rate.add()
    assert rate.rate() == 0.5  # 5 samples in the 10 s since the task's row appeared


def test_resumed_samples_do_not_enter_the_rate():
    display = LiveDisplay(Console(file=io.StringIO(), width=200))
    display.add_task("t", total=20000, done=13900)  # resumed: already in the folder
    display.advance("t", "ok")
    task = display.progress.tasks[0]
    assert task.completed == 13901
    assert task.fields["rate"] == "1.0/s"  # one new sample within the first second, not 13,901/s
