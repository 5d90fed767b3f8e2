"""The history's count of changes (the reports' ETag) under concurrent ingest, on PostgreSQL.

The history sink locks each offer (an advisory lock) as it records its versions, one offer at a
time when a batch is applied event by event after a refusal. Its count of changes is taken at
the commit, as the transaction's last statement: a transaction still recording an offer never
holds the count's row, so two transactions sharing an offer neither deadlock nor wait for each
other's whole write phase, and each counts one change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.orm import Session

from services.reporting.history import changes
from services.reporting.history.sink import HistorySink
from shared.ingest.apply import VerifiedEvent
from tests.concurrency import Pause, whole_batch_beside_one_by_one


class _PausingSink(HistorySink):
    """The sink, held after its first write until told to go."""

    def __init__(self) -> None:
        self.pause = Pause()

    def record_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        super().record_many(session, events)
        self.pause.hold_once()


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

    pausing = _PausingSink()
    finished_first = whole_batch_beside_one_by_one(
        history, pausing, pausing.pause, HistorySink(), first, second
    )
    assert finished_first, "the whole batch waited for the open transaction"
    # Two transactions recorded versions: two changes, in the same epoch.
    assert _count(history) == (epoch, before + 2)
