"""The one back-off of the loops that wait for the bus or the database."""

from __future__ import annotations

import threading

from shared.bus.backoff import JITTER, Backoff


class RecordingStop(threading.Event):
    """A stop event that records each wait instead of waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.waits.append(timeout)
        return False


def test_the_wait_doubles_up_to_the_longest_and_starts_over_after_a_success() -> None:
    stop, backoff = RecordingStop(), Backoff(first=0.5, longest=3.0)
    for _ in range(5):
        backoff.wait(stop)
    backoff.reset()
    backoff.wait(stop)
    for waited, delay in zip(stop.waits, [0.5, 1.0, 2.0, 3.0, 3.0, 0.5], strict=True):
        assert delay * (1 - JITTER) <= waited <= delay * (1 + JITTER)
