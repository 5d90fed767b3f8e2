"""A user of organisation B can neither see nor change anything of organisation A."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.registry.accounts import services as accounts
from services.registry.offers.models import Offer
from tests.registry.conftest import OPERATOR, ORG_A, ORG_B, audit_count, offer_input

# Every endpoint that reads or changes A's things: (method, path, body).
ENDPOINTS = [
    ("GET", "/api/v1/organisations/{org}", None),
    ("PATCH", "/api/v1/organisations/{org}", {"name": "Overtatt"}),
    ("GET", "/api/v1/organisations/{org}/agencies", None),
    ("POST", "/api/v1/organisations/{org}/agencies", {"name": "Ny etat"}),
    ("GET", "/api/v1/organisations/{org}/agencies/{agency}", None),
    ("PATCH", "/api/v1/organisations/{org}/agencies/{agency}", {"name": "Omdøpt"}),
    ("DELETE", "/api/v1/organisations/{org}/agencies/{agency}", None),
    ("GET", "/api/v1/organisations/{org}/members", None),
    (
        "POST",
        "/api/v1/organisations/{org}/members",
        {"email": "inntrenger@example.org", "name": "X", "roles": ["admin"]},
    ),
    ("GET", "/api/v1/organisations/{org}/members/{user}", None),
    ("PATCH", "/api/v1/organisations/{org}/members/{user}", {"roles": ["reader"]}),
    ("DELETE", "/api/v1/organisations/{org}/members/{user}", None),
    ("GET", "/api/v1/organisations/{org}/offers", None),
    ("POST", "/api/v1/organisations/{org}/offers", "OFFER"),
    ("GET", "/api/v1/offers/{offer}", None),
    ("PATCH", "/api/v1/offers/{offer}", {"name": "Overtatt"}),
    ("DELETE", "/api/v1/offers/{offer}", None),
    ("POST", "/api/v1/offers/{offer}/submit", {}),
    ("POST", "/api/v1/offers/{offer}/recall", {}),
    ("POST", "/api/v1/offers/{offer}/send-back", {"comment": "nei"}),
    ("POST", "/api/v1/offers/{offer}/publish", {}),
    ("POST", "/api/v1/offers/{offer}/withdraw", {}),
    ("GET", "/api/v1/offers/{offer}/versions", None),
    ("GET", "/api/v1/offers/{offer}/versions/1", None),
    ("GET", "/api/v1/offers/{offer}/history", None),
]


@pytest.fixture
def a_offers(client, world):
    """A's offers in each state a foreign user might try to touch."""
    offers = {}
    for state in ("draft", "submitted", "published"):
        oid = client.post(
            f"/api/v1/organisations/{ORG_A}/offers",
            json=offer_input(world.agencies["a_health"], name=f"A {state}"),
            headers=world.auth("a_registrar"),
        ).get_json()["id"]
        if state != "draft":
            client.post(f"/api/v1/offers/{oid}/submit", headers=world.auth("a_registrar"))
        if state == "published":
            client.post(f"/api/v1/offers/{oid}/publish", headers=world.auth("a_publisher"))
        offers[state] = oid
    return offers


def snapshot(db):
    rows = db.execute(select(Offer.id, Offer.status, Offer.name, Offer.latest_version)).all()
    return sorted(map(tuple, rows)), audit_count(db)


@pytest.mark.parametrize("who", ["b_admin", "b_registrar", "b_publisher"])
def test_foreign_users_get_404_everywhere_and_change_nothing(client, world, db, a_offers, who):
    a_user = _user_id(db, "a_reader@example.org")
    before = snapshot(db)
    for method, template, body in ENDPOINTS:
        for offer in a_offers.values():
            path = template.format(
                org=ORG_A, agency=world.agencies["a_health"], user=a_user, offer=offer
            )
            payload = offer_input(world.agencies["a_health"]) if body == "OFFER" else body
            response = client.open(path, method=method, json=payload, headers=world.auth(who))
            assert response.status_code == 404, (who, method, path, response.get_json())
            assert response.get_json()["code"] == 404
    db.expire_all()
    assert snapshot(db) == before


def test_a_token_only_speaks_for_its_own_organisation(client, world, db, a_offers):
    """A person who is registrar in both A and B, using a token scoped to B, cannot touch A."""
    both = accounts.add_member(
        db,
        OPERATOR,
        world.orgs[ORG_A],
        email="begge@example.org",
        name="Begge",
        roles=["registrar", "publisher"],
        agencies=[world.agencies["a_health"]],
    )
    accounts.add_member(
        db,
        OPERATOR,
        world.orgs[ORG_B],
        email="begge@example.org",
        name=None,
        roles=["registrar"],
        agencies=[world.agencies["b_health"]],
    )
    b_token = accounts.issue_token(db, OPERATOR, both.user, world.orgs[ORG_B], "b only").plaintext
    db.flush()
    headers = {"Authorization": f"Bearer {b_token}"}
    assert client.get(f"/api/v1/offers/{a_offers['draft']}", headers=headers).status_code == 404
    response = client.post(f"/api/v1/offers/{a_offers['submitted']}/publish", headers=headers)
    assert response.status_code == 404
    assert (
        client.get("/api/v1/organisations", headers=headers).get_json()[0]["organisation_number"]
        == ORG_B
    )


def test_readers_of_a_see_drafts_of_a_only(client, world, a_offers):
    listing = client.get(f"/api/v1/organisations/{ORG_A}/offers", headers=world.auth("a_reader"))
    assert {o["name"] for o in listing.get_json()} == {"A draft", "A submitted", "A published"}
    b_listing = client.get(
        f"/api/v1/organisations/{ORG_B}/offers", headers=world.auth("b_registrar")
    )
    assert b_listing.get_json() == []


def test_organisation_list_shows_only_my_organisations(client, world):
    listing = client.get("/api/v1/organisations", headers=world.auth("b_registrar")).get_json()
    assert [o["organisation_number"] for o in listing] == [ORG_B]


def _user_id(db, email):
    from services.registry.accounts.models import User

    return db.scalar(select(User.id).where(User.email == email))


def test_offer_counts_unchanged_by_foreign_creation(client, world, db):
    count = db.scalar(select(func.count()).select_from(Offer))
    response = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["b_health"]),
        headers=world.auth("b_registrar"),
    )
    assert response.status_code == 404
    assert db.scalar(select(func.count()).select_from(Offer)) == count
