"""The history's count of changes (the reports' ETag) under concurrent ingest, on PostgreSQL.

The history sink locks each offer (an advisory lock) as it records its versions, one offer at a
time when a batch is applied event by event after a refusal. Its count of changes is taken at
the commit, as the transaction's last statement: a transaction still recording an offer never
holds the count's row, so two transactions sharing an offer neither deadlock nor wait for each
other's whole write phase, and each counts one change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.orm import Session

from services.reporting.history import changes
from services.reporting.history.sink import HistorySink
from shared.ingest import batch
from shared.ingest.apply import Outcome, VerifiedEvent, apply_events
from tests.concurrency import run_in_thread, waiting_for_a_lock

WAIT = 30.0  # seconds: far beyond PostgreSQL's deadlock_timeout (1 s)


class _PausingSink(HistorySink):
    """The history sink, stopping after the first version it records until told to go."""

    def __init__(self) -> None:
        self.paused = threading.Event()
        self.go = threading.Event()

    def record_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        super().record_many(session, events)
        if not self.paused.is_set():
            self.paused.set()
            assert self.go.wait(WAIT)


def _count(history: Any) -> tuple[str, int]:
    with Session(history.engine) as session:
        return changes.COUNT.current(session)


def test_event_by_event_and_a_whole_batch_sharing_an_offer_count_one_change_each(
    history, node
) -> None:
    if history.engine.dialect.name != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's (SQLite locks the database)")
    with node.builder() as b:
        b.publish(name="Helsestasjon")
        b.publish(name="Familiesenter")
    history.trust(node)
    verifier = history.verifier()
    first, second = sorted(
        (verifier.verify(event) for event in node.events()), key=lambda e: e.offer_uri
    )
    epoch, before = _count(history)

    errors: list[BaseException] = []
    pausing = _PausingSink()
    # Event by event, as apply_batch does after a refusal: the first offer, then the second.
    one_by_one = run_in_thread(
        errors, lambda: batch._apply_each(history.sessions, pausing, [first, second], None)
    )
    assert pausing.paused.wait(WAIT)  # the first offer recorded, the transaction still open

    def whole() -> None:
        with history.sessions.begin() as session:
            assert apply_events(session, HistorySink(), [second]) == [Outcome.APPLIED]

    whole_batch = run_in_thread(errors, whole)
    deadline = time.monotonic() + WAIT
    while whole_batch.is_alive() and not waiting_for_a_lock(history.engine):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    whole_batch.join(2.0)  # it may still be finishing its commit
    finished_first = not whole_batch.is_alive()
    pausing.go.set()
    for thread in (one_by_one, whole_batch):
        thread.join(WAIT)
        assert not thread.is_alive()
    assert errors == []
    assert finished_first, "the whole batch waited for the open transaction"
    # Two transactions recorded versions: two changes, in the same epoch.
    assert _count(history) == (epoch, before + 2)
