"""The demo data loads through the service layer on a fresh database, as `make demo` does."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from services.registry.accounts.models import User
from services.registry.accounts.permissions import Actor
from services.registry.coordination.models import (
    AssessmentAnswer,
    CoordinationGroup,
    CycleEvent,
    GroupMember,
    Initiative,
    MandateItem,
    Meeting,
    MethodStep,
    Milestone,
)
from services.registry.demo import load_demo_data
from services.registry.offers.contact import contact_warnings
from services.registry.offers.models import Offer
from services.registry.organisations.models import Organisation
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
        assert statuses == {"published": 20, "submitted": 1, "draft": 1, "withdrawn": 2}
        assert session.scalars(select(LogEntry.seq).order_by(LogEntry.seq)).all() == list(
            range(1, 27)
        )
        assert session.scalar(select(func.count()).select_from(PublishedOffer)) == 20
        assert session.scalar(select(func.max(Offer.latest_version))) == 2
        group = session.scalar(select(CoordinationGroup))
        assert group.mandate and group.established_on
        for model, count in (
            (GroupMember, 6),
            (Initiative, 3),
            (Meeting, 2),
            (Milestone, 4),
            (CycleEvent, 6),
            (AssessmentAnswer, 2),
        ):
            assert session.scalar(select(func.count()).select_from(model)) == count
        plan = session.scalar(select(Initiative).where(Initiative.kind == "plan"))
        assert len(plan.offers) == 2
        steps = dict(session.execute(select(MethodStep.step, MethodStep.status)).all())
        assert (steps[1], steps[4], steps[6]) == ("done", "in_progress", "not_started")
        assert session.scalar(select(func.count()).where(MandateItem.done)) == 4
    # The twelve members, and each node's administrator.
    assert len(logins) == 15
    assert [login.email for login in logins if login.roles == ("node administrator",)] == [
        "node-admin@drammen.example.org",
        "node-admin@numedal.example.org",
        "node-admin@fylke-stat.example.org",
    ]
    engine.dispose()


@pytest.mark.parametrize(
    ("node", "members", "published"), [("drammen", 1, 7), ("numedal", 5, 9), ("fylke-stat", 3, 4)]
)
def test_each_demo_node_loads_its_own_members(node_database_factory, node, members, published):
    url = node_database_factory()
    engine = create_engine(url)
    with sessionmaker(engine).begin() as session:
        load_demo_data(
            session, Actor.operator(), "http://127.0.0.1:8011", Signer(TEST_PASSPHRASE), node
        )
    with sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) == members
        assert session.scalar(select(func.count()).select_from(PublishedOffer)) == published
        admins = session.scalars(select(User.email).where(User.is_node_admin)).all()
        assert admins == [f"node-admin@{node}.example.org"]
        # Only Drammen's coordination group has a workspace.
        assert (session.scalar(select(CoordinationGroup)) is not None) == (node == "drammen")
    engine.dispose()


def test_every_published_demo_offer_has_a_desk_to_contact_and_some_have_hours(database_factory):
    url = database_factory()
    migrated_database(url)
    engine = create_engine(url)
    with sessionmaker(engine).begin() as session:
        load_demo_data(session, Actor.operator(), "http://127.0.0.1:8011", Signer(TEST_PASSPHRASE))
    with sessionmaker(engine)() as session:
        published = session.scalars(select(Offer).where(Offer.status == "published")).all()
        for offer in published:
            contact = offer.contact
            assert contact.get("phone") and contact.get("email"), offer.name
            # Fictional: a 555 number and an example.org address, a desk's, never a person's.
            assert contact["phone"].startswith("555 ") and contact["email"].endswith(
                ".example.org"
            ), offer.name
            assert contact_warnings(contact) == {}, offer.name
        timed = {o.name: o.timetable for o in published if o.timetable}
        assert len(timed) >= 6
        assert timed["Helsestasjon 0–5 år"]["weekly"][0] == {
            "day": "mon",
            "opens": "08:00",
            "closes": "15:30",
        }
        assert timed["Circle of Security (COS-P) – foreldregruppe"]["dates"]
    engine.dispose()
