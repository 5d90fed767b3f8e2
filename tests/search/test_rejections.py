"""``rejected_events`` stays bounded: each node keeps its newest rejections."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.ingest import rejections
from shared.ingest.models import RejectedEvent
from shared.ingest.rejections import record_rejection


def _rejections(index) -> list[RejectedEvent]:
    with Session(index.engine) as session:
        return list(session.scalars(select(RejectedEvent).order_by(RejectedEvent.id)))


def test_rejections_are_bounded_to_each_nodes_newest(index, monkeypatch):
    def refuse(event_id: str, node_id: str | None) -> None:
        received = {"id": event_id, "source": "https://a.test"}
        record_rejection(index.sessions, via="bus", reason="no", received=received, node_id=node_id)

    for n in range(12):
        refuse(f"a-{n}", "a")
    for n in range(3):
        refuse(f"b-{n}", "b")
        refuse(f"stranger-{n}", None)
    with index.sessions.begin() as session:
        assert rejections.prune_rejections(session, keep=5) == 7
    kept = [row.event_id for row in _rejections(index)]
    assert [e for e in kept if e.startswith("a-")] == [f"a-{n}" for n in range(7, 12)]
    assert len(kept) == 5 + 3 + 3
    # Recording prunes by itself, every PRUNE_EVERY rejections.
    monkeypatch.setattr(rejections, "PRUNE_EVERY", 1)
    monkeypatch.setattr(rejections, "KEEP_PER_NODE", 2)
    refuse("b-3", "b")
    kept = [row.event_id for row in _rejections(index)]
    assert [e for e in kept if e.startswith("b-")] == ["b-2", "b-3"]
    assert len(kept) == 2 + 2 + 2
