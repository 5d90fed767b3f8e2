"""Publishers racing each other still get gap-free, unique sequence numbers (real commits)."""

from __future__ import annotations

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.registry.accounts import services as accounts
from services.registry.offers import services as offers
from services.registry.offers.schemas import OfferInputSchema
from services.registry.organisations import services as organisations
from shared.db import create_engine
from shared.publication.keys import Signer
from shared.publication.models import LogEntry, PublishedOffer
from tests.conftest import TEST_PASSPHRASE, migrated_database
from tests.registry.conftest import OPERATOR, offer_input

OFFERS = 12
THREADS = 4


def test_concurrent_publications_are_numbered_without_gaps(database_factory):
    url = database_factory()
    migrated_database(url)
    engine = create_engine(url, sqlite_begin="IMMEDIATE")
    make = sessionmaker(engine, expire_on_commit=False)
    signer = Signer(TEST_PASSPHRASE)
    with make.begin() as session:
        org = organisations.create_organisation(
            session,
            OPERATOR,
            {
                "organisation_number": "910000012",
                "name": "Drammen kommune",
                "kind": "municipality",
                "home_area": "3301",
            },
        )
        agency = organisations.create_agency(session, OPERATOR, org, "Helsestasjon", None)
        registrar = accounts.add_member(
            session,
            OPERATOR,
            org,
            email="r@example.org",
            name="R",
            roles=["registrar"],
            agencies=[agency.public_id],
        ).user
        publisher = accounts.add_member(
            session, OPERATOR, org, email="p@example.org", name="P", roles=["publisher"]
        ).user
        session.flush()
        as_registrar = accounts.build_actor(session, registrar)
        ids = []
        for i in range(OFFERS):
            data = OfferInputSchema().load(offer_input(agency.public_id, name=f"Tilbud {i}"))
            offer = offers.create_offer(session, as_registrar, org, data, "https://n.test")
            offers.submit(session, as_registrar, offer.id)
            ids.append(offer.id)
        as_publisher = accounts.build_actor(session, publisher)

    errors: list[BaseException] = []

    def publish(chunk: list[str]) -> None:
        try:
            for oid in chunk:
                with make.begin() as session:
                    offers.publish(session, as_publisher, oid, signer=signer)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=publish, args=(ids[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    with Session(engine) as session:
        rows = session.execute(select(LogEntry.seq, LogEntry.occurred_at).order_by(LogEntry.seq))
        seqs, times = zip(*rows, strict=True)
        assert list(seqs) == list(range(1, OFFERS + 1))
        # Time never runs backwards along the log: it is read after the sequence lock.
        assert list(times) == sorted(times)
        snapshot_seqs = sorted(session.scalars(select(PublishedOffer.log_seq)))
        assert snapshot_seqs == list(seqs)
    engine.dispose()
