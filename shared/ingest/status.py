"""What a national service received from each node and what it refused: the open status a
node's operator reads (``/api/v1/status/nodes`` and the page ``/status/nodes``), like the
feed-health dashboard Open Referral UK gives publishers.

A refusal is *open* while the offer it was about has not been applied since (a later grant, a
key approved or a corrected version brings it in); the others are kept for the record, marked
resolved. Refusals from the bus name no node: they count for the node whose base URL is their
source. Flask-free; the answers are plain JSON-ready dicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from shared.ingest.directory import get_node, list_nodes
from shared.ingest.models import (
    FederationNode,
    FederationNodeKey,
    HarvestCursor,
    IngestedOffer,
    RejectedEvent,
)

REFUSALS_SHOWN = 100  # the newest refusals a node's status lists
MAX_OFFERS_ASKED = 100  # offer URIs in one question about offers


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def _of_node(node: FederationNode) -> ColumnElement[bool]:
    """The refusals that concern the node: its feed's, and the bus's from its base URL."""
    return or_(
        RejectedEvent.node_id == node.id,
        and_(RejectedEvent.node_id.is_(None), RejectedEvent.source == node.base_url),
    )


def _open() -> ColumnElement[bool]:
    """A refusal not followed by the offer being applied."""
    return ~exists().where(
        IngestedOffer.offer_uri == RejectedEvent.subject,
        IngestedOffer.applied_at >= RejectedEvent.received_at,
    )


def _refusal(row: RejectedEvent, is_open: bool) -> dict[str, Any]:
    return {
        "received_at": _iso(row.received_at),
        "via": row.via,
        "event_id": row.event_id,
        "offer_uri": row.subject,
        "reason": row.reason,
        "open": is_open,
    }


def _key(row: FederationNodeKey) -> dict[str, Any]:
    return {
        "key_id": row.key_id,
        "state": row.state,
        "retired_after_sequence": row.last_sequence,
        "missing_since": _iso(row.missing_since),
        "trusted_at": _iso(row.trusted_at),
    }


def _counts(session: Session, only: Sequence[str] | None) -> dict[str, dict[str, Any]]:
    """Per node (of ``only``, the ids asked, or all): offers received (published now,
    withdrawn) and the newest apply."""
    query = select(
        IngestedOffer.node_id,
        func.count().filter(IngestedOffer.withdrawn.is_(False)),
        func.count().filter(IngestedOffer.withdrawn.is_(True)),
        func.max(IngestedOffer.applied_at),
        func.max(IngestedOffer.sequence),
    ).group_by(IngestedOffer.node_id)
    if only is not None:
        query = query.where(IngestedOffer.node_id.in_(only))
    return {
        node_id: {
            "published": published,
            "withdrawn": withdrawn,
            "last_applied_at": _iso(last),
            "last_sequence": sequence,
        }
        for node_id, published, withdrawn, last, sequence in session.execute(query)
    }


def _of_nodes(nodes: Sequence[FederationNode]) -> ColumnElement[bool]:
    """The refusals that concern any of ``nodes`` (as :func:`_of_node`)."""
    return or_(
        RejectedEvent.node_id.in_([node.id for node in nodes]),
        and_(
            RejectedEvent.node_id.is_(None),
            RejectedEvent.source.in_([node.base_url for node in nodes]),
        ),
    )


def _refusal_counts(
    session: Session, nodes: Sequence[FederationNode], whole: bool
) -> dict[str, list[int]]:
    """Per node: [refusals kept, of which open]; counted over every refusal when ``whole``
    (``nodes`` is the whole directory), else over those of ``nodes`` only."""
    found: dict[str, list[int]] = {node.id: [0, 0] for node in nodes}
    by_url = {node.base_url: node.id for node in nodes}
    marked = select(RejectedEvent.node_id, RejectedEvent.source, _open().label("is_open"))
    if not whole:
        marked = marked.where(_of_nodes(nodes))
    counted = marked.subquery()
    rows = session.execute(
        select(counted.c.node_id, counted.c.source, counted.c.is_open, func.count()).group_by(
            counted.c.node_id, counted.c.source, counted.c.is_open
        )
    )
    for node_id, source, is_open, count in rows:
        owner = node_id if node_id is not None else by_url.get(source or "")
        if owner in found:
            found[owner][0] += count
            found[owner][1] += count if is_open else 0
    return found


def _summary(
    node: FederationNode,
    received: dict[str, Any] | None,
    refused: list[int],
    cursor: HarvestCursor | None,
) -> dict[str, Any]:
    return {
        "id": node.id,
        "name": node.name,
        "base_url": node.base_url,
        "enabled": node.enabled,
        "transport": node.transport,
        "received": received or _NOTHING_RECEIVED,
        "refusals": {"kept": refused[0], "open": refused[1]},
        "harvest": {
            "read_up_to_sequence": cursor.last_sequence if cursor else 0,
            "harvested_at": _iso(cursor.harvested_at) if cursor else None,
            "last_error": cursor.last_error if cursor else None,
        },
    }


_NOTHING_RECEIVED: dict[str, Any] = {
    "published": 0,
    "withdrawn": 0,
    "last_applied_at": None,
    "last_sequence": None,
}


def node_summaries(session: Session, base_url: str | None = None) -> list[dict[str, Any]]:
    """Every node of the directory (or the one at ``base_url``) in brief, by id."""
    if base_url is None:
        return _summaries(session, list_nodes(session), whole=True)
    nodes = session.scalars(
        select(FederationNode)
        .where(FederationNode.base_url == base_url)
        .order_by(FederationNode.id)
    ).all()
    return _summaries(session, nodes, whole=False)


def _summaries(
    session: Session, nodes: Sequence[FederationNode], whole: bool
) -> list[dict[str, Any]]:
    """``nodes`` in brief; each count is drawn in SQL for ``nodes`` only, unless they are the
    ``whole`` directory."""
    if not nodes:
        return []
    ids = None if whole else [node.id for node in nodes]
    counts = _counts(session, ids)
    refused = _refusal_counts(session, nodes, whole)
    cursors = select(HarvestCursor)
    if ids is not None:
        cursors = cursors.where(HarvestCursor.node_id.in_(ids))
    harvested = {c.node_id: c for c in session.scalars(cursors)}
    return [
        _summary(node, counts.get(node.id), refused[node.id], harvested.get(node.id))
        for node in nodes
    ]


def node_status(session: Session, node_id: str) -> dict[str, Any]:
    """One node in full: its summary, the organisations it may publish for, its keys, its
    newest event applied and its newest refusals (NotFound for a node not in the directory)."""
    node = get_node(session, node_id)
    [status] = _summaries(session, [node], whole=False)
    newest = session.scalars(
        select(IngestedOffer)
        .where(IngestedOffer.node_id == node.id)
        .order_by(IngestedOffer.applied_at.desc(), IngestedOffer.sequence.desc())
        .limit(1)
    ).first()
    status["last_event"] = _applied(newest)
    status["organisations"] = [
        {"organisation_number": o.organisation_number, "name": o.name, "kind": o.kind}
        for o in node.organisations
    ]
    status["keys"] = [_key(row) for row in node.keys]
    rows = session.execute(
        select(RejectedEvent, _open())
        .where(_of_node(node))
        .order_by(RejectedEvent.id.desc())
        .limit(REFUSALS_SHOWN)
    )
    status["refused"] = [_refusal(row, bool(is_open)) for row, is_open in rows]
    return status


def _applied(row: IngestedOffer | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "offer_uri": row.offer_uri,
        "version": row.version,
        "withdrawn": row.withdrawn,
        "event_id": row.event_id,
        "sequence": row.sequence,
        "applied_at": _iso(row.applied_at),
    }


def offer_statuses(session: Session, offer_uris: Sequence[str]) -> list[dict[str, Any]]:
    """For each offer URI: the version received (or none) and its open refusals, newest
    first; in the order asked."""
    uris = list(dict.fromkeys(offer_uris))[:MAX_OFFERS_ASKED]
    applied = {
        row.offer_uri: row
        for row in session.scalars(select(IngestedOffer).where(IngestedOffer.offer_uri.in_(uris)))
    }
    refusals: dict[str, list[dict[str, Any]]] = {uri: [] for uri in uris}
    rows = session.scalars(
        select(RejectedEvent)
        .where(RejectedEvent.subject.in_(uris), _open())
        .order_by(RejectedEvent.id.desc())
    )
    for row in rows:
        if len(refusals[row.subject or ""]) < 10:
            refusals[row.subject or ""].append(_refusal(row, True))
    return [
        {"offer_uri": uri, "received": _applied(applied.get(uri)), "refused": refusals[uri]}
        for uri in uris
    ]
