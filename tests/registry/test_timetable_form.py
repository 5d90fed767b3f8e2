"""The offer form's opening hours and dates, posted as a browser without JavaScript does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.registry.offers.models import Offer
from tests.registry.conftest import ORG_A
from tests.registry.pages import sign_in, text_of
from tests.registry.test_offer_pages import FORM

HOURS = {
    "timetable.weekly-count": "2",
    "timetable.weekly-0-day": "tue",
    "timetable.weekly-0-opens": "18:00",
    "timetable.weekly-0-closes": "20:00",
    "timetable.weekly-1-day": "fri",
    "timetable.weekly-1-opens": "22:00",
    "timetable.weekly-1-closes": "02:00",
    "timetable.valid_from": "2026-08-17",
    "timetable.valid_to": "2026-12-18",
    "timetable.dates-count": "2",
    "timetable.dates-0-date": "2026-09-01",
    "timetable.dates-0-starts": "17:30",
    "timetable.dates-0-ends": "19:30",
    "timetable.dates-1-date": "",
}


def _post(client, world, token, **changes):
    data = {**FORM, **HOURS, "csrf_token": token, "agency": world.agencies["a_health"]}
    return client.post(f"/o/{ORG_A}/offers/new", data={**data, **changes})


def test_opening_hours_and_dates_are_saved_from_the_form(client, db, world):
    token = sign_in(client, db, "a_registrar")
    assert _post(client, world, token).status_code == 302
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    assert offer.timetable == {
        "weekly": [
            {"day": "tue", "opens": "18:00", "closes": "20:00"},
            {"day": "fri", "opens": "22:00", "closes": "02:00"},
        ],
        "valid_from": "2026-08-17",
        "valid_to": "2026-12-18",
        "dates": [{"date": "2026-09-01", "starts": "17:30", "ends": "19:30"}],
    }
    response = client.get(f"/o/{ORG_A}/offers/{offer.id}")
    page, html = text_of(response), response.get_data(as_text=True)
    assert "tirsdag 18:00-20:00; fredag 22:00-02:00" in page
    assert "01.09.2026 17:30-19:30" in page
    # The weekly hours as a table with headers, and whether it is open now (said either way).
    assert '<th scope="col">Dag</th><th scope="col">Åpner</th>' in html
    assert '<tr><th scope="row">fredag</th><td>22:00</td><td>02:00 (neste dag)</td></tr>' in html
    assert "Gjelder fra 17.08.2026 til 18.12.2026" in page
    assert 'class="timetable-status' in html
    assert 'id="unreachable"' not in html  # it has an e-mail


def test_a_bad_time_is_shown_at_its_row_and_nothing_is_saved(client, db, world):
    token = sign_in(client, db, "a_registrar")
    response = _post(client, world, token, **{"timetable.weekly-1-closes": "2"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#f-timetable-weekly-1-closes"' in html
    assert "Faste åpningstider hver uke 2: Stenger" in text_of(response)
    assert 'id="f-timetable-weekly-1-closes" name="timetable.weekly-1-closes"' in html
    assert db.scalar(select(Offer).where(Offer.name == FORM["name"])) is None


def test_add_a_row_shows_the_form_again_with_one_more_row_unsaved(client, db, world):
    token = sign_in(client, db, "a_registrar")
    response = _post(client, world, token, more="timetable.weekly")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The two filled rows, the two empty rows a new form shows, and one more.
    assert 'name="timetable.weekly-count" value="5"' in html
    assert 'name="timetable.weekly-1-opens" type="time" value="22:00"' in html
    assert 'name="timetable.weekly-4-day"' in html
    assert db.scalar(select(Offer).where(Offer.name == FORM["name"])) is None
    # Pressed again with the rows still empty: one more again.
    again = _post(
        client, world, token, more="timetable.weekly", **{"timetable.weekly-count": "5"}
    ).get_data(as_text=True)
    assert 'name="timetable.weekly-count" value="6"' in again


def test_an_unknown_group_to_add_to_is_an_ordinary_save(client, db, world):
    token = sign_in(client, db, "a_registrar")
    assert _post(client, world, token, more="description").status_code == 302


def test_the_new_form_offers_empty_rows_for_hours_and_dates(client, db, world):
    sign_in(client, db, "a_registrar")
    html = client.get(f"/o/{ORG_A}/offers/new").get_data(as_text=True)
    assert 'name="timetable.weekly-count" value="2"' in html
    assert 'type="time"' in html
    assert '<option value="tue">tirsdag</option>' in html
    assert "servicetorgets telefon og e-post" in html


def test_the_publisher_is_told_why_an_offer_without_contact_cannot_be_published(client, db, world):
    token = sign_in(client, db, "a_registrar")
    bare = {
        **FORM,
        "csrf_token": token,
        "agency": world.agencies["a_health"],
        "contact.email": "",
        "locations-0-name": "",
        "locations-0-postal_code": "",
        "then": "submit",
    }
    assert client.post(f"/o/{ORG_A}/offers/new", data=bare).status_code == 302
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    told = "Et publisert tilbud må ha en måte å komme i kontakt på"
    assert told in text_of(client.get(f"/o/{ORG_A}/offers/{offer.id}"))  # told before review
    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, db, "a_publisher")
    assert told in text_of(client.get(f"/o/{ORG_A}/review/{offer.id}"))
    response = client.post(f"/o/{ORG_A}/review/{offer.id}/publish", data={"csrf_token": token})
    assert response.status_code == 422
    assert "Et publisert tilbud må ha en måte å komme i kontakt på" in text_of(response)
    db.refresh(offer)
    assert (offer.status, offer.published_version) == ("submitted", None)


def test_add_a_row_stops_at_the_contracts_limit(client, db, world):
    # Found in review: a count of 20000 answered with 23.5 MB of empty rows.
    token = sign_in(client, db, "a_registrar")
    response = _post(
        client, world, token, more="timetable.dates", **{"timetable.dates-count": "20000"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # One date filled in, at most 200 dates, and the one empty row a new form shows.
    assert 'name="timetable.dates-count" value="201"' in html
    assert 'name="timetable.dates-200-date"' in html
    assert 'name="timetable.dates-201-date"' not in html
    assert "Legg til en rad: Datoer" not in html
    assert "Legg til en rad: Faste åpningstider hver uke" in html
    assert len(html) < 1_000_000


def test_no_row_is_added_once_every_row_is_filled_in(client, db, world):
    token = sign_in(client, db, "a_registrar")
    full = {"timetable.weekly-count": "28"}
    for index in range(28):
        full |= {
            f"timetable.weekly-{index}-day": "mon",
            f"timetable.weekly-{index}-opens": f"{index // 2:02d}:{30 * (index % 2):02d}",
            f"timetable.weekly-{index}-closes": "23:00",
        }
    html = _post(client, world, token, more="timetable.weekly", **full).get_data(as_text=True)
    assert 'name="timetable.weekly-27-opens" type="time" value="13:30"' in html
    assert 'name="timetable.weekly-count" value="30"' in html  # the two empty rows only
    assert "Legg til en rad: Faste åpningstider hver uke" not in html


@pytest.mark.parametrize("count", ["abc", "-3", "1.5", "9" * 400])
def test_a_count_that_is_no_whole_number_is_no_rows(client, db, world, count):
    # Found in review: "abc" answered 500 (int() raised), in every group.
    token = sign_in(client, db, "a_registrar")
    added = _post(
        client, world, token, more="timetable.weekly", **{"timetable.weekly-count": count}
    )
    assert added.status_code == 200
    html = added.get_data(as_text=True)
    expected = "3" if count != "9" * 400 else "30"
    assert f'name="timetable.weekly-count" value="{expected}"' in html
    for group in ("timetable.weekly", "timetable.dates", "locations"):
        saved = _post(client, world, token, **{f"{group}-count": count})
        assert saved.status_code in (200, 302), (group, saved.status_code)


def test_the_reason_for_no_way_in_is_chosen_from_a_list_without_javascript(client, db, world):
    token = sign_in(client, db, "a_registrar")
    form = client.get(f"/o/{ORG_A}/offers/new").get_data(as_text=True)
    assert '<select id="f-no-contact-reason" name="no_contact_reason"' in form
    assert '<option value="anonymous_drop_in">Anonymt lavterskeltilbud: bare møt opp</option>' in (
        form
    )
    refused = _post(client, world, token, no_contact_reason="Ring Kari på 912 34 567.")
    assert refused.status_code == 422
    assert db.scalar(select(Offer).where(Offer.name == FORM["name"])) is None
    assert _post(client, world, token, no_contact_reason="via_school").status_code == 302
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    assert offer.no_contact_reason == "via_school"
    page = text_of(client.get(f"/o/{ORG_A}/offers/{offer.id}"))
    assert "Gis gjennom skolen eller barnehagen: spør der" in page
