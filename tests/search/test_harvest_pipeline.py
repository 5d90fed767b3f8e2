"""The harvester's pipeline under failure: a page whose write fails stops the round there (the
error comes out as the database's), no page after it is written, the cursor stays at the
last page written, and the next round goes on from there to the exact copy."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shared.ingest.apply import VerifiedEvent
from shared.ingest.models import HarvestCursor
from tests.search.test_harvester import DRAMMEN


class _FailingOnce:
    """The index's sink, but the publication of the ``fail_at``-th batch raises as a database
    gone away would."""

    def __init__(self, sink: Any, fail_at: int) -> None:
        self.sink, self.fail_at, self.batches = sink, fail_at, 0
        self.threads: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sink, name)

    def publish_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        self.batches += 1
        self.threads.add(threading.current_thread().name)
        if self.batches == self.fail_at:
            raise OperationalError("INSERT", None, Exception("the server closed the connection"))
        self.sink.publish_many(session, events)


def test_a_failed_page_write_stops_the_round_and_the_next_one_resumes(federation, index):
    node = federation.node("kommune", DRAMMEN, page_size=2)
    index.trust(node)
    with node.builder() as b:
        for i in range(8):
            b.publish(name=f"Tilbud {i}")
    harvester = index.harvester()
    failing = _FailingOnce(harvester.sink, fail_at=2)
    harvester.sink = failing
    with pytest.raises(OperationalError):
        harvester.harvest(index.verifier().directory.current().get(node.id))
    with Session(index.engine) as session:
        cursor = session.get(HarvestCursor, node.id)
        assert cursor is not None and cursor.last_sequence == 2  # page 1 only
    assert len(index.indexed()) == 2  # nothing of pages 2, 3 or 4
    assert failing.batches == 2  # page 3 was never written after page 2 failed
    harvester.sink = failing.sink
    [report] = harvester.harvest_all()
    assert (report.error, report.applied) == (None, 6)
    assert index.indexed() == node.published()
    assert threading.active_count() < 10  # the rounds' threads are gone
