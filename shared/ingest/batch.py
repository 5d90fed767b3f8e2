"""Applying a batch of verified events (a bus run, a feed page): whole, or event by event.

Both roads apply their batches the same way. Nearly every batch applies whole, in one
transaction and a fixed number of statements. When one event of it is refused, the batch is
rolled back and applied again in one transaction, each event in a savepoint of its own, so the
refused events are left out (and said, with why) and the others applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shared.ingest.apply import Outcome, Sink, VerifiedEvent, apply_event, apply_events
from shared.publication.events import EventRejected

# What refuses one event while applying it: the sink's verdict, a value the database cannot
# hold, or one the sink's arithmetic cannot represent (a date past the calendar's last day).
# Each is the event's fault, never a reason to stop ingesting.
APPLY_REFUSALS = (EventRejected, DataError, IntegrityError, OverflowError)


def refusal_reason(exc: Exception) -> str:
    if isinstance(exc, EventRejected):
        return str(exc)
    if isinstance(exc, OverflowError):
        return "a value of the event is out of the range the arithmetic can represent"
    return f"the database cannot hold a value of the event ({type(exc).__name__})"


@dataclass
class BatchOutcome:
    outcomes: list[Outcome] = field(default_factory=list)  # of the events applied
    positions: list[int] = field(default_factory=list)  # in the batch, of each outcome
    refused: dict[int, str] = field(default_factory=dict)  # position in the batch: why

    def count(self, outcome: Outcome) -> int:
        return self.outcomes.count(outcome)


def apply_batch(
    sessions: sessionmaker[Session],
    sink: Sink,
    events: Sequence[VerifiedEvent],
    also: Callable[[Session], None] | None = None,
) -> BatchOutcome:
    """Apply ``events`` in one transaction, with ``also`` (the caller's own writes, such as a
    cursor) in it; when one is refused, again event by event (see the module's docstring)."""
    try:
        with sessions.begin() as session:
            outcomes = apply_events(session, sink, events)
            if also is not None:
                also(session)
        return BatchOutcome(outcomes, list(range(len(events))))
    except APPLY_REFUSALS:
        pass  # one of them is refused: each in a savepoint of its own, to learn which
    return _apply_each(sessions, sink, events, also)


def _apply_each(
    sessions: sessionmaker[Session],
    sink: Sink,
    events: Sequence[VerifiedEvent],
    also: Callable[[Session], None] | None,
) -> BatchOutcome:
    result = BatchOutcome()
    # In the order of the offers' URIs (an offer's versions keeping theirs), as a whole batch
    # takes its rows, so this and another batch sharing offers wait rather than deadlock.
    order = sorted(range(len(events)), key=lambda position: events[position].offer_uri)
    with sessions.begin() as session:
        for position in order:
            try:
                with session.begin_nested():
                    result.outcomes.append(apply_event(session, sink, events[position]))
                    result.positions.append(position)
            except APPLY_REFUSALS as exc:
                result.refused[position] = refusal_reason(exc)
        if also is not None:
            also(session)
    return result
