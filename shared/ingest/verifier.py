"""Verification with the directory's keys, fetching a node's JWKS again when it is due.

An event signed by a key we do not hold may be a forgery, or signed by a key the node made
after we last read its JWKS. The verifier fetches the node's keys again (at most once per
``refresh_interval`` per node), stores them in the directory, and verifies once more; a forgery
still fails. The harvester also refreshes keys older than ``keys_max_age``, so a key the node
rotated out gets its ``last_sequence`` and cannot sign anything newer.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from shared.errors import DomainError
from shared.ingest import directory as directory_service
from shared.ingest.apply import VerifiedEvent, verify
from shared.ingest.directory import DirectoryCache, TrustedNode
from shared.ingest.http import FetchError, Limits, fetch_keys
from shared.publication.events import EventRejected, UnknownKey

log = logging.getLogger(__name__)


class Verifier:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        directory: DirectoryCache,
        client: httpx.Client | None,
        limits: Limits | None = None,
        refresh_interval: float = 30.0,
        keys_max_age: float = 300.0,
    ) -> None:
        self.sessions = sessions
        self.directory = directory
        self.client = client
        self.limits = limits or Limits(timeout=10.0, max_bytes=256 * 1024)
        self.refresh_interval = refresh_interval
        self.keys_max_age = keys_max_age
        self._fetched: dict[str, float] = {}
        self._lock = threading.Lock()

    def verify(self, event: Any, node_id: str | None = None) -> VerifiedEvent:
        """Verify ``event`` from the feed of ``node_id``, or from the bus when ``None``."""
        directory = self.directory.current()
        node = directory.get(node_id) if node_id else None
        if node_id and node is None:
            raise EventRejected(f"node {node_id!r} is not in the directory")
        try:
            return verify(event, directory, node)
        except UnknownKey:
            if node is None and isinstance(event, dict):
                node = directory.by_source(str(event.get("source")))
            if node is None or not self.refresh(node):
                raise
            directory = self.directory.current()
            return verify(event, directory, directory.get(node.id) if node_id else None)

    def refresh_if_stale(self, node: TrustedNode) -> None:
        with self._lock:
            last = self._fetched.get(node.id)
        if last is None or time.monotonic() - last > self.keys_max_age:
            self.refresh(node, force=True)

    def refresh(self, node: TrustedNode, force: bool = False) -> bool:
        """Read the node's JWKS into the directory; whether it could be read (then the
        directory is read again too, so keys another process stored are seen at once)."""
        if self.client is None:
            return False
        with self._lock:
            last = self._fetched.get(node.id)
            if not force and last is not None and time.monotonic() - last < self.refresh_interval:
                return False
            self._fetched[node.id] = time.monotonic()
        try:
            keys = fetch_keys(self.client, node.base_url, self.limits)
            with self.sessions.begin() as session:
                changed = directory_service.replace_keys(session, node.id, keys)
        except (FetchError, DomainError) as exc:
            log.warning("could not refresh the keys of node %s: %s", node.id, exc)
            return False
        if changed:
            log.info("node %s has new keys: %s", node.id, ", ".join(k.key_id for k in keys))
        self.directory.invalidate()
        return True
