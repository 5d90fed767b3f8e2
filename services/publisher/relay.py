"""The relay: the node's event log, in sequence order, onto the bus.

It reads rows after its cursor, checks each row's signature, publishes a batch and waits for
the bus to confirm it; only then does the cursor move, and only past the confirmed prefix of
the batch. Messages are mandatory: one no queue is bound for is reported in the log (consumers
that need everything bind ``#``; the rest catch up from the LDES feed). A crash between the
confirm and the cursor's commit sends those events again on restart (consumers drop duplicates
by event id and version); nothing committed is ever skipped.
When the bus is down or drops the connection, the relay waits with exponential back-off and
jitter, reconnects, and resumes from its cursor.

Batches are pipelined: once a batch is sent, the next is read and its signatures checked while
the broker confirms the last; it is sent only after the last batch is settled, so the cursor
still moves batch by batch over confirmed rows alone, and a row whose signature fails still
halts the relay before it (the batches before it are relayed first). With nothing to read, the
relay waits for the registry's notification of a new row (PostgreSQL ``LISTEN``, see
:mod:`shared.publication.wakeup`), or ``idle_seconds`` at most (the poll).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from services.publisher.relay_checks import Job, SignatureChecks, signed_and_body
from shared.bus import BatchResult, BusUnavailable, OutgoingMessage, Publisher
from shared.bus.backoff import Backoff
from shared.db import insert_if_absent, utcnow
from shared.publication import EVENT_KEY_ROTATED, EVENT_REDACTED
from shared.publication.events import (
    SIGNATURE_MISMATCH,
    EventRejected,
    routing_keys,
    signature_key,
)
from shared.publication.keys import entry_event, verification_keys
from shared.publication.models import LogEntry, RelayCursor
from shared.publication.wakeup import LogWaiter
from shared.signing import VerificationKey

log = logging.getLogger(__name__)


class RelayHalted(RuntimeError):
    """A log row cannot be relayed as it is (its signature fails, or it has no coverage)."""


@dataclass
class _Batch:
    """Rows read and checked but their signatures, with their messages; ``halted`` when a
    row after them cannot be relayed."""

    seqs: list[int] = field(default_factory=list)
    messages: list[OutgoingMessage] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    verdict: Future[int | None] = field(default_factory=Future)  # of the signatures
    halted: RelayHalted | None = None

    def add(self, row: LogEntry, message: OutgoingMessage) -> None:
        self.seqs.append(row.seq)
        self.messages.append(message)


@dataclass
class RelaySettings:
    batch_size: int = 200
    idle_seconds: float = 0.1
    confirm_timeout: float = 30.0
    max_backoff: float = 30.0
    min_backoff: float = 0.5
    # Processes verifying the signatures of large batches beside the relay (0: none).
    check_processes: int = 1


class Relay:
    def __init__(self, engine: Engine, bus: Publisher, settings: RelaySettings) -> None:
        self.bus = bus
        self.settings = settings
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.destination = bus.destination
        self.waiter = LogWaiter(engine)
        self.checks = SignatureChecks(settings.check_processes)

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

    def _prepare(self, after: int) -> _Batch:
        """Read the batch after ``after``, check each row's envelope and build its message,
        and start verifying the signatures (see :mod:`services.publisher.relay_checks`)."""
        with self.sessions() as session:
            rows = list(
                session.scalars(
                    select(LogEntry)
                    .where(LogEntry.seq > after)
                    .order_by(LogEntry.seq)
                    .limit(self.settings.batch_size)
                )
            )
            keys = verification_keys(session) if rows else {}
        batch = _Batch()
        for row in rows:
            try:
                batch.add(row, self._message(row, keys, batch.jobs))
            except RelayHalted as exc:
                batch.halted = exc  # raised when the batch is due, after those before it
                break
        batch.verdict = self.checks.submit(batch.jobs)
        return batch

    def _message(
        self, row: LogEntry, keys: dict[str, VerificationKey], jobs: list[Job]
    ) -> OutgoingMessage:
        """The row's message; its signature's check added to ``jobs``."""
        try:
            # The signature only: the registry checked the version against the contract
            # when it wrote the row, and every consumer checks it again.
            event = entry_event(row)
            key = signature_key(event, keys, expected_source=None)
        except EventRejected as exc:
            raise RelayHalted(f"log row {row.seq} cannot be relayed: {exc}") from exc
        coverage = event["data"].get("coverage") if isinstance(event["data"], dict) else None
        if row.event_type in (EVENT_KEY_ROTATED, EVENT_REDACTED):
            # About the node, or about versions whose areas it does not repeat: the
            # national routing key, so every binding of "#" (and "*.all.all") gets it.
            coverage = []
        if not isinstance(coverage, list):
            raise RelayHalted(f"log row {row.seq} cannot be relayed: it has no coverage")
        signed, body = signed_and_body(event, row.snapshot)
        jobs.append((key.public, signed, row.signature))
        return OutgoingMessage(
            message_id=row.event_id,
            routing_keys=routing_keys(row.event_type, coverage),
            body=body,
        )

    def _checked(self, batch: _Batch) -> _Batch:
        """The batch once its signatures are verified; :class:`RelayHalted` at its first row
        that cannot be relayed."""
        forged = self.checks.result(batch.verdict, batch.jobs)
        if forged is not None:
            raise RelayHalted(
                f"log row {batch.seqs[forged]} cannot be relayed: {SIGNATURE_MISMATCH}"
            )
        if batch.halted is not None:
            raise batch.halted
        return batch

    def _settle(self, seqs: list[int], result: BatchResult) -> None:
        """Move the cursor past the batch's confirmed prefix; say what was unroutable."""
        if result.unroutable:
            # Confirmed, but no queue is bound for these keys: nobody subscribed to them wants
            # them now, and every consumer can catch up from the LDES feed.
            log.warning(
                "%d event(s) had no queue bound for their routing keys: %s",
                len(result.unroutable),
                ", ".join(result.unroutable),
            )
        if result.confirmed:
            self._advance(seqs[result.confirmed - 1])

    def step(self) -> tuple[int, int]:
        """Relay one batch. Returns (events read, events confirmed)."""
        batch = self._checked(self._prepare(self.cursor()))
        if not batch.seqs:
            return 0, 0
        result = self.bus.publish_batch(batch.messages, self.settings.confirm_timeout)
        self._settle(batch.seqs, result)
        return len(batch.seqs), result.confirmed

    def relay_pending(self, stop: threading.Event) -> tuple[int, int]:
        """Relay batch after batch until the log is done (or ``stop`` is set, or a batch is
        not wholly confirmed). Returns (events read, events confirmed) in all.

        Pipelined: the next batch is read and its signatures are being verified (in another
        process) while this one is sent and confirmed; it is sent only once this one is
        settled and its own signatures all verify, so a row that halts the relay halts it
        after the batches before it, as it did one batch at a time.
        """
        batch = self._checked(self._prepare(self.cursor()))
        read = confirmed = 0
        while batch.seqs:
            following = self._prepare(batch.seqs[-1])
            result = self.bus.publish_batch(batch.messages, self.settings.confirm_timeout)
            self._settle(batch.seqs, result)
            read, confirmed = read + len(batch.seqs), confirmed + result.confirmed
            if result.confirmed < len(batch.seqs) or stop.is_set():
                break
            batch = self._checked(following)
        return read, confirmed

    def run(self, stop: threading.Event, until_caught_up: bool = False) -> None:
        """Relay until ``stop`` is set (or, with ``until_caught_up``, until the log is done)."""
        self.waiter.listen()  # before the first read: a row committed after it wakes the wait
        try:
            self._loop(stop, until_caught_up)
        finally:
            self.waiter.close()
            self.checks.close()
            self.bus.close()

    def _loop(self, stop: threading.Event, until_caught_up: bool) -> None:
        backoff = Backoff(self.settings.min_backoff, self.settings.max_backoff)
        while not stop.is_set():
            try:
                read, confirmed = self.relay_pending(stop)
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
                    "the bus refused an event (negative acknowledgement) after %d confirmed; "
                    "retrying in %.1f s",
                    confirmed,
                    backoff.delay,
                )
                backoff.wait(stop)
                continue
            backoff.reset()
            if read == 0:
                if until_caught_up:
                    return
                self.waiter.wait(stop, self.settings.idle_seconds)
