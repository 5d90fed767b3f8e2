"""Places with points: the address search against a real local HTTP server answering with the
recorded format examples of Kartverket's address API (tests/registry/geonorge/), the form's
steps without JavaScript, the form without the API, and points checked in the form, the API
and the publication contract."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from services.registry.offers import places
from services.registry.offers.models import Offer
from shared import addresses
from shared.publication.models import PublishedOffer
from shared.publication.schema import load_offer_version
from tests.registry.address_api import AddressApi, address_api
from tests.registry.conftest import ORG_A, offer_input
from tests.registry.pages import sign_in, text_of
from tests.registry.test_offer_pages import FORM


@pytest.fixture
def api() -> AddressApi:
    with address_api() as running:
        yield running


@pytest.fixture
def searching(app, api, monkeypatch) -> AddressApi:
    monkeypatch.setitem(app.config, "ADDRESS_SEARCH_URL", api.url)
    return api


def test_the_client_reads_an_answer_into_the_places_fields(api):
    [found] = addresses.search_addresses(api.url, "Engene 1 Drammen", 5)
    assert found == addresses.Address("Engene 1", "3015", "Drammen", "3301", 59.74366, 10.20183)
    assert found.label() == "Engene 1, 3015 Drammen"
    [asked] = api.asked
    assert asked["sok"] == ["Engene 1 Drammen"]
    assert asked["utkoordsys"] == ["4258"]
    assert asked["treffPerSide"] == ["10"]


def test_the_client_keeps_every_address_found_in_the_answers_order(api):
    found = addresses.search_addresses(api.url, "Storgata 1", 5)
    assert [(a.municipality, a.postal_town) for a in found] == [
        ("3303", "Kongsberg"),
        ("3314", "Hokksund"),
        ("0301", "Oslo"),
    ]
    assert addresses.search_addresses(api.url, "finnes ikke", 5) == ()


def test_the_client_fails_cleanly_on_errors_and_oversized_answers(api):
    with pytest.raises(addresses.AddressSearchFailed):
        addresses.search_addresses(api.broken_url, "Engene 1 Drammen", 5)
    with pytest.raises(addresses.AddressSearchFailed, match="bytes"):
        addresses.search_addresses(api.huge_url, "Engene 1 Drammen", 5)
    with pytest.raises(addresses.AddressSearchFailed):
        addresses.search_addresses("http://127.0.0.1:9", "Engene 1 Drammen", 5)


def test_the_client_goes_direct_whatever_proxy_the_environment_names(api, monkeypatch):
    # A proxy that does not exist: a client that used it would fail.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:9")
    assert len(addresses.search_addresses(api.url, "Storgata 1", 5)) == 3


def test_a_token_round_trips_and_a_forged_one_is_none():
    address = addresses.Address("Storgata 1", "3611", "Kongsberg", "3303", 59.66914, 9.65121)
    assert addresses.from_token(address.token()) == address
    assert addresses.from_token("not json") is None
    assert addresses.from_token('["too", "short"]') is None


def _form(world, token: str, **fields: str) -> dict[str, str]:
    return {**FORM, "csrf_token": token, "agency": world.agencies["a_health"], **fields}


def test_search_choose_and_save_without_javascript(client, db, world, searching):
    token = sign_in(client, db, "a_registrar")
    before = db.scalar(select(Offer.id).where(Offer.name == FORM["name"]))
    typed = {
        "locations-0-street_address": "Engene 1",
        "locations-0-postal_code": "",
        "locations-0-postal_town": "Drammen",
    }
    found = client.post(
        f"/o/{ORG_A}/offers/new", data=_form(world, token, find_address="0", **typed)
    )
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert "Engene 1, 3015 Drammen" in text_of(found)
    assert db.scalar(select(Offer.id).where(Offer.name == FORM["name"])) == before
    choice = re.search(r'name="use_address" value="([^"]+)"', html).group(1)
    choice = choice.replace("&#34;", '"').replace("&quot;", '"')
    chosen = client.post(
        f"/o/{ORG_A}/offers/new", data=_form(world, token, use_address=choice, **typed)
    )
    assert chosen.status_code == 200
    page = chosen.get_data(as_text=True)
    for name, value in [
        ("postal_code", "3015"),
        ("municipality", "3301"),
        ("latitude", "59.74366"),
        ("longitude", "10.20183"),
    ]:
        pattern = rf'name="locations-0-{name}" type="text" value="{re.escape(value)}"'
        assert re.search(pattern, page), name
    filled = {
        **typed,
        "locations-0-postal_code": "3015",
        "locations-0-municipality": "3301",
        "locations-0-latitude": "59,74366",
        "locations-0-longitude": "10,20183",
    }
    saved = client.post(f"/o/{ORG_A}/offers/new", data=_form(world, token, **filled))
    assert saved.status_code == 302
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    assert offer.locations[0] == {
        "name": "Familiens hus Strømsø",
        "street_address": "Engene 1",
        "postal_code": "3015",
        "postal_town": "Drammen",
        "municipality": "3301",
        "latitude": 59.74366,
        "longitude": 10.20183,
    }


def test_without_the_api_the_form_says_so_and_saves_a_point_typed_by_hand(
    app, client, db, world, monkeypatch
):
    monkeypatch.setitem(app.config, "ADDRESS_SEARCH_URL", "http://127.0.0.1:9")
    token = sign_in(client, db, "a_registrar")
    typed = {"locations-0-street_address": "Engene 1", "locations-0-postal_town": "Drammen"}
    found = client.post(
        f"/o/{ORG_A}/offers/new", data=_form(world, token, find_address="0", **typed)
    )
    assert found.status_code == 200
    assert "Adressesøket svarer ikke akkurat nå." in text_of(found)
    by_hand = {**typed, "locations-0-latitude": "59,7437", "locations-0-longitude": "10,2018"}
    saved = client.post(f"/o/{ORG_A}/offers/new", data=_form(world, token, **by_hand))
    assert saved.status_code == 302
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    assert (offer.locations[0]["latitude"], offer.locations[0]["longitude"]) == (59.7437, 10.2018)


def test_a_node_without_address_search_says_so(app, client, db, world, monkeypatch):
    monkeypatch.setitem(app.config, "ADDRESS_SEARCH_URL", "")
    token = sign_in(client, db, "a_registrar")
    found = client.post(
        f"/o/{ORG_A}/offers/new",
        data=_form(world, token, find_address="0", **{"locations-0-postal_town": "Drammen"}),
    )
    assert "Adressesøket er ikke satt opp her." in text_of(found)


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("95", "10", "Bruk et tall fra -90 til 90."),
        ("59,7", "", "Fyll ut både breddegrad og lengdegrad"),
        ("59,7", "190", "Bruk et tall fra -180 til 180."),
    ],
)
def test_a_bad_point_is_refused_in_the_form(client, db, world, latitude, longitude, message):
    token = sign_in(client, db, "a_registrar")
    point = {"locations-0-latitude": latitude, "locations-0-longitude": longitude}
    response = client.post(f"/o/{ORG_A}/offers/new", data=_form(world, token, **point))
    assert response.status_code == 422
    assert message in text_of(response)
    assert db.scalar(select(Offer.id).where(Offer.name == FORM["name"])) is None


def test_a_point_outside_norway_is_saved_with_a_warning(client, db, world):
    token = sign_in(client, db, "a_registrar")
    swapped = {"locations-0-latitude": "10,2", "locations-0-longitude": "59,7"}
    saved = client.post(f"/o/{ORG_A}/offers/new", data=_form(world, token, **swapped))
    assert saved.status_code == 302
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    edit = client.get(f"/o/{ORG_A}/offers/{offer.id}/edit")
    assert "Dette punktet ligger utenfor Norge." in text_of(edit)


@pytest.mark.parametrize(
    ("coverage", "warned"),
    [
        ("3301", True),  # Drammen only; the place is in Kongsberg (3303)
        ("3301, 3303", False),
        ("33", False),  # Buskerud, Kongsberg's county
        ("03", True),  # Oslo
        ("NO", False),  # the whole country
    ],
)
def test_a_place_outside_the_coverage_is_saved_with_a_warning(client, db, world, coverage, warned):
    token = sign_in(client, db, "a_registrar")
    place = {
        "coverage": coverage,
        "locations-0-street_address": "Storgata 1",
        "locations-0-municipality": "3303",
    }
    saved = client.post(f"/o/{ORG_A}/offers/new", data=_form(world, token, **place))
    assert saved.status_code == 302
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    edit = text_of(client.get(f"/o/{ORG_A}/offers/{offer.id}/edit"))
    warning = "Dette stedet ligger i Kongsberg, utenfor alle områdene tilbudet dekker."
    assert (warning in edit) is warned


def test_the_coverage_advice_reads_codes_as_typed_and_skips_what_it_cannot_judge():
    kongsberg = [{"municipality": "3303"}, {"municipality": None}, {"name": "no municipality"}]
    assert set(places.coverage_warnings(kongsberg, "3301 ,3312")) == {"locations.0.municipality"}
    assert places.coverage_warnings(kongsberg, ["3301", "33"]) == {}
    # Nothing to judge against: no coverage, or none of its codes known.
    assert places.coverage_warnings(kongsberg, "") == {}
    assert places.coverage_warnings(kongsberg, "9999") == {}
    assert places.coverage_warnings("not a list", "3301") == {}


def test_the_api_takes_a_point_and_refuses_a_bad_one(client, world):
    place = {"name": "Familiens hus", "latitude": 59.7437, "longitude": 10.2018}
    created = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_health"], locations=[place]),
        headers=world.auth("a_registrar"),
    )
    assert created.status_code == 201
    assert created.get_json()["locations"] == [place]
    for bad in (
        {**place, "latitude": -91},
        {**place, "longitude": 180.5},
        {"name": "X", "latitude": 1},
    ):
        refused = client.post(
            f"/api/v1/organisations/{ORG_A}/offers",
            json=offer_input(world.agencies["a_health"], locations=[bad]),
            headers=world.auth("a_registrar"),
        )
        assert refused.status_code == 422, bad
        assert "locations" in json.dumps(refused.get_json())


def test_the_published_version_carries_the_point(client, db, world):
    place = {"name": "Familiens hus", "latitude": 59.7437, "longitude": 10.2018}
    offer_id = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_health"], locations=[place]),
        headers=world.auth("a_registrar"),
    ).get_json()["id"]
    client.post(f"/api/v1/offers/{offer_id}/submit", json={}, headers=world.auth("a_registrar"))
    published = client.post(
        f"/api/v1/offers/{offer_id}/publish", json={}, headers=world.auth("a_publisher")
    )
    assert published.status_code == 200, published.get_json()
    snapshot = db.scalar(select(PublishedOffer.snapshot).where(PublishedOffer.offer_id == offer_id))
    assert json.loads(snapshot)["locations"] == [place]


def _document(**place: object) -> str:
    """A minimal valid version document with one place."""
    return json.dumps(
        {
            "schema_version": 1,
            "uri": "https://node.test/offers/1",
            "id": "1",
            "version": 1,
            "status": "published",
            "published_at": "2026-12-07T12:00:00+00:00",
            "provider": {
                "organisation_number": ORG_A,
                "name": "Drammen kommune",
                "kind": "municipality",
                "home_area": "3301",
            },
            "agency": {"id": "a", "name": "Helsestasjonen"},
            "name": "Helsestasjon",
            "description": "Helsekontroller.",
            "contact": {},
            "locations": [{"name": "Sted", **place}],
            "access": "open",
            "free_of_charge": True,
            "languages": ["nob"],
            "level": 1,
            "category": "public",
            "age_min": 0,
            "age_max": 5,
            "audiences": ["children"],
            "risk_groups": [],
            "diagnosis_groups": [],
            "statutory_duties": [],
            "user_participation": False,
            "evaluated": False,
            "good_practice": False,
            "evidence_based": False,
            "measure_status": "permanent",
            "guides": [],
            "coverage": ["3301"],
            "review_interval_months": 12,
        }
    )


def test_the_contract_keeps_documents_without_points_valid_and_checks_points():
    assert load_offer_version(_document())["locations"] == [{"name": "Sted"}]
    loaded = load_offer_version(_document(latitude=59.7437, longitude=10.2018))
    assert loaded["locations"][0]["latitude"] == 59.7437
    for bad in (
        {"latitude": 59.7},
        {"latitude": 90.5, "longitude": 10},
        {"latitude": 1, "longitude": -181},
    ):
        with pytest.raises(ValidationError):
            load_offer_version(_document(**bad))


def test_coverage_is_ticked_from_the_classification_with_whole_counties(client, db, world):
    token = sign_in(client, db, "a_registrar")
    form = client.get(f"/o/{ORG_A}/offers/new").get_data(as_text=True)
    # The organisation's own area is ticked to begin with; Buskerud's county is open.
    assert re.search(r'id="f-coverage-3301" name="coverage" value="3301" checked', form)
    assert re.search(r'<details class="area-group county" open>\s*<summary>Buskerud', form)
    assert "Hele Buskerud (hele fylket)" in form
    assert re.search(r'<label for="f-coverage-3303">Kongsberg</label>', form)
    assert re.search(r'<label for="f-coverage-4601">Bergen</label>', form)
    ticked = _form(world, token)
    ticked.pop("coverage")
    data = [(k, v) for k, v in ticked.items() if not isinstance(v, list)]
    data += [(k, i) for k, v in ticked.items() if isinstance(v, list) for i in v]
    data += [
        ("coverage", "33"),
        ("coverage", "4601"),
        ("coverage", "bufetat-sor"),
        ("coverage", ""),
    ]
    saved = client.post(f"/o/{ORG_A}/offers/new", data=MultiDict(data))
    assert saved.status_code == 302
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    assert offer.coverage == ["33", "4601", "bufetat-sor"]
    edit = client.get(f"/o/{ORG_A}/offers/{offer.id}/edit").get_data(as_text=True)
    assert re.search(r'<summary>Buskerud <span class="count">\(hele fylket\)</span>', edit)
    assert re.search(r'<summary>Vestland <span class="count">\(1 valgt\)</span>', edit)
    # Nothing is left over for the field of other codes.
    assert 'id="f-coverage-other" name="coverage" value=""' in edit


def test_a_coverage_code_typed_among_the_ticked_areas_is_checked_like_any(client, db, world):
    token = sign_in(client, db, "a_registrar")
    data = list(_form(world, token, coverage="9999").items())
    data = [(k, v) for k, v in data if not isinstance(v, list)] + [
        (k, i) for k, v in _form(world, token).items() if isinstance(v, list) for i in v
    ]
    refused = client.post(f"/o/{ORG_A}/offers/new", data=MultiDict(data))
    assert refused.status_code == 422
    assert "9999" in text_of(refused)
    # What was typed stays in the field for other codes, to be corrected.
    assert 'name="coverage" value="9999"' in refused.get_data(as_text=True)


def test_the_spreadsheet_takes_a_point_in_decimal_degrees(client, db, world):
    from tests.registry.test_bulk_pages import GOOD, template, upload

    token = sign_in(client, db, "a_registrar")
    book, columns = template(client)
    sheet = book["Tilbud"]
    rows = [
        {**GOOD, "Hvor: Breddegrad": 59.7437, "Hvor: Lengdegrad": "10,2018"},
        {**GOOD, "Navn på tilbudet": "Halvt punkt", "Hvor: Breddegrad": 59.7437},
        {**GOOD, "Navn på tilbudet": "Utenfor", "Hvor: Breddegrad": 91, "Hvor: Lengdegrad": 10},
    ]
    for number, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(row=number, column=columns[header], value=value)
    page = text_of(upload(client, token, book))
    assert "1 tilbud ble utkast. 2 rad(er) ble ikke importert." in page
    assert "3 Hvor: Lengdegrad Fyll ut både breddegrad og lengdegrad, eller ingen av dem." in page
    assert "4 Hvor: Breddegrad Bruk et tall fra -90 til 90." in page
    offer = db.scalar(select(Offer).where(Offer.name == GOOD["Navn på tilbudet"]))
    assert offer.locations == [
        {"name": "Familiens hus", "postal_code": "3015", "latitude": 59.7437, "longitude": 10.2018}
    ]


def test_the_offers_page_shows_the_point_of_a_place(client, db, world):
    token = sign_in(client, db, "a_registrar")
    point = {"locations-0-latitude": "59,7437", "locations-0-longitude": "10,2018"}
    saved = client.post(f"/o/{ORG_A}/offers/new", data=_form(world, token, **point))
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    assert saved.status_code == 302
    page = text_of(client.get(f"/o/{ORG_A}/offers/{offer.id}"))
    assert "Familiens hus Strømsø, 3044 (59.7437, 10.2018)" in page


# --- the address step's bad input, rows left empty, what a choice replaces ---------------------


def test_a_token_that_is_not_a_choice_button_is_none():
    address = addresses.Address("Storgata 1", "3611", "Kongsberg", "3303", 59.66914, 9.65121)
    assert addresses.from_token("[" * 50_000) is None
    assert addresses.from_token(address.token() + " " * 1024) is None
    assert addresses.from_token('["Storgata 1", null, null, null, 1' + "0" * 400 + ", 10]") is None
    assert addresses.from_token('["Storgata 1", null, null, null, NaN, 10]') is None
    assert addresses.from_token('["Storgata 1", null, null, null, 91, 10]') is None
    assert addresses.from_token('["Storgata 1", null, null, null, 59, -181]') is None


@pytest.mark.parametrize(
    "button",
    [
        {"find_address": "²"},
        {"find_address": "7"},
        {"use_address": "²:[]"},
        {"use_address": "0:" + "[" * 50_000},
        {"use_address": '0:["Storgata 1", null, null, null, 1' + "0" * 400 + ", 10]"},
        {"use_address": '0:["Storgata 1", null, null, null, NaN, 10]'},
        {"use_address": "0:not json"},
    ],
)
def test_a_forged_address_button_is_refused_and_saves_nothing(client, db, world, button):
    token = sign_in(client, db, "a_registrar")
    response = client.post(f"/o/{ORG_A}/offers/new", data=_form(world, token, **button))
    assert response.status_code == 400
    assert db.scalar(select(Offer.id).where(Offer.name == FORM["name"])) is None


def _three_rows_the_first_emptied() -> dict[str, str]:
    return {
        "locations-count": "3",
        "locations-0-name": "",
        "locations-0-postal_code": "",
        "locations-1-name": "Kontoret",
        "locations-1-street_address": "Storgata 1",
        "locations-1-postal_town": "Kongsberg",
        "locations-2-name": "Familiens hus",
        "locations-2-street_address": "Engene 1",
        "locations-2-postal_town": "Drammen",
        "locations-²-name": "not a row of the form",
    }


def test_the_search_reads_the_row_of_its_button_when_an_earlier_row_is_emptied(
    client, db, world, searching
):
    token = sign_in(client, db, "a_registrar")
    rows = _three_rows_the_first_emptied()
    found = client.post(
        f"/o/{ORG_A}/offers/new", data=_form(world, token, find_address="2", **rows)
    )
    assert found.status_code == 200
    assert searching.asked[-1]["sok"] == ["Engene 1 Drammen"]
    html = found.get_data(as_text=True)
    # The emptied row is gone: "Familiens hus" is the second row now, and its answer is there.
    answers = re.search(r'id="[^"]*-1-addresses">(.*?)</div>', html, re.S).group(1)
    assert "Engene 1, 3015 Drammen" in answers
    assert 'name="use_address" value="1:' in answers


def test_a_chosen_address_fills_the_row_of_its_button_when_an_earlier_row_is_emptied(
    client, db, world
):
    token = sign_in(client, db, "a_registrar")
    address = addresses.Address("Engene 1", "3015", "Drammen", "3301", 59.74366, 10.20183)
    rows = _three_rows_the_first_emptied()
    chosen = client.post(
        f"/o/{ORG_A}/offers/new",
        data=_form(world, token, use_address=f"2:{address.token()}", **rows),
    )
    assert chosen.status_code == 200
    page = chosen.get_data(as_text=True)
    assert re.search(r'name="locations-1-name" type="text" value="Familiens hus"', page)
    assert re.search(r'name="locations-1-municipality" type="text" value="3301"', page)
    assert re.search(r'name="locations-0-street_address" type="text" value="Storgata 1"', page)
    assert not re.search(r'name="locations-0-municipality" type="text" value="3301"', page)


def test_choosing_an_address_leaves_nothing_of_the_one_chosen_before(client, db, world):
    token = sign_in(client, db, "a_registrar")
    without_code = addresses.Address("Et sted 1", None, None, None, 59.7, 10.2)
    before = {
        "locations-0-street_address": "Engene 1",
        "locations-0-postal_code": "3015",
        "locations-0-postal_town": "Drammen",
        "locations-0-municipality": "3301",
    }
    chosen = client.post(
        f"/o/{ORG_A}/offers/new",
        data=_form(world, token, use_address=f"0:{without_code.token()}", **before),
    )
    assert chosen.status_code == 200
    page = chosen.get_data(as_text=True)
    assert re.search(r'name="locations-0-street_address" type="text" value="Et sted 1"', page)
    for name in ("postal_code", "postal_town", "municipality"):
        assert re.search(rf'name="locations-0-{name}" type="text" value=""', page), name


def test_a_coordinate_of_zero_is_shown_as_zero(client, db, world):
    token = sign_in(client, db, "a_registrar")
    point = {"locations-0-latitude": "0", "locations-0-longitude": "0"}
    saved = client.post(f"/o/{ORG_A}/offers/new", data=_form(world, token, **point))
    assert saved.status_code == 302
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    edit = client.get(f"/o/{ORG_A}/offers/{offer.id}/edit").get_data(as_text=True)
    for name in ("latitude", "longitude"):
        assert re.search(rf'name="locations-0-{name}" type="text" value="0(\.0)?"', edit), name


def test_the_client_gives_up_on_an_answer_that_drips_past_its_deadline(api):
    started = time.monotonic()
    with pytest.raises(addresses.AddressSearchFailed):
        addresses.search_addresses(api.slow_url, "Engene 1 Drammen", 2)
    # Each byte comes well within the 2-second read timeout; the whole would take minutes.
    assert time.monotonic() - started < 10
    assert api.asked[-1]["sok"] == ["Engene 1 Drammen"]


def test_the_client_asks_for_the_answer_uncompressed(api, monkeypatch):
    sent: list[Any] = []
    real_stream = httpx.stream

    def stream(*args: Any, **kwargs: Any) -> Any:
        sent.append(kwargs.get("headers"))
        return real_stream(*args, **kwargs)

    monkeypatch.setattr(addresses.httpx, "stream", stream)
    assert len(addresses.search_addresses(api.url, "Storgata 1", 5)) == 3
    assert sent == [{"Accept-Encoding": "identity"}]
