"""The relay: the node's event log, in sequence order, onto the bus.

It reads rows after its cursor, checks each row's signature, publishes a batch and waits for
the bus to confirm it; only then does the cursor move, and only past the confirmed prefix of
the batch. Messages are mandatory: one no queue is bound for is reported in the log (consumers
that need everything bind ``#``; the rest catch up from the LDES feed). A crash between the
confirm and the cursor's commit sends those events again on restart (consumers drop duplicates
by event id and version); nothing committed is ever skipped.
When the bus is down or drops the connection, the relay waits with exponential back-off and
jitter, reconnects, and resumes from its cursor.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shared.bus import BusUnavailable, OutgoingMessage, Publisher, event_body
from shared.bus.backoff import Backoff
from shared.db import insert_if_absent, utcnow
from shared.publication import EVENT_KEY_ROTATED, EVENT_REDACTED
from shared.publication.events import EventRejected, check_signature, routing_keys
from shared.publication.keys import entry_event, verification_keys
from shared.publication.models import LogEntry, RelayCursor

log = logging.getLogger(__name__)


class RelayHalted(RuntimeError):
    """A log row cannot be relayed as it is (its signature fails, or it has no coverage)."""


@dataclass
class RelaySettings:
    batch_size: int = 200
    idle_seconds: float = 0.1
    confirm_timeout: float = 30.0
    max_backoff: float = 30.0
    min_backoff: float = 0.5


class Relay:
    def __init__(self, engine: Engine, bus: Publisher, settings: RelaySettings) -> None:
        self.bus = bus
        self.settings = settings
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.destination = bus.destination

    def cursor(self) -> int:
        """The last sequence number the bus confirmed; the row is made on first use (by
        whichever of several readers gets there first: the others' inserts do nothing)."""
        with self.sessions.begin() as session:
            session.execute(
                insert_if_absent(
                    session,
                    RelayCursor,
                    ["destination"],
                    destination=self.destination,
                    last_seq=0,
                    updated_at=utcnow(),
                )
            )
            return int(
                session.scalar(
                    select(RelayCursor.last_seq).where(RelayCursor.destination == self.destination)
                )
                or 0
            )

    def _advance(self, seq: int) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(RelayCursor)
                .where(RelayCursor.destination == self.destination, RelayCursor.last_seq < seq)
                .values(last_seq=seq, updated_at=utcnow())
            )

    def _messages(self, session: Session, rows: list[LogEntry]) -> list[OutgoingMessage]:
        keys = verification_keys(session)
        messages = []
        for row in rows:
            try:
                # The signature only: the registry checked the version against the contract
                # when it wrote the row, and every consumer checks it again.
                event = entry_event(row)
                check_signature(event, keys, expected_source=None)
            except EventRejected as exc:
                raise RelayHalted(f"log row {row.seq} cannot be relayed: {exc}") from exc
            coverage = event["data"].get("coverage") if isinstance(event["data"], dict) else None
            if row.event_type in (EVENT_KEY_ROTATED, EVENT_REDACTED):
                # About the node, or about versions whose areas it does not repeat: the
                # national routing key, so every binding of "#" (and "*.all.all") gets it.
                coverage = []
            if not isinstance(coverage, list):
                raise RelayHalted(f"log row {row.seq} cannot be relayed: it has no coverage")
            messages.append(
                OutgoingMessage(
                    message_id=row.event_id,
                    routing_keys=routing_keys(row.event_type, coverage),
                    body=event_body(event),
                )
            )
        return messages

    def step(self) -> tuple[int, int]:
        """Relay one batch. Returns (events read, events confirmed)."""
        after = self.cursor()
        with self.sessions() as session:
            rows = list(
                session.scalars(
                    select(LogEntry)
                    .where(LogEntry.seq > after)
                    .order_by(LogEntry.seq)
                    .limit(self.settings.batch_size)
                )
            )
            messages = self._messages(session, rows)
        if not rows:
            return 0, 0
        result = self.bus.publish_batch(messages, self.settings.confirm_timeout)
        if result.unroutable:
            # Confirmed, but no queue is bound for these keys: nobody subscribed to them wants
            # them now, and every consumer can catch up from the LDES feed.
            log.warning(
                "%d event(s) had no queue bound for their routing keys: %s",
                len(result.unroutable),
                ", ".join(result.unroutable),
            )
        if result.confirmed:
            self._advance(rows[result.confirmed - 1].seq)
        return len(rows), result.confirmed

    def run(self, stop: threading.Event, until_caught_up: bool = False) -> None:
        """Relay until ``stop`` is set (or, with ``until_caught_up``, until the log is done)."""
        try:
            self._loop(stop, until_caught_up)
        finally:
            self.bus.close()

    def _loop(self, stop: threading.Event, until_caught_up: bool) -> None:
        backoff = Backoff(self.settings.min_backoff, self.settings.max_backoff)
        while not stop.is_set():
            try:
                read, confirmed = self.step()
            except (BusUnavailable, OperationalError) as exc:
                log.warning(
                    "relay to %s paused: %s; retrying in %.1f s",
                    self.destination,
                    exc,
                    backoff.delay,
                )
                backoff.wait(stop)
                continue
            except RelayHalted as exc:
                log.error("relay halted: %s", exc)
                stop.wait(self.settings.max_backoff)
                continue
            if confirmed < read:
                log.warning(
                    "the bus refused event %d of the batch (negative acknowledgement); "
                    "retrying in %.1f s",
                    confirmed + 1,
                    backoff.delay,
                )
                backoff.wait(stop)
                continue
            backoff.reset()
            if read == 0:
                if until_caught_up:
                    return
                stop.wait(self.settings.idle_seconds)
