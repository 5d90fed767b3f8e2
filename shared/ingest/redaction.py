"""Redaction events: a node removed the personal contact data from an offer's versions.

A redaction (:mod:`shared.publication.redaction`) comes by both roads like any event. Whichever
brings it first takes it, in a transaction of its own: it records how far the offer is
redacted (``offer_redactions``) and has the sink purge the personal fields from every version
of the offer it keeps up to there (:meth:`~shared.ingest.apply.Sink.redact_many`). The other
road finds it taken already and does the same again, which changes nothing.

Order does not matter. :func:`~shared.ingest.apply.apply_events` reads ``offer_redactions``
for the offers of every batch and stores a version the redaction covers without the fields,
so a version that arrives after its redaction (an old bus message, a page cached before the
redaction) leaves no contact behind. Both take the same per-offer lock first
(:func:`lock_offers`), so a version applied at the same moment as its redaction is either
purged by it or stored purged, never missed by both.

A redaction signed by a key not trusted here is refused (and recorded) like any event.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from shared.db import insert_if_absent, utcnow
from shared.ingest.apply import bus_keys, node_of
from shared.ingest.directory import Directory, TrustedNode
from shared.ingest.models import OfferRedaction
from shared.ingest.purge import lock_offers
from shared.publication import EVENT_REDACTED
from shared.publication.events import EventRejected, check_redaction, sequence_of

log = logging.getLogger(__name__)


class Redacting(Protocol):
    """The part of a sink that purges (see :class:`~shared.ingest.apply.Sink`)."""

    def redact_many(self, session: Session, through: Mapping[str, int]) -> None: ...


def is_redaction(event: Any) -> bool:
    return isinstance(event, Mapping) and event.get("type") == EVENT_REDACTED


def take_redaction(
    sessions: sessionmaker[Session],
    sink: Redacting,
    event: Mapping[str, Any],
    directory: Directory,
    expected_node: TrustedNode | None = None,
) -> tuple[str, int]:
    """Verify the redaction (from the feed of ``expected_node``, or from the bus), record it
    and purge the offer's stored versions; the offer and how far. Raises
    :class:`EventRejected` (:class:`UnknownKey` when its key is not trusted here)."""
    node = node_of(event, directory, expected_node)
    keys = node.keys if expected_node is not None else bus_keys(node, event)
    try:
        offer_uri, through = check_redaction(event, keys, node.base_url)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        if isinstance(exc, EventRejected):
            raise
        raise EventRejected(f"the redaction cannot be verified: {type(exc).__name__}") from exc
    with sessions.begin() as session:
        lock_offers(session, [offer_uri])
        through = _record(session, node.id, offer_uri, through, event)
        sink.redact_many(session, {offer_uri: through})
    log.info("redacted %s through version %d (node %s)", offer_uri, through, node.id)
    return offer_uri, through


def _record(
    session: Session, node_id: str, offer_uri: str, through: int, event: Mapping[str, Any]
) -> int:
    """Record the redaction (the furthest of those taken for the offer); how far it goes."""
    values = {
        "offer_uri": offer_uri,
        "node_id": node_id,
        "through_version": through,
        "event_id": str(event["id"]),
        "sequence": sequence_of(event),
        "redacted_at": utcnow(),
    }
    session.execute(insert_if_absent(session, OfferRedaction, ["offer_uri"], **values))
    session.execute(
        update(OfferRedaction)
        .where(
            OfferRedaction.offer_uri == offer_uri,
            OfferRedaction.through_version < through,
        )
        .values(**values)
    )
    # This redaction or a further one taken before it.
    return session.execute(
        select(OfferRedaction.through_version).where(OfferRedaction.offer_uri == offer_uri)
    ).scalar_one()
