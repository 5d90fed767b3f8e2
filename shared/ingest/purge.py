"""What applying a batch needs of redactions (:mod:`shared.ingest.redaction`): the offers'
locks, how far each is redacted, and the batch's versions without what a redaction covers."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from shared.ingest.models import OfferRedaction
from shared.publication.redaction import has_personal_data, without_personal_data

if TYPE_CHECKING:
    from shared.ingest.apply import VerifiedEvent

_LOCK_OFFERS = "SELECT pg_advisory_xact_lock(hashtext(u)) FROM unnest(CAST(:uris AS text[])) u"


def lock_offers(session: Session, offer_uris: Iterable[str]) -> None:
    """Take the offers' locks for this transaction (PostgreSQL; SQLite has one writer), in
    one order everywhere, so two transactions never wait for each other in a circle. The
    same locks as reporting's history takes, so taking them twice costs nothing."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(_LOCK_OFFERS), {"uris": sorted(set(offer_uris))})


def redactions_for(session: Session, offer_uris: Iterable[str]) -> dict[str, int]:
    """How far each of the offers is redacted, for those that are."""
    uris = list(set(offer_uris))
    if not uris:
        return {}
    rows = session.execute(
        select(OfferRedaction.offer_uri, OfferRedaction.through_version).where(
            OfferRedaction.offer_uri.in_(uris)
        )
    )
    return {uri: through for uri, through in rows}


def redacted_events(
    events: Sequence[VerifiedEvent], through: Mapping[str, int]
) -> list[VerifiedEvent]:
    """The events, those a redaction covers without the personal fields (in their document
    and in the event's data, which the sinks store)."""
    result = []
    for event in events:
        covered = event.version <= through.get(event.offer_uri, 0)
        if covered and has_personal_data(event.document):
            data = event.event["data"]  # verified: the version document, as the node sent it
            redacted = {**event.event, "data": without_personal_data(data)}
            event = dataclasses.replace(
                event,
                event=redacted,
                document=without_personal_data(event.document),
                stored=None,  # the stored JSON was of the data before the redaction
            )
        result.append(event)
    return result
