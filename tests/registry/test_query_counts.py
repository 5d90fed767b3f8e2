"""The registry's lists run as many SQL statements for 30 rows as for 3: no query per row.

Each test draws its pages (and API lists) over a few rows, adds many more, draws them again and
compares the statement counts (tests.queries). The rows added spread over new agencies, so a
lazy load per row cannot hide behind the session's identity map.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from services.registry.accounts.permissions import Actor, Role
from services.registry.offers import services as offers
from services.registry.organisations import services as organisations
from tests.queries import MANY, check_flat
from tests.registry.conftest import OPERATOR, ORG_A, PASSWORD, World, login, offer_input
from tests.registry.pages import sign_in


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
    """``count`` offers in organisation A, each in a new agency and with a statutory duty, by
    turns a draft, waiting for review (a third of them), and published."""
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


def test_offer_pages_and_list(app, client, db, world):
    sign_in(client, db, "a_publisher")
    reader = world.auth("a_reader")
    drawn = check_flat(
        app.extensions["nettungen.db"].engine,
        lambda count: add_offers(db, app, world, count),
        {
            "dashboard": lambda: client.get(f"/o/{ORG_A}/?show=all"),
            "review queue": lambda: client.get(f"/o/{ORG_A}/review"),
            "offers API list": lambda: client.get(
                f"/api/v1/organisations/{ORG_A}/offers", headers=reader
            ),
        },
    )
    assert drawn["dashboard"].get_data(as_text=True).count("Tilbud ") >= MANY
    assert drawn["review queue"].get_data(as_text=True).count("Tilbud ") >= MANY // 3
    assert len(drawn["offers API list"].get_json()) == MANY


def test_members_and_agencies(app, client, db, world):
    sign_in(client, db, "a_admin")
    drawn = check_flat(
        app.extensions["nettungen.db"].engine,
        lambda count: add_members(db, world, count),
        {
            "users page": lambda: client.get(f"/o/{ORG_A}/admin/users"),
            "agencies page": lambda: client.get(f"/o/{ORG_A}/admin/agencies"),
            "members API list": lambda: client.get(
                f"/api/v1/organisations/{ORG_A}/members", headers=world.auth("a_admin")
            ),
        },
    )
    assert drawn["users page"].get_data(as_text=True).count("@example.org") >= MANY
    assert len(drawn["members API list"].get_json()) >= MANY
    assert drawn["agencies page"].get_data(as_text=True).count("Etat ") >= MANY


def test_node_administration_pages(app, client, db, world):
    """The node's users (with their organisations), its organisation's members and the
    organisation's audit trail, for the node administrator and A's administrator."""
    accounts.create_user(db, OPERATOR, "node@example.org", "Node Admin", PASSWORD, True)
    db.flush()
    login(client, "node@example.org")
    admin = app.test_client()
    sign_in(admin, db, "a_admin")
    drawn = check_flat(
        app.extensions["nettungen.db"].engine,
        lambda count: add_members(db, world, count),
        {
            "node users page": lambda: client.get("/node/users"),
            "node organisation page": lambda: client.get(f"/node/organisations/{ORG_A}"),
            "audit trail page": lambda: admin.get(f"/o/{ORG_A}/admin/audit"),
        },
    )
    assert drawn["node users page"].get_data(as_text=True).count("@example.org") >= MANY
    assert drawn["audit trail page"].get_data(as_text=True).count("membership.created") >= MANY
