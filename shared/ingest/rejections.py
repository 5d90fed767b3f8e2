"""Keeping ``rejected_events`` bounded: a node (or a stranger) sending nothing but refused
events must not fill the national database.

Each node keeps its newest :data:`KEEP_PER_NODE` rejections (events from no known node count
as one); older ones are deleted, and how many is logged. The pruning runs with every
:data:`PRUNE_EVERY`-th rejection recorded, so a flood pays for it once per hundred rows and
the table never holds more than ``KEEP_PER_NODE + PRUNE_EVERY`` rows per node.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.orm import Session

from shared.ingest.models import RejectedEvent

log = logging.getLogger(__name__)

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
