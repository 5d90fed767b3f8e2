"""Verification with the directory's trusted keys, reading a node's JWKS again when it is due.

An event signed by a key we do not trust may be a forgery, or signed by a key the node made
after we last read its JWKS. The verifier reads the node's JWKS again (at most once per
``refresh_interval`` per node) and records what it lists (:func:`~shared.ingest.node_keys.
observe_keys`): a new key becomes *pending*, so the operator sees it, but it verifies nothing
until approved, and the event stays refused. The harvester also reads the JWKS of keys older
than ``keys_max_age``, so a key the node rotated out gets its ``last_sequence`` and cannot sign
anything newer.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from shared.errors import DomainError
from shared.ingest import node_keys
from shared.ingest.apply import DEFAULT_MAX_FUTURE, VerifiedEvent, verify
from shared.ingest.directory import DirectoryCache, TrustedNode
from shared.ingest.http import FetchError, Limits, fetch_keys
from shared.ingest.redaction import Redacting, is_redaction, take_redaction
from shared.ingest.rotation import is_rotation, take_rotation
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
        max_future: dt.timedelta = DEFAULT_MAX_FUTURE,
    ) -> None:
        self.sessions = sessions
        self.directory = directory
        self.client = client
        self.limits = limits or Limits(timeout=10.0, max_bytes=256 * 1024)
        self.refresh_interval = refresh_interval
        self.keys_max_age = keys_max_age
        self.max_future = max_future
        self._fetched: dict[str, float] = {}
        self._lock = threading.Lock()

    def verify(self, event: Any, node_id: str | None = None) -> VerifiedEvent:
        """Verify ``event`` from the feed of ``node_id``, or from the bus when ``None``.

        Raises :class:`UnknownKey` for an event signed by a key not trusted here, after
        reading the node's JWKS (when due) so that a new key shows as pending."""
        try:
            return self._verify(event, node_id)
        except UnknownKey as exc:
            raise UnknownKey(
                f"{exc}: the node's key is not trusted here (a key its JWKS lists waits for "
                "the national operator's approval)"
            ) from None

    def take_rotation(self, event: Any, node_id: str | None = None) -> bool:
        """Take ``event`` if it is a key rotation (:mod:`shared.ingest.rotation`): trust the
        key it announces at once, so the events after it verify; whether it was one. Raises
        :class:`EventRejected` (or :class:`UnknownKey`) for one that must not be taken."""
        if not is_rotation(event):
            return False
        directory = self.directory.current()
        node = directory.get(node_id) if node_id else None
        if node_id and node is None:
            raise EventRejected(f"node {node_id!r} is not in the directory")
        try:
            take_rotation(self.sessions, event, directory, node)
        except UnknownKey as exc:
            raise UnknownKey(f"{exc}: a key rotation signed by a key not trusted here") from None
        self.directory.invalidate()
        return True

    def take_redaction(self, event: Any, sink: Redacting, node_id: str | None = None) -> bool:
        """Take ``event`` if it is a redaction (:mod:`shared.ingest.redaction`): record it and
        purge the offer's stored versions at once; whether it was one. Raises
        :class:`EventRejected` (or :class:`UnknownKey`) for one that must not be taken."""
        if not is_redaction(event):
            return False
        directory = self.directory.current()
        node = directory.get(node_id) if node_id else None
        if node_id and node is None:
            raise EventRejected(f"node {node_id!r} is not in the directory")
        try:
            take_redaction(self.sessions, sink, event, directory, node)
        except UnknownKey as exc:
            raise UnknownKey(f"{exc}: a redaction signed by a key not trusted here") from None
        return True

    def _verify(self, event: Any, node_id: str | None) -> VerifiedEvent:
        directory = self.directory.current()
        node = directory.get(node_id) if node_id else None
        if node_id and node is None:
            raise EventRejected(f"node {node_id!r} is not in the directory")
        try:
            return verify(event, directory, node, self.max_future)
        except UnknownKey:
            if node is None and isinstance(event, dict):
                node = directory.by_source(str(event.get("source")))
            if node is None or not self.refresh(node):
                raise
            directory = self.directory.current()
            expected = directory.get(node.id) if node_id else None
            return verify(event, directory, expected, self.max_future)

    def refresh_if_stale(self, node: TrustedNode) -> None:
        with self._lock:
            last = self._fetched.get(node.id)
        if last is None or time.monotonic() - last > self.keys_max_age:
            self.refresh(node, force=True)

    def refresh(self, node: TrustedNode, force: bool = False) -> bool:
        """Read the node's JWKS and record what it lists (it never adds a trusted key);
        whether it could be read (then the directory is read again too, so keys another
        process approved or retired are seen at once)."""
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
                node_keys.observe_keys(session, node.id, keys)
        except (FetchError, DomainError) as exc:
            log.warning("could not refresh the keys of node %s: %s", node.id, exc)
            return False
        self.directory.invalidate()
        return True
