"""A user of organisation B can neither see nor change anything of organisation A."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from services.registry.accounts import services as accounts
from services.registry.offers.models import Offer
from tests.registry.access import ROUTES, UNSAFE, build_matrix_world, digest
from tests.registry.conftest import OPERATOR, ORG_A, ORG_B, offer_input

OFFER_STATES = ("offer_draft", "offer_submitted", "offer_published")  # as build_matrix_world makes
# Every API route that belongs to one organisation, from the reviewed access table.
ORGANISATION_API = sorted(k for k, a in ROUTES.items() if a.tenant and not a.is_page)


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


@pytest.mark.parametrize("who", ["b_admin", "b_registrar", "b_publisher"])
def test_foreign_tokens_get_404_on_every_organisation_route_and_change_nothing(
    client, world, db, connection, who
):
    """The access matrix signs in through the browser; this is the same with API tokens."""
    own, _foreign = build_matrix_world(db, world)
    before = digest(connection)
    assert len(ORGANISATION_API) > 20
    for method, rule in ORGANISATION_API:
        access = ROUTES[(method, rule)]
        body = access.body(client) if callable(access.body) else access.body
        # An offer route is tried on A's offer in every state: a state check answering before
        # the tenant check (a 409 "not submitted") would tell a stranger the offer exists.
        paths = {re.sub(r"\{offer_\w+\}", f"{{{state}}}", access.path) for state in OFFER_STATES}
        for path in sorted(paths):
            # A DELETE carries no body: the services refuse one (shared.web.guards).
            sends_body = method in UNSAFE and method != "DELETE"
            response = client.open(
                own.fill(path),
                method=method,
                json=own.fill_body(body) if sends_body else None,
                headers=world.auth(who),
            )
            assert response.status_code == 404, (who, method, path, response.get_json())
            assert response.get_json()["code"] == 404
    assert digest(connection) == before


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
