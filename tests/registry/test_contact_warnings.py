"""A contact that looks like a person's own is warned about, never refused: the heuristic on
positive and negative examples, and the warning on the form, the offer's page after saving, the
publisher's review and the bulk import, without JavaScript."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from services.registry.offers.contact import (
    contact_warnings,
    email_looks_personal,
    is_mobile,
    name_looks_personal,
    reach_warnings,
)
from services.registry.offers.models import Offer
from tests.registry.conftest import ORG_A
from tests.registry.pages import sign_in, text_of
from tests.registry.test_bulk_pages import GOOD, template, upload
from tests.registry.test_offer_pages import FORM


@pytest.mark.parametrize(
    "email",
    [
        "ola.nordmann@drammen.kommune.no",
        "o.nordmann@drammen.kommune.no",
        "kari-anne.berg@example.org",
        "kari_berg@example.org",
        "per.hansen2@example.org",
        "ola.nordmann+tilbud@example.org",
        "Marit.Bøe@example.org",
    ],
)
def test_a_persons_own_address_is_personal(email):
    assert email_looks_personal(email)


@pytest.mark.parametrize(
    "email",
    [
        "post@drammen.kommune.no",
        "kontakt@example.org",
        "helsestasjon@drammen.kommune.no",
        "barnevern.vakt@drammen.kommune.no",
        "postmottak@example.org",
        "familienshus@example.org",
        "fritidsklubben.bragernes@example.org",
        "drammen.helsestasjon@example.org",
        "tverrfaglig.team@example.org",
        "ppt.lier@example.org",
        "kari@example.org",  # one word: cannot be told from a desk
        "",
        None,
    ],
)
def test_a_desks_address_is_not_personal(email):
    assert not email_looks_personal(email)


def test_an_address_holding_the_contacts_own_name_is_personal():
    assert email_looks_personal("olanordmann@example.org", "Ola Nordmann")
    assert email_looks_personal("nordmann@example.org", "Ola Nordmann")
    assert not email_looks_personal("olanordmann@example.org", "Helsestasjonen")
    assert not email_looks_personal("helsestasjon@example.org", "Ola Nordmann")


@pytest.mark.parametrize(
    ("name", "personal"),
    [
        ("Ola Nordmann", True),
        ("Kari Anne Berg", True),
        ("Anne-Lise Johansen", True),
        ("Håkon Sørli", True),
        ("Helsestasjonen Sentrum", False),
        ("Familiens hus", False),
        ("Familiens Hus", False),
        ("Drammen Kommune", False),
        ("Fritidsklubben Bragernes", False),
        ("Barnevernvakta", False),
        ("Helsestasjonen, vakttelefon", False),
        ("Ung Arena", False),
        ("Ola", False),
        ("", False),
        (None, False),
    ],
)
def test_names(name, personal):
    assert name_looks_personal(name) is personal


@pytest.mark.parametrize(
    ("phone", "mobile"),
    [
        ("912 34 567", True),
        ("+47 412 34 567", True),
        ("0047 91234567", True),
        ("32 80 40 00", False),
        ("800 12 345", False),
        ("9123456", False),
        (None, False),
    ],
)
def test_mobile_numbers(phone, mobile):
    assert is_mobile(phone) is mobile


def test_a_mobile_warns_only_beside_a_persons_name():
    person = contact_warnings({"name": "Ola Nordmann", "phone": "912 34 567"})
    assert set(person) == {"contact.name", "contact.phone"}
    assert [m.code for m in person["contact.phone"]] == ["contact.personal_mobile"]
    desk = contact_warnings({"name": "Helsestasjonen, vakttelefon", "phone": "912 34 567"})
    assert desk == {}


def test_a_desks_contact_gives_no_warning():
    assert contact_warnings({"name": "Helsestasjonen", "email": "post@example.org"}) == {}
    assert contact_warnings(None) == {}


PERSONAL = {
    "contact.name": "Ola Nordmann",
    "contact.email": "ola.nordmann@example.org",
    "contact.phone": "912 34 567",
}


def _offers(db) -> int:
    return db.scalar(select(func.count()).select_from(Offer)) or 0


def test_the_form_has_no_personal_autocomplete_and_says_what_to_give(client, db, world):
    sign_in(client, db, "a_registrar")
    page = client.get(f"/o/{ORG_A}/offers/new").get_data(as_text=True)
    for name in ("contact-name", "contact-phone", "contact-email"):
        tag = re.search(rf'<input id="f-{name}"[^>]*>', page)
        assert tag is not None, name
        assert 'autocomplete="off"' in tag.group(0)
        assert f'aria-describedby="f-{name}-hint"' in tag.group(0)
    assert 'autocomplete="email"' not in page and 'autocomplete="tel"' not in page
    assert "ikke en persons egen" in text_of(client.get(f"/o/{ORG_A}/offers/new"))
    assert 'id="contact-warnings"' not in page


def test_saving_a_personal_contact_warns_but_saves(client, db, world):
    token = sign_in(client, db, "a_registrar")
    before = _offers(db)
    data = {**FORM, **PERSONAL, "csrf_token": token, "agency": world.agencies["a_health"]}
    response = client.post(f"/o/{ORG_A}/offers/new", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert _offers(db) == before + 1  # a warning, not a refusal
    page = text_of(response)
    assert "Sjekk kontaktinformasjonen" in page
    assert "Dette ser ut som en persons egen e-postadresse." in page
    assert "Dette ser ut som navnet på en person." in page
    assert "Et mobilnummer sammen med navnet på en person" in page
    offer = db.scalars(select(Offer).order_by(Offer.created_at.desc())).first()
    html = response.get_data(as_text=True)
    assert f'href="/o/{ORG_A}/offers/{offer.id}/edit#f-contact-email"' in html

    form = client.get(f"/o/{ORG_A}/offers/{offer.id}/edit").get_data(as_text=True)
    tag = re.search(r'<input id="f-contact-email"[^>]*>', form)
    assert tag is not None
    assert 'aria-describedby="f-contact-email-hint f-contact-email-warning"' in tag.group(0)
    assert 'id="f-contact-email-warning"' in form
    assert 'href="#f-contact-email"' in form


def test_a_desks_contact_shows_no_warning(client, db, world):
    token = sign_in(client, db, "a_registrar")
    desk = {"contact.name": "Helsestasjonen", "contact.email": "helsestasjon@example.org"}
    data = {**FORM, **desk, "csrf_token": token, "agency": world.agencies["a_health"]}
    response = client.post(f"/o/{ORG_A}/offers/new", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert 'id="contact-warnings"' not in response.get_data(as_text=True)


def test_the_warning_shows_beside_the_fields_messages_when_the_form_is_refused(client, db, world):
    token = sign_in(client, db, "a_registrar")
    data = {**FORM, **PERSONAL, "csrf_token": token, "agency": world.agencies["a_health"]}
    data["name"] = ""
    response = client.post(f"/o/{ORG_A}/offers/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-contact-name-warning"' in page and 'id="contact-warnings"' in page


def test_the_publisher_sees_the_warning_in_review(client, db, world):
    token = sign_in(client, db, "a_registrar")
    data = {
        **FORM,
        **PERSONAL,
        "csrf_token": token,
        "agency": world.agencies["a_health"],
        "then": "submit",
    }
    client.post(f"/o/{ORG_A}/offers/new", data=data)
    offer = db.scalars(select(Offer).order_by(Offer.created_at.desc())).first()
    client.post("/logout", data={"csrf_token": token})
    sign_in(client, db, "a_publisher")
    page = text_of(client.get(f"/o/{ORG_A}/review/{offer.id}"))
    assert "Sjekk kontaktinformasjonen" in page


def test_the_templates_contact_and_timetable_headers_carry_the_guidance(client, db, world):
    sign_in(client, db, "a_registrar")
    response = client.get(f"/o/{ORG_A}/bulk/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.data))["Tilbud"]
    notes = {c.value: c.comment.text for c in sheet[1] if c.comment is not None}
    assert notes == {
        "Telefon": "Nummeret til kontoret eller vakttelefonen, ikke en persons egen mobil.",
        "E-post": "En felles postkasse som post@ eller helsestasjon@, ikke en persons egen.",
        "Nettside": "En fullstendig adresse som begynner med https://.",
        # How to write opening hours and dates (tests/registry/test_bulk_timetable.py).
        "Faste åpningstider hver uke": (
            "Skriv dager og klokkeslett slik: tirsdag 18:00-20:00; fredag 22:00-02:00."
        ),
        "Datoer": (
            "Skriv datoer og klokkeslett slik: 2026-09-01 18:00-20:00; 2026-09-08 18:00-20:00."
        ),
    }


def test_a_bulk_import_lists_the_drafts_whose_contact_looks_personal(client, db, world):
    token = sign_in(client, db, "a_registrar")
    book, columns = template(client)
    sheet = book["Tilbud"]
    rows = [
        {**GOOD, "Navn på tilbudet": "Med felles postkasse", "E-post": "post@example.org"},
        {**GOOD, "Navn på tilbudet": "Med Olas adresse", "E-post": "ola.nordmann@example.org"},
    ]
    for number, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(row=number, column=columns[header], value=value)
    before = _offers(db)
    response = upload(client, token, book)
    assert response.status_code == 200
    assert _offers(db) == before + 2  # both saved
    page = text_of(response)
    assert "3 Med Olas adresse E-post Dette ser ut som en persons egen e-postadresse." in page
    assert "Med felles postkasse E-post" not in page


def test_a_mobile_as_the_only_way_in_warns_whatever_the_name():
    content = {
        "contact": {"name": "Helsestasjonen, vakttelefon", "phone": "912 34 567"},
        "locations": [],
    }
    warnings = reach_warnings(content)
    assert {k: [m.code for m in v] for k, v in warnings.items()} == {
        "contact.phone": ["contact.only_mobile"]
    }
    with_mail = {**content, "contact": {**content["contact"], "email": "post@example.org"}}
    assert reach_warnings(with_mail) == {}
    # Beside a person's name the phone has its own, sharper warning, once.
    person = {**content, "contact": {"name": "Ola Nordmann", "phone": "912 34 567"}}
    assert [m.code for m in reach_warnings(person)["contact.phone"]] == ["contact.personal_mobile"]


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("nb", "Et mobilnummer er den eneste måten å komme i kontakt på"),
        ("nn", "Eit mobilnummer er den einaste måten å kome i kontakt på"),
        ("en", "A mobile number is the only way to get in touch"),
    ],
)
def test_saving_an_offer_reached_only_by_a_mobile_warns_but_saves(client, db, world, lang, text):
    token = sign_in(client, db, "a_registrar")
    before = _offers(db)
    data = {
        **FORM,
        "contact.email": "",
        "contact.name": "Helsestasjonen, vakttelefon",
        "contact.phone": "912 34 567",
        "csrf_token": token,
        "agency": world.agencies["a_health"],
    }
    response = client.post(f"/o/{ORG_A}/offers/new?lang={lang}", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert _offers(db) == before + 1
    offer = db.scalars(select(Offer).order_by(Offer.created_at.desc())).first()
    page = text_of(client.get(f"/o/{ORG_A}/offers/{offer.id}?lang={lang}"))
    assert text in page
    form = client.get(f"/o/{ORG_A}/offers/{offer.id}/edit?lang={lang}").get_data(as_text=True)
    assert 'id="f-contact-phone-warning"' in form
