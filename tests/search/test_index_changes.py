"""The index's count of changes (the search API's ETag) under concurrent ingest.

Each transaction that changes the index counts one change as its last statement, so the
count's row is never held by a transaction that still waits for an offer: a batch applied
event by event (which locks its offers one at a time) and a whole batch sharing an offer with
it neither deadlock nor wait for each other while they write.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.search.index import changes
from services.search.index.models import IndexChanges
from services.search.index.sink import SearchSink
from shared.ingest.apply import VerifiedEvent, apply_events
from tests.concurrency import Pause, whole_batch_beside_one_by_one
from tests.publisher.node import ORGANISATIONS


class _PausingSink(SearchSink):
    """The sink, held after its first write until told to go."""

    def __init__(self) -> None:
        self.pause = Pause()

    def publish_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        super().publish_many(session, events)
        self.pause.hold_once()


def _count(index) -> tuple[str, int]:
    with Session(index.engine) as session:
        return changes.current(session)


def test_event_by_event_and_a_whole_batch_sharing_an_offer_neither_deadlock_nor_queue(
    federation, index
) -> None:
    """Before the count moved to the commit, the first transaction held the count's row from
    its first event and then waited for the second offer, which the second held while it
    waited for the count's row: PostgreSQL's DeadlockDetected (and the second waited for the
    first's whole write phase even where there was no deadlock)."""
    if index.engine.dialect.name != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's (SQLite locks the database)")
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        b.publish(name="Helsestasjon")
        b.publish(name="Familiesenter")
    index.trust(node)
    verifier = index.verifier()
    first, second = sorted(
        (verifier.verify(event) for event in node.events()), key=lambda e: e.offer_uri
    )
    epoch, before = _count(index)

    pausing = _PausingSink()
    finished_first = whole_batch_beside_one_by_one(
        index, pausing, pausing.pause, SearchSink(), first, second
    )
    assert finished_first, "the whole batch waited for the open transaction"
    # Two transactions changed the index: two changes, in the same epoch.
    assert _count(index) == (epoch, before + 2)
    assert set(index.indexed()) == {first.offer_uri, second.offer_uri}


def test_a_transaction_counts_one_change_however_many_batches_it_applies(federation, index) -> None:
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        for name in ("Helsestasjon", "Familiesenter", "PPT"):
            b.publish(name=name)
    index.trust(node)
    verifier = index.verifier()
    events = [verifier.verify(event) for event in node.events()]
    epoch, before = _count(index)
    # Rolled back: nothing counted, and the session's next transaction starts unmarked.
    with index.sessions() as session:
        apply_events(session, SearchSink(), events)
        session.rollback()
        session.commit()
    assert _count(index) == (epoch, before)
    with index.sessions.begin() as session:
        for event in events:
            with session.begin_nested():  # a savepoint released is no commit
                apply_events(session, SearchSink(), [event])
        # Nothing counted before the commit.
        assert changes.current(session) == (epoch, before)
    assert _count(index) == (epoch, before + 1)
    assert len(index.indexed()) == 3


def test_a_missing_count_is_an_error_not_a_silent_zero(federation, index) -> None:
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        b.publish(name="Helsestasjon")
    index.trust(node)
    [event] = [index.verifier().verify(event) for event in node.events()]
    with index.sessions.begin() as session:
        session.execute(update(IndexChanges).values(id=2))
    with Session(index.engine) as session, pytest.raises(changes.MissingCount):
        changes.current(session)
    with pytest.raises(changes.MissingCount), index.sessions.begin() as session:
        apply_events(session, SearchSink(), [event])
    assert index.indexed() == {}  # the change was rolled back with its count
    with Session(index.engine) as session:
        assert session.scalar(select(IndexChanges.id)) == 2
