"""Refused events, written down for the operator (:func:`record_rejection`) and kept bounded:
a node (or a stranger) sending nothing but refused events must not fill the national database.

Each node keeps its newest :data:`KEEP_PER_NODE` rejections (events from no known node count
as one); older ones are deleted, and how many is logged. The pruning runs with every
:data:`PRUNE_EVERY`-th rejection recorded, so a flood pays for it once per hundred rows and
the table never holds more than ``KEEP_PER_NODE + PRUNE_EVERY`` rows per node.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from shared.db import utcnow
from shared.ingest.models import RejectedEvent

log = logging.getLogger(__name__)

EXCERPT_CHARS = 2000
KEEP_PER_NODE = 1000
PRUNE_EVERY = 100


def prune_due(rejection_id: int) -> bool:
    """Whether recording the rejection numbered ``rejection_id`` should prune the table."""
    return rejection_id % PRUNE_EVERY == 0


def prune_rejections(session: Session, keep: int | None = None) -> int:
    """Delete all but each node's newest ``keep`` (:data:`KEEP_PER_NODE`) rejections; how many
    were deleted."""
    keep = KEEP_PER_NODE if keep is None else keep
    newest_first = (
        func.row_number()
        .over(partition_by=RejectedEvent.node_id, order_by=RejectedEvent.id.desc())
        .label("place")
    )
    ranked = select(RejectedEvent.id, newest_first).subquery()
    older = select(ranked.c.id).where(ranked.c.place > keep)
    result = session.execute(
        delete(RejectedEvent)
        .where(RejectedEvent.id.in_(older))
        .execution_options(synchronize_session=False)
    )
    deleted = cast(CursorResult[Any], result).rowcount
    if deleted:
        log.warning(
            "deleted %d older rejected events (each node keeps its newest %d)", deleted, keep
        )
    return deleted


def _excerpt(received: Any) -> str:
    """What was received, as text, cut to :data:`EXCERPT_CHARS`."""
    if isinstance(received, bytes | bytearray):
        return bytes(received[:EXCERPT_CHARS]).decode("utf-8", "replace")
    if isinstance(received, str):
        return received[:EXCERPT_CHARS]
    try:
        return json.dumps(received, ensure_ascii=False, default=str)[:EXCERPT_CHARS]
    except RecursionError:
        # Nested deeper than can be written out again this far down the stack: the reason
        # says why it was refused; the record must never fail (a message would come back for
        # ever).
        return f"({type(received).__name__} not shown: it cannot be written as JSON)"


def _text(event: Mapping[str, Any], name: str, limit: int) -> str | None:
    """A text attribute of a refused event, cut to fit its column; None if it is not text."""
    value = event.get(name)
    return value[:limit] if isinstance(value, str) else None


def record_rejection(
    sessions: sessionmaker[Session],
    *,
    via: str,
    reason: str,
    received: Any,
    node_id: str | None = None,
) -> None:
    """Write down a refused event in a transaction of its own; it changes nothing else but
    the oldest rejections, now and then (:mod:`shared.ingest.rejections`)."""
    event = received if isinstance(received, Mapping) else {}
    log.warning("rejected an event (%s, via %s): %s", _text(event, "id", 100), via, reason)
    with sessions.begin() as session:
        row = RejectedEvent(
            received_at=utcnow(),
            via=via,
            node_id=node_id,
            source=_text(event, "source", 300),
            event_id=_text(event, "id", 100),
            subject=_text(event, "subject", 500),
            reason=reason[:2000],
            excerpt=_excerpt(received).replace("\x00", ""),
        )
        session.add(row)
        session.flush()
        if prune_due(row.id):
            prune_rejections(session)
