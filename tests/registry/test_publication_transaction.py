"""Publishing writes the version, the snapshot and the log row in ONE transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from services.registry.offers import publishing
from services.registry.offers.models import Offer, OfferVersion
from shared.publication.models import LogEntry, LogHead, PublishedOffer
from tests.registry.conftest import ORG_A, offer_input


def submitted_offer(client, world) -> str:
    oid = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_health"]),
        headers=world.auth("a_registrar"),
    ).get_json()["id"]
    client.post(f"/api/v1/offers/{oid}/submit", headers=world.auth("a_registrar"))
    return oid


def counts(db):
    return tuple(
        db.scalar(select(func.count()).select_from(table))
        for table in (OfferVersion, PublishedOffer, LogEntry)
    )


def test_a_failing_log_write_leaves_no_version_and_no_snapshot(client, world, db):
    oid = submitted_offer(client, world)
    before = counts(db)
    # Someone has taken the sequence number the next publication will get: the log row's
    # insert fails on the primary key, after the version and the snapshot were flushed.
    head = db.get(LogHead, 1).last_seq
    db.add(
        LogEntry(
            seq=head + 1,
            event_id="00000000-0000-4000-8000-000000000000",
            event_type="no.nettungen.offer.published",
            offer_uri="https://elsewhere.test/offers/x",
            version=1,
            organisation_number=ORG_A,
            occurred_at=dt.datetime.now(dt.UTC),
            snapshot="{}",
            key_id="planted",
            signature="planted",
        )
    )
    db.flush()

    response = client.post(f"/api/v1/offers/{oid}/publish", headers=world.auth("a_publisher"))

    assert response.status_code == 409
    assert response.get_json()["message"]
    db.expire_all()
    assert counts(db) == (before[0], before[1], before[2] + 1)  # only the row we planted
    offer = db.get(Offer, oid)
    assert (offer.status, offer.latest_version, offer.published_version) == ("submitted", 0, None)
    assert db.get(PublishedOffer, offer.uri) is None
    assert db.get(LogHead, 1).last_seq == head  # the sequence number was not used up


def test_an_error_after_the_snapshot_rolls_everything_back(app, client, world, db, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # answer as in production
    oid = submitted_offer(client, world)
    before = counts(db)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full while appending to the log")

    monkeypatch.setattr(publishing, "append_to_log", broken)
    response = client.post(f"/api/v1/offers/{oid}/publish", headers=world.auth("a_publisher"))
    assert response.status_code == 500
    body = response.get_json()
    assert body["code"] == 500 and "nothing was changed" in body["message"]
    db.expire_all()
    assert counts(db) == before
    assert db.get(Offer, oid).status == "submitted"


def test_sequence_numbers_are_gap_free_across_offers(client, world, db):
    start = db.get(LogHead, 1).last_seq
    for _ in range(3):
        oid = submitted_offer(client, world)
        client.post(f"/api/v1/offers/{oid}/publish", headers=world.auth("a_publisher"))
    seqs = db.scalars(select(LogEntry.seq).where(LogEntry.seq > start).order_by(LogEntry.seq)).all()
    assert seqs == [start + 1, start + 2, start + 3]
    db.expire_all()
    assert db.get(LogHead, 1).last_seq == start + 3


@pytest.mark.parametrize("status", ["published", "withdrawn"])
def test_log_row_points_at_the_version_it_published(client, world, db, status):
    oid = submitted_offer(client, world)
    client.post(f"/api/v1/offers/{oid}/publish", headers=world.auth("a_publisher"))
    if status == "withdrawn":
        client.post(f"/api/v1/offers/{oid}/withdraw", headers=world.auth("a_publisher"))
    offer = db.get(Offer, oid)
    last = db.scalars(
        select(LogEntry).where(LogEntry.offer_uri == offer.uri).order_by(LogEntry.seq.desc())
    ).first()
    version = db.scalar(
        select(OfferVersion).where(
            OfferVersion.offer_id == oid, OfferVersion.version == last.version
        )
    )
    assert version.status == status
    assert version.snapshot == last.snapshot
    if status == "published":
        assert db.get(PublishedOffer, offer.uri).log_seq == last.seq
