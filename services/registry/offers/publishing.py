"""Publishing and withdrawing: the version, the published snapshot and the event-log row are
written in the caller's one transaction (the outbox), never apart.

The order is deliberate: the version and the snapshot are flushed first and the log row last, so
a failure at any step — the log row included — rolls back all three together.
"""

from __future__ import annotations

import datetime as dt
import uuid

from marshmallow import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.registry.accounts.permissions import Actor
from services.registry.offers.content import version_document
from services.registry.offers.models import Offer, OfferVersion
from shared.db import utcnow
from shared.errors import InvalidInput
from shared.hsds import service_id
from shared.publication import EVENT_PUBLISHED, EVENT_WITHDRAWN
from shared.publication.keys import Signer
from shared.publication.models import LogEntry, LogHead, PublishedOffer
from shared.publication.schema import STATUS_PUBLISHED, dump_offer_version


def next_sequence(session: Session) -> int:
    """Take the node's next log sequence number.

    The UPDATE locks the head row until commit, so publishing transactions queue here and
    sequence numbers are handed out in commit order, without gaps.
    """
    statement = (
        update(LogHead)
        .where(LogHead.id == 1)
        .values(last_seq=LogHead.last_seq + 1)
        .returning(LogHead.last_seq)
    )
    return int(session.execute(statement).scalar_one())


def append_to_log(
    session: Session,
    seq: int,
    offer: Offer,
    version: int,
    status: str,
    at: dt.datetime,
    snapshot: str,
    signer: Signer,
) -> LogEntry:
    entry = LogEntry(
        seq=seq,
        event_id=str(uuid.uuid4()),
        event_type=EVENT_PUBLISHED if status == STATUS_PUBLISHED else EVENT_WITHDRAWN,
        offer_uri=offer.uri,
        version=version,
        organisation_number=offer.organisation.organisation_number,
        occurred_at=at,
        snapshot=snapshot,
    )
    signer.sign_entry(session, entry)
    session.add(entry)
    session.flush()
    return entry


def _replace_snapshot(
    session: Session, offer: Offer, version: int, seq: int, at: dt.datetime, snapshot: str
) -> None:
    current = session.get(PublishedOffer, offer.uri)
    if current is None:
        current = PublishedOffer(
            offer_uri=offer.uri, offer_id=offer.id, service_id=service_id(offer.uri)
        )
        session.add(current)
    current.version = version
    current.organisation_number = offer.organisation.organisation_number
    current.published_at = at
    current.log_seq = seq
    current.snapshot = snapshot


def write_version(
    session: Session, actor: Actor, offer: Offer, status: str, signer: Signer
) -> OfferVersion:
    """Make the offer's next version (published or withdrawn) with its snapshot and signed log
    row.

    The sequence number is taken first: its lock orders concurrent publishers (and key
    rotation), and the time is read after it, so times never run backwards along the log.
    """
    seq = next_sequence(session)
    at = log_time(session, seq)
    number = offer.latest_version + 1
    try:
        snapshot = dump_offer_version(version_document(offer, number, status, at))
    except ValidationError as exc:
        # E.g. a coverage code retired by a newer classification: fix the offer, then publish.
        raise InvalidInput("offer.not_publishable", exc.normalized_messages()) from None
    version = OfferVersion(
        offer=offer,
        version=number,
        status=status,
        created_at=at,
        created_by_id=actor.user_id,
        snapshot=snapshot,
    )
    session.add(version)
    if status == STATUS_PUBLISHED:
        _replace_snapshot(session, offer, number, seq, at, snapshot)
    else:
        _remove_snapshot(session, offer)
    session.flush()
    append_to_log(session, seq, offer, number, status, at, snapshot, signer)
    offer.latest_version = number
    offer.published_version = number if status == STATUS_PUBLISHED else None
    return version


def log_time(session: Session, seq: int) -> dt.datetime:
    """Now, but never before the previous log row, even if this host's clock is behind
    another's: LDES clients rely on member times never decreasing along the log."""
    previous = session.scalar(select(LogEntry.occurred_at).where(LogEntry.seq == seq - 1))
    return utcnow() if previous is None else max(utcnow(), previous)


def _remove_snapshot(session: Session, offer: Offer) -> None:
    current = session.get(PublishedOffer, offer.uri)
    if current is not None:
        session.delete(current)
