"""Bad input gets a 4xx with field-level messages in one format, and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.registry.offers.models import Offer
from services.registry.organisations.models import Organisation
from tests.registry.conftest import ORG_A, audit_count, offer_input

OFFERS = f"/api/v1/organisations/{ORG_A}/offers"


def state(db):
    return (
        db.scalar(select(func.count()).select_from(Offer)),
        db.scalar(select(func.count()).select_from(Organisation)),
        audit_count(db),
    )


def assert_error(response, status, field=None, location="json"):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    if field is not None:
        assert field in body["errors"][location], body
        messages = body["errors"][location][field]
        assert messages, body
    return body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"coverage": ["9999"]}, "coverage"),
        ({"coverage": ["3301", "bufetat-atlantis"]}, "coverage"),
        ({"age_min": 12, "age_max": 6}, "age_min"),
        ({"level": 4}, "level"),
        ({"category": "sport"}, "category"),
        ({"risk_groups": ["bullying", "bullying"]}, "risk_groups"),
        ({"risk_groups": ["aliens"]}, "risk_groups"),
        ({"statutory_duties": ["no-such-duty"]}, "statutory_duties"),
        ({"contact": {"email": "ikke-en-adresse"}}, "contact"),
        ({"locations": [{"name": "Kontor", "postal_code": "30"}]}, "locations"),
        ({"guides": [{"title": "Veileder", "url": "javascript:alert(1)"}]}, "guides"),
        ({"last_reviewed": "2999-01-01"}, "last_reviewed"),
        ({"agency": "00000000-0000-0000-0000-000000000000"}, "agency"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"budget_nok": 2**63}, "budget_nok"),
    ],
)
def test_invalid_offer_fields(client, world, db, overrides, field):
    before = state(db)
    response = client.post(
        OFFERS,
        json={**offer_input(world.agencies["a_health"]), **overrides},
        headers=world.auth("a_registrar"),
    )
    assert_error(response, 422, field)
    assert state(db) == before


def test_age_minimum_above_maximum_is_explained(client, world):
    response = client.post(
        OFFERS,
        json=offer_input(world.agencies["a_health"], age_min=12, age_max=6),
        headers=world.auth("a_registrar"),
    )
    body = assert_error(response, 422, "age_min")
    assert body["errors"]["json"]["age_min"] == [
        "The lowest age (12) is above the highest age (6)."
    ]


def test_missing_required_fields_are_each_named(client, world, db):
    before = state(db)
    response = client.post(OFFERS, json={}, headers=world.auth("a_registrar"))
    body = assert_error(response, 422)
    for field in (
        "agency",
        "name",
        "description",
        "access",
        "level",
        "category",
        "age_min",
        "age_max",
        "audiences",
    ):
        assert body["errors"]["json"][field] == ["Missing data for required field."]
    assert state(db) == before


def test_patch_that_reverses_the_age_range_is_refused(client, world, db):
    oid = client.post(
        OFFERS, json=offer_input(world.agencies["a_health"]), headers=world.auth("a_registrar")
    ).get_json()["id"]
    before = state(db)
    response = client.patch(
        f"/api/v1/offers/{oid}", json={"age_min": 21}, headers=world.auth("a_registrar")
    )
    assert_error(response, 422, "age_min")
    assert state(db) == before
    assert db.get(Offer, oid).age_min == 13


def test_malformed_json_is_a_400(client, world, db):
    before = state(db)
    response = client.post(
        OFFERS,
        data='{"name": "Helse',
        content_type="application/json",
        headers=world.auth("a_registrar"),
    )
    assert_error(response, 400)
    assert state(db) == before


def test_oversized_body_is_a_413(client, world, db):
    before = state(db)
    huge = offer_input(world.agencies["a_health"], description="x" * 2_000_000)
    response = client.post(OFFERS, json=huge, headers=world.auth("a_registrar"))
    assert_error(response, 413)
    assert state(db) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"organisation_number": "123456789"}, "organisation_number"),
        ({"organisation_number": "97476067"}, "organisation_number"),
        ({"home_area": "0000"}, "home_area"),
        ({"kind": "church"}, "kind"),
        ({"home_area": "33"}, "home_area"),  # a municipality's home is a municipality
    ],
)
def test_invalid_organisations(client, db, node_admin, payload, field):
    before = state(db)
    body = {
        "organisation_number": "974760673",
        "name": "Brønnøysund kommune",
        "kind": "municipality",
        "home_area": "1813",
        **payload,
    }
    response = client.post("/api/v1/organisations", json=body, headers=node_admin)
    assert_error(response, 422, field)
    assert state(db) == before


def test_valid_organisation_is_created_by_a_node_admin(client, db, node_admin):
    body = {
        "organisation_number": "974 760 673",
        "name": "Brønnøysund kommune",
        "kind": "municipality",
        "home_area": "1813",
    }
    assert_error(
        client.post("/api/v1/organisations", json=body, headers=node_admin),
        422,
        "organisation_number",
    )
    body["organisation_number"] = "974760673"
    response = client.post("/api/v1/organisations", json=body, headers=node_admin)
    assert response.status_code == 201
    assert response.get_json()["membership_status"] == "active"
    again = client.post("/api/v1/organisations", json=body, headers=node_admin)
    assert_error(again, 409, "organisation_number")


def test_unknown_routes_and_methods_use_the_same_format(client, world):
    assert_error(client.get("/api/v1/nowhere", headers=world.auth("a_reader")), 404)
    refused = client.put(OFFERS, json={}, headers=world.auth("a_reader"))
    assert_error(refused, 405)
    # Found by schemathesis: the error format dropped the Allow header RFC 9110 requires.
    assert set(refused.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    traced = client.open("/healthz", method="TRACE")
    assert_error(traced, 405)
    assert set(traced.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_nul_characters_are_refused_on_every_backend(client, world, db):
    before = state(db)
    body = offer_input(world.agencies["a_health"], name="Helse\u0000stasjon")
    response = client.post(OFFERS, json=body, headers=world.auth("a_registrar"))
    assert_error(response, 400)
    assert state(db) == before
    assert_error(client.get("/api/v1/offers/abc%00def", headers=world.auth("a_reader")), 400)


def test_numbers_beyond_the_database_get_a_4xx(client, world):
    oid = client.post(
        OFFERS, json=offer_input(world.agencies["a_health"]), headers=world.auth("a_registrar")
    ).get_json()["id"]
    huge = 2**70
    response = client.get(f"/api/v1/offers/{oid}/versions/{huge}", headers=world.auth("a_reader"))
    assert 400 <= response.status_code < 500
    response = client.get(f"{OFFERS}?page={huge}", headers=world.auth("a_reader"))
    assert 400 <= response.status_code < 500


def test_a_database_failure_on_a_page_gets_the_html_error_page(client, db, world, monkeypatch):
    # Found in review: the handler that turns a cancelled statement into a 503 answered every
    # database failure with the API's JSON, pages included.
    from sqlalchemy.exc import OperationalError

    from services.registry.offers import pages
    from tests.registry.pages import sign_in, text_of

    sign_in(client, db, "a_registrar")

    def lost(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(pages, "dashboard", lost)
    response = client.get(f"/o/{ORG_A}/")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "Ingenting ble endret." in text_of(response)
    api = client.get(f"/api/v1/organisations/{ORG_A}/offers", headers=world.auth("a_registrar"))
    assert api.status_code == 200  # the API is untouched; its own failures stay JSON
