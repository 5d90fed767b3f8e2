"""Exponential back-off with jitter, for the loops that wait for the bus or the database."""

from __future__ import annotations

import random
import threading

# Each wait is the delay give or take this share, so processes that lost the bus together do
# not all come back at the same instant.
JITTER = 0.2


class Backoff:
    """The wait before the next attempt: ``first`` seconds, doubling after every failure up to
    ``longest``, back to ``first`` after a success (:meth:`reset`)."""

    def __init__(self, first: float = 0.5, longest: float = 30.0) -> None:
        self.first, self.longest = first, longest
        self.delay = first

    def reset(self) -> None:
        """The attempt succeeded: the next failure waits ``first`` again."""
        self.delay = self.first

    def wait(self, stop: threading.Event) -> None:
        """Wait the current delay (or until ``stop`` is set), then double it."""
        stop.wait(self.delay * random.uniform(1 - JITTER, 1 + JITTER))  # noqa: S311 - not crypto
        self.delay = min(self.delay * 2, self.longest)
