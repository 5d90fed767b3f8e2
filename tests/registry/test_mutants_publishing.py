"""One offer's life in the event log and the published snapshot, row by row, as a node's
consumers read them (found by mutation testing, docs/testing.md): what each log row says,
and what the snapshot holds after publishing, republishing and withdrawing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from services.registry.offers import services as offers
from services.registry.offers.models import Offer, OfferVersion
from shared.errors import InvalidInput
from shared.publication.models import LogEntry, PublishedOffer
from tests.federation import publishing_at
from tests.publisher.node import NodeBuilder

NOON = dt.datetime(2025, 5, 1, 12, 0, tzinfo=dt.UTC)
LATER = NOON + dt.timedelta(days=1)
LAST = NOON + dt.timedelta(days=2)
DRAMMEN = "910000012"


def rows(db, uri):
    return db.scalars(
        select(LogEntry).where(LogEntry.offer_uri == uri).order_by(LogEntry.seq)
    ).all()


def test_publishing_republishing_and_withdrawing_in_the_log_and_the_snapshot(db):
    node = NodeBuilder(db)
    with publishing_at(NOON):
        offer_id = node.publish(name="Helsestasjon for ungdom")
    offer = db.get(Offer, offer_id)
    uri = offer.uri
    first = rows(db, uri)[-1]
    assert (
        first.event_type,
        first.version,
        first.organisation_number,
        first.occurred_at,
    ) == (
        "no.nettungen.offer.published",
        1,
        DRAMMEN,
        NOON,
    )
    snapshot = db.get(PublishedOffer, uri)
    assert (snapshot.offer_id, snapshot.version, snapshot.log_seq) == (
        offer_id,
        1,
        first.seq,
    )
    assert (snapshot.organisation_number, snapshot.published_at) == (DRAMMEN, NOON)
    assert snapshot.snapshot == first.snapshot
    assert (offer.latest_version, offer.published_version) == (1, 1)
    # The version says when and by whom: the publisher, not the registrar who submitted it.
    version = db.scalar(select(OfferVersion).where(OfferVersion.offer_id == offer_id))
    assert (version.version, version.status, version.created_at) == (
        1,
        "published",
        NOON,
    )
    assert version.created_by_id == node.provider("municipality").publisher.user_id
    assert version.snapshot == first.snapshot

    with publishing_at(LATER):
        node.revise(offer_id, name="Helsestasjon for ungdom 13–20")
    second = rows(db, uri)[-1]
    assert (second.event_type, second.version, second.occurred_at) == (
        "no.nettungen.offer.published",
        2,
        LATER,
    )
    db.expire_all()
    snapshot = db.get(PublishedOffer, uri)
    assert (snapshot.version, snapshot.log_seq, snapshot.published_at) == (
        2,
        second.seq,
        LATER,
    )
    assert json.loads(snapshot.snapshot)["name"] == "Helsestasjon for ungdom 13–20"

    with publishing_at(LAST):
        node.withdraw(offer_id)
    last = rows(db, uri)[-1]
    assert (last.event_type, last.version, last.occurred_at) == (
        "no.nettungen.offer.withdrawn",
        3,
        LAST,
    )
    assert json.loads(last.snapshot)["status"] == "withdrawn"
    db.expire_all()
    assert db.get(PublishedOffer, uri) is None
    offer = db.get(Offer, offer_id)
    assert (offer.latest_version, offer.published_version) == (3, None)
    assert [r.seq for r in rows(db, uri)] == [first.seq, second.seq, last.seq]
    assert second.seq > first.seq and last.seq > second.seq


def test_an_offer_the_contract_would_refuse_is_not_published_and_the_fields_are_named(
    db,
):
    node = NodeBuilder(db)
    offer_id = node.publish(name="Helsestasjon for ungdom")
    offer = db.get(Offer, offer_id)
    log_rows = len(rows(db, offer.uri))
    # 0101 Halden ended in 2020: a new version may not cover it (history still may).
    offer.coverage = ["3301", "0101"]
    offer.status = "submitted"
    db.flush()
    provider = node.provider("municipality")
    with pytest.raises(InvalidInput) as refused:
        offers.publish(db, provider.publisher, offer_id, signer=node.signer)
    assert refused.value.code == "offer.not_publishable"
    assert refused.value.status_code == 422
    assert list(refused.value.errors) == ["coverage"]
    db.expire_all()
    assert len(rows(db, offer.uri)) == log_rows
    assert db.get(Offer, offer_id).latest_version == 1
