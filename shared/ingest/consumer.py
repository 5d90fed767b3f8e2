"""The fast road: events from the bus, applied in runs, acknowledged after our commit.

The service owns a durable queue bound to every event (``#``) with a dead-letter queue. The
consumer takes the messages at hand (up to ``batch_size``, from the bus's prefetch) and
verifies each first, outside any transaction; a refusal is recorded and the message
dead-lettered (the feed remains the source of truth, so nothing is lost by refusing). An event
of a node over its ingest rate (:mod:`shared.ingest.rates`) is given back to the queue for
later. The verified events are applied and committed together, and only then acknowledged, so
a crash between the two makes the bus deliver them again, which
:func:`~shared.ingest.apply.apply_events` ignores.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shared.bus import DEFER_SECONDS, BusUnavailable, Consumer, Deferred, IncomingMessage, Reject
from shared.bus.backoff import Backoff
from shared.ingest.apply import MAX_EVENT_BYTES, Outcome, Sink, VerifiedEvent
from shared.ingest.batch import apply_batch
from shared.ingest.bus_only import note_bus_versions
from shared.ingest.http import FetchError, parse_json
from shared.ingest.rates import NodeRates
from shared.ingest.rejections import record_rejection
from shared.ingest.verifier import Verifier
from shared.publication.events import EventRejected

log = logging.getLogger(__name__)
BINDINGS = ("#",)
# A run applied in one transaction, and how many messages the broker may hand over
# unacknowledged: twice a run, so the next run arrives while this one is applied.
BATCH_SIZE = 250
PREFETCH = 2 * BATCH_SIZE


@dataclass
class ConsumerStats:
    applied: int = 0
    ignored: int = 0
    rejected: int = 0
    rotations: int = 0
    redactions: int = 0
    deferred: int = 0


class BusIngest:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        bus: Consumer,
        sink: Sink,
        verifier: Verifier,
        max_backoff: float = 30.0,
        batch_size: int = BATCH_SIZE,
        rates: NodeRates | None = None,
    ) -> None:
        self.sessions = sessions
        self.bus = bus
        self.sink = sink
        self.verifier = verifier
        self.max_backoff = max_backoff
        self.batch_size = batch_size
        self.rates = rates
        self.stats = ConsumerStats()

    def _refuse(self, reason: str, received: object) -> None:
        self.stats.rejected += 1
        record_rejection(self.sessions, via="bus", reason=reason, received=received)

    def _verified(self, message: IncomingMessage) -> VerifiedEvent | tuple[str, object] | None:
        """The message's event verified, or why it is refused and what to record; ``None``
        for a key rotation or a redaction, taken already."""
        if len(message.body) > MAX_EVENT_BYTES:
            return f"the message is {len(message.body)} bytes", message.body
        try:
            event = parse_json(message.body, "the message")
        except FetchError as exc:
            return str(exc), message.body
        try:
            if self.verifier.take_rotation(event):
                self.stats.rotations += 1
                return None
            if self.verifier.take_redaction(event, self.sink):
                self.stats.redactions += 1
                return None
            return self.verifier.verify(event)
        except EventRejected as exc:
            return str(exc), event

    def handle_batch(self, messages: list[IncomingMessage]) -> dict[int, str]:
        """Verify and apply a run of messages; those to dead-letter, by position, with why.

        The verified events are applied together, or, when one of them is refused, each on
        its own (:func:`~shared.ingest.batch.apply_batch`), so each refusal is recorded with
        its reason and the others are applied. Refusals are recorded after the run is
        applied, in the order of the messages (a run that fails records nothing, and comes
        back).

        Whatever a message holds, it is either applied, refused or (its node over its rate)
        deferred: nothing in it can make the consumer fail (only the database or the bus
        going away can, and then the messages stay on the queue).
        """
        refused: dict[int, tuple[str, object]] = {}
        verified: dict[int, VerifiedEvent] = {}
        for position, message in enumerate(messages):
            result = self._verified(message)
            if isinstance(result, VerifiedEvent):
                verified[position] = result
            elif result is not None:
                refused[position] = result
        deferred = self._over_rate(verified)
        if verified:
            self._apply(verified, refused)
        for position in sorted(refused):  # recorded in the order the messages came
            self._refuse(*refused[position])
        return {position: reason for position, (reason, _) in refused.items()} | deferred

    def _over_rate(self, verified: dict[int, VerifiedEvent]) -> dict[int, str]:
        """Take the events of nodes over their rate out of ``verified``: those to defer."""
        if self.rates is None:
            return {}
        deferred: dict[int, str] = {}
        for position, event in list(verified.items()):
            if self.rates.allows(event.node.id):
                self.rates.spend(event.node.id)
                continue
            deferred[position] = Deferred(f"node {event.node.id} is over its ingest rate")
            del verified[position]
        if deferred:
            self.stats.deferred += len(deferred)
            # RabbitMQ delivers a deferred message again at once: wait for the rate a little.
            time.sleep(DEFER_SECONDS)
        return deferred

    def _apply(
        self, verified: dict[int, VerifiedEvent], refused: dict[int, tuple[str, object]]
    ) -> None:
        """Apply the verified events; add those refused now to ``refused``."""
        positions, events = list(verified), list(verified.values())
        applied = apply_batch(self.sessions, self.sink, events)
        taken = [events[position] for position in applied.positions]
        note_bus_versions(self.sessions, taken, applied.outcomes)
        self.stats.applied += applied.count(Outcome.APPLIED)
        self.stats.ignored += applied.count(Outcome.IGNORED)
        for index, reason in applied.refused.items():
            refused[positions[index]] = (reason, events[index].event)

    def handle(self, message: IncomingMessage) -> None:
        """Verify and apply one message; raise :class:`Reject` to dead-letter it."""
        refused = self.handle_batch([message])
        if refused:
            raise Reject(refused[0])

    def drain(self, timeout: float = 1.0, limit: int | None = None) -> int:
        """Handle what is queued until ``timeout`` passes with nothing new; how many. Runs of
        up to ``batch_size`` messages are applied in one transaction each and acknowledged
        after its commit."""
        return self.bus.drain_batches(self.handle_batch, timeout, self.batch_size, limit)

    def run(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Consume until ``stop`` is set, reconnecting with back-off when the bus or the
        database is away. Nothing ends this loop but ``stop``: an unexpected error is logged,
        its message goes back to the queue, and the consumer backs off and goes on."""
        backoff = Backoff(longest=self.max_backoff)
        try:
            while not stop.is_set():
                try:
                    self.bus.connect()
                    while not stop.is_set():
                        self.drain(timeout=poll_seconds)
                        backoff.reset()
                except (BusUnavailable, OperationalError) as exc:
                    log.warning("consumer paused: %s; retrying in %.1f s", exc, backoff.delay)
                except Exception:
                    log.exception("consumer error; retrying in %.1f s", backoff.delay)
                self.bus.close()
                backoff.wait(stop)
        finally:
            self.bus.close()
