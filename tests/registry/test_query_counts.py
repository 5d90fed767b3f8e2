"""The registry's lists run as many SQL statements for 30 rows as for 3: no query per row.

Each test draws a page (or an API list) over a few rows, adds many more, draws it again, and
compares the statement counts (tests.queries). The rows added spread over new agencies, so a
lazy load per row cannot hide behind the session's identity map.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from services.registry.accounts.permissions import Actor, Role
from services.registry.offers import services as offers
from services.registry.organisations import services as organisations
from tests.queries import assert_same_count, statements_of
from tests.registry.conftest import OPERATOR, ORG_A, World, offer_input
from tests.registry.pages import sign_in

FEW, MANY = 3, 30


def _staff(world: World) -> Actor:
    """Someone with every role in organisation A and in every one of its agencies."""
    org = world.orgs[ORG_A]
    return Actor(
        user_id=None,
        label="test",
        roles={org.id: frozenset(Role)},
        agencies={org.id: frozenset(a.id for a in org.agencies)},
    )


def add_offers(db: Session, app: Any, world: World, count: int) -> None:
    """``count`` offers in organisation A, each in a new agency, by turns a draft, waiting for
    review, and published (with a duty and two versions' worth of history)."""
    org = world.orgs[ORG_A]
    start = len(org.agencies)
    for i in range(start, start + count):
        agency = organisations.create_agency(db, OPERATOR, org, f"Etat {i}", None)
        db.flush()
        actor = _staff(world)
        offer = offers.create_offer(
            db, actor, org, offer_input(agency.public_id, name=f"Tilbud {i}"), "https://node.test"
        )
        if i % 3:
            offers.submit(db, actor, offer.id)
        if i % 3 == 2:
            offers.publish(db, actor, offer.id, signer=app.extensions["nettungen.signer"])
    db.flush()


def add_members(db: Session, world: World, count: int) -> None:
    """``count`` registrars in organisation A, each in a new agency of their own."""
    org = world.orgs[ORG_A]
    start = len(org.agencies)
    for i in range(start, start + count):
        agency = organisations.create_agency(db, OPERATOR, org, f"Etat {i}", None)
        db.flush()
        accounts.add_member(
            db,
            OPERATOR,
            org,
            email=f"person{i}@example.org",
            name=f"Person {i}",
            roles=["registrar"],
            agencies=[agency.public_id],
        )
    db.flush()


def check_flat(app: Any, grow: Any, fetch: Any, what: str) -> str:
    """Draw the page over FEW rows and over MANY: the same number of statements. The text of
    the page over MANY rows, for the test to check they are on it."""
    engine = app.extensions["nettungen.db"].engine
    grow(FEW)
    fetch()  # warm up: caches filled once per process are no part of the count
    few = statements_of(engine, fetch)
    grow(MANY - FEW)
    responses = []
    many = statements_of(engine, lambda: responses.append(fetch()))
    assert responses[0].status_code == 200, responses[0].get_data(as_text=True)[:500]
    assert_same_count(few, many, what)
    return responses[0].get_data(as_text=True)


def test_dashboard(app, client, db, world):
    sign_in(client, db, "a_publisher")
    page = check_flat(
        app,
        lambda n: add_offers(db, app, world, n),
        lambda: client.get(f"/o/{ORG_A}/?show=all"),
        "dashboard",
    )
    assert page.count("Tilbud ") >= MANY


def test_review_queue(app, client, db, world):
    sign_in(client, db, "a_publisher")
    page = check_flat(
        app,
        lambda n: add_offers(db, app, world, n),
        lambda: client.get(f"/o/{ORG_A}/review"),
        "review queue",
    )
    assert page.count("Tilbud ") >= MANY // 3


def test_offers_api_list(app, client, db, world):
    listed = check_flat(
        app,
        lambda n: add_offers(db, app, world, n),
        lambda: client.get(f"/api/v1/organisations/{ORG_A}/offers", headers=world.auth("a_reader")),
        "offers API list",
    )
    assert len(json.loads(listed)) == MANY


def test_members_api_list(app, client, db, world):
    listed = check_flat(
        app,
        lambda n: add_members(db, world, n),
        lambda: client.get(f"/api/v1/organisations/{ORG_A}/members", headers=world.auth("a_admin")),
        "members API list",
    )
    assert len(json.loads(listed)) >= MANY


def test_users_page(app, client, db, world):
    sign_in(client, db, "a_admin")
    page = check_flat(
        app,
        lambda n: add_members(db, world, n),
        lambda: client.get(f"/o/{ORG_A}/admin/users"),
        "users page",
    )
    assert page.count("@example.org") >= MANY
