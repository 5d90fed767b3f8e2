"""The demo data loads through the service layer on a fresh database, as `make demo` does."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from services.registry.accounts.permissions import Actor
from services.registry.demo import load_demo_data
from services.registry.offers.models import Offer
from shared.db import create_engine
from shared.publication.keys import Signer
from shared.publication.models import LogEntry, PublishedOffer
from tests.conftest import TEST_PASSPHRASE, migrated_database


def test_demo_data_covers_every_state(database_factory):
    url = database_factory()
    migrated_database(url)
    engine = create_engine(url)
    with sessionmaker(engine).begin() as session:
        logins = load_demo_data(
            session, Actor.operator(), "http://127.0.0.1:8011", Signer(TEST_PASSPHRASE)
        )
    with sessionmaker(engine)() as session:
        statuses = dict(
            session.execute(select(Offer.status, func.count()).group_by(Offer.status)).all()
        )
        assert statuses == {"published": 8, "submitted": 1, "draft": 1, "withdrawn": 1}
        assert session.scalars(select(LogEntry.seq).order_by(LogEntry.seq)).all() == list(
            range(1, 12)
        )
        assert session.scalar(select(func.count()).select_from(PublishedOffer)) == 8
        assert session.scalar(select(func.max(Offer.latest_version))) == 2
    assert len(logins) == 5
    engine.dispose()
