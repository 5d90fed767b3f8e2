"""Versions seen on the bus but absent from the node's feed.

The feed is the node's record; the bus only brings it sooner. A version applied from the bus,
of a node that is also harvested, is noted (``bus_versions``) until the harvester reads the
same event in the node's feed. One the harvester has read past without finding it was never in
the feed: a forgery by whoever could publish on the bus with a key of the node, or a node
whose log lost it. Those are reported (``nodes bus-only``, a metric), for the operator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from shared.db import insert_if_absent, utcnow
from shared.ingest.apply import Outcome, VerifiedEvent
from shared.ingest.models import BusVersion, HarvestCursor


def note_bus_versions(
    sessions: sessionmaker[Session], events: Sequence[VerifiedEvent], outcomes: Sequence[Outcome]
) -> None:
    """Note the versions the bus brought first (applied, of nodes also harvested)."""
    now = utcnow()
    rows = [
        {
            "event_id": str(event.event["id"]),
            "node_id": event.node.id,
            "offer_uri": event.offer_uri,
            "version": event.version,
            "sequence": event.sequence,
            "received_at": now,
        }
        for event, outcome in zip(events, outcomes, strict=True)
        if outcome is Outcome.APPLIED and event.node.harvested
    ]
    if rows:
        with sessions.begin() as session:
            session.execute(insert_if_absent(session, BusVersion, ["event_id"]), rows)


def seen_in_feed(session: Session, node_id: str, event_ids: Iterable[str]) -> None:
    """The node's feed holds these events: they were not the bus's alone."""
    ids = list(event_ids)
    if ids:
        session.execute(
            delete(BusVersion).where(BusVersion.node_id == node_id, BusVersion.event_id.in_(ids))
        )


def _absent() -> Select[BusVersion]:
    return (
        select(BusVersion)
        .join(HarvestCursor, HarvestCursor.node_id == BusVersion.node_id)
        .where(BusVersion.sequence <= HarvestCursor.last_sequence)
    )


def absent_from_feed(session: Session, limit: int = 100) -> list[BusVersion]:
    """Versions from the bus the harvester has read past in the node's feed without seeing."""
    statement = _absent().order_by(BusVersion.received_at.desc()).limit(limit)
    return list(session.scalars(statement))


def count_absent_from_feed(session: Session) -> int:
    subquery = _absent().subquery()
    return int(session.scalar(select(func.count()).select_from(subquery)) or 0)
