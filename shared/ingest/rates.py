"""A per-node ingest rate: how many of a node's events a national service applies a minute.

A node (or whoever holds its key) flooding the bus or its feed must not take the national
database's whole write capacity. Each node has a token bucket that fills at
``per_minute / 60`` events a second and holds at most a minute's worth, so a burst (a bulk
import) goes through at once and a flood is slowed to the rate. Events over it are deferred,
never lost: the bus consumer gives them back to the queue for later, the harvester ends that
node's round and the next round goes on from its cursor.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class NodeRates:
    """Token buckets by node id; safe to share between the harvester's threads."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # node: (tokens, at)
        self._lock = threading.Lock()

    def _tokens(self, node_id: str) -> float:
        now = self.clock()
        tokens, at = self._buckets.get(node_id, (float(self.per_minute), now))
        return min(float(self.per_minute), tokens + (now - at) * self.per_minute / 60)

    def allows(self, node_id: str) -> bool:
        """Whether the node may have another event applied now."""
        with self._lock:
            return self._tokens(node_id) >= 1

    def spend(self, node_id: str, count: int = 1) -> None:
        """Count ``count`` applied events of the node. A page may overdraw the bucket; the
        node then waits until it has filled again."""
        with self._lock:
            self._buckets[node_id] = (self._tokens(node_id) - count, self.clock())

    def wait_seconds(self, node_id: str) -> float:
        """How long until the node may have an event applied again."""
        with self._lock:
            missing = 1 - self._tokens(node_id)
        return max(0.0, missing * 60 / self.per_minute)
