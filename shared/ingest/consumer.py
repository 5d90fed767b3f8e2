"""The fast road: events from the bus, applied one by one, acknowledged after our commit.

The service owns a durable queue bound to every event (``#``) with a dead-letter queue. A
message is verified first, outside any transaction; a refusal is recorded and the message
dead-lettered (the feed remains the source of truth, so nothing is lost by refusing). A
verified event is applied and committed, and only then acknowledged, so a crash between the
two makes the bus deliver it again, which :func:`~shared.ingest.apply.apply_event` ignores.
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shared.bus import BusUnavailable, Consumer, IncomingMessage, Reject
from shared.ingest.apply import (
    APPLY_REFUSALS,
    MAX_EVENT_BYTES,
    Outcome,
    Sink,
    apply_event,
    record_rejection,
    refusal_reason,
)
from shared.ingest.http import FetchError, parse_json
from shared.ingest.verifier import Verifier
from shared.publication.events import EventRejected

log = logging.getLogger(__name__)
BINDINGS = ("#",)


@dataclass
class ConsumerStats:
    applied: int = 0
    ignored: int = 0
    rejected: int = 0


class BusIngest:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        bus: Consumer,
        sink: Sink,
        verifier: Verifier,
        max_backoff: float = 30.0,
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.sink = sink
        self.verifier = verifier
        self.max_backoff = max_backoff
        self.stats = ConsumerStats()

    def _reject(self, reason: str, received: object) -> NoReturn:
        self.stats.rejected += 1
        record_rejection(self.sessions, via="bus", reason=reason, received=received)
        raise Reject(reason)

    def handle(self, message: IncomingMessage) -> None:
        """Verify and apply one message; raise :class:`Reject` to dead-letter it.

        Whatever a message holds, it is either applied or refused: nothing in it can make the
        consumer fail (only the database or the bus going away can, and then the message
        stays on the queue).
        """
        if len(message.body) > MAX_EVENT_BYTES:
            self._reject(f"the message is {len(message.body)} bytes", message.body)
        try:
            event = parse_json(message.body, "the message")
        except FetchError as exc:
            self._reject(str(exc), message.body)
        try:
            verified = self.verifier.verify(event)
        except EventRejected as exc:
            self._reject(str(exc), event)
        try:
            with self.sessions.begin() as session:
                outcome = apply_event(session, self.sink, verified)
        except APPLY_REFUSALS as exc:
            # Refused by the sink, or a value the database cannot hold: the event's fault.
            self._reject(refusal_reason(exc), event)
        if outcome is Outcome.APPLIED:
            self.stats.applied += 1
        else:
            self.stats.ignored += 1

    def drain(self, timeout: float = 1.0, limit: int | None = None) -> int:
        """Handle what is queued until ``timeout`` passes with nothing new; how many."""
        return self.bus.drain(self.handle, timeout, limit)

    def run(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Consume until ``stop`` is set, reconnecting with back-off when the bus or the
        database is away. Nothing ends this loop but ``stop``: an unexpected error is logged,
        its message goes back to the queue, and the consumer backs off and goes on."""
        delay = 0.5
        try:
            while not stop.is_set():
                try:
                    self.bus.connect()
                    while not stop.is_set():
                        self.drain(timeout=poll_seconds)
                        delay = 0.5
                except (BusUnavailable, OperationalError) as exc:
                    log.warning("consumer paused: %s; retrying in %.1f s", exc, delay)
                except Exception:
                    log.exception("consumer error; retrying in %.1f s", delay)
                self.bus.close()
                stop.wait(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter
                delay = min(delay * 2, self.max_backoff)
        finally:
            self.bus.close()
