"""The offer pages in a browser's place: the form with field-level messages, the workflow from
a registrar's draft to a publisher's published version, history and the dashboard."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from services.registry.accounts import services as accounts
from services.registry.offers import services as offers
from services.registry.offers.models import Offer
from tests.registry.conftest import ORG_A, audit_count, offer_input
from tests.registry.pages import sign_in, text_of

FORM = {
    "name": "Åpen barnehage Strømsø",
    "description": "Møteplass for foreldre med barn 0–5 år, med veiledning fra helsesykepleier.",
    "category": "public",
    "level": "1",
    "measure_status": "permanent",
    "audiences": ["parents", "children"],
    "age_min": "0",
    "age_max": "5",
    "risk_groups": ["parent_mental_illness"],
    "access": "open",
    "free_of_charge": "on",
    "languages": ["nob", "ara"],
    "coverage": "3301",
    "locations-count": "2",
    "locations-0-name": "Familiens hus Strømsø",
    "locations-0-postal_code": "3044",
    "locations-1-name": "",
    "contact.email": "familienshus@example.org",
    "review_interval_months": "12",
    "guides-count": "1",
    "guides-0-title": "",
    "guides-0-url": "",
}


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Offer)) or 0


def test_the_form_shows_field_level_messages_and_saves_nothing(client, db, world):
    token = sign_in(client, db, "a_registrar")
    before, audits = _count(db), audit_count(db)
    bad = {
        **FORM,
        "csrf_token": token,
        "agency": world.agencies["a_health"],
        "name": "",
        "age_min": "12",
        "age_max": "ti",
        "contact.email": "ikke-en-adresse",
        "locations-0-postal_code": "30",
    }
    response = client.post(f"/o/{ORG_A}/offers/new", data=bad)
    assert response.status_code == 422
    page = text_of(response)
    assert "Fyll ut dette feltet." in page  # the name
    assert "Skriv et helt tall" in page  # age_max
    assert "Skriv en e-postadresse" in page
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert 'href="#f-contact-email"' in response.get_data(as_text=True)  # error summary link
    assert (_count(db), audit_count(db)) == (before, audits)

    reversed_ages = {**FORM, "csrf_token": token, "agency": world.agencies["a_health"]}
    reversed_ages.update(age_min="10", age_max="3")
    response = client.post(f"/o/{ORG_A}/offers/new", data=reversed_ages)
    assert response.status_code == 422
    assert "Laveste alder (10) er over høyeste alder (3)." in text_of(response)
    assert _count(db) == before


def test_registrar_to_publisher_and_back(client, db, world):
    token = sign_in(client, db, "a_registrar")
    data = {**FORM, "csrf_token": token, "agency": world.agencies["a_health"], "then": "submit"}
    response = client.post(f"/o/{ORG_A}/offers/new", data=data)
    assert response.status_code == 302, text_of(response)
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    assert offer.status == "submitted"
    assert offer.languages == ["nob", "ara"]
    assert offer.locations == [
        {"name": "Familiens hus Strømsø", "postal_code": "3044"}
    ]  # the empty second row and the empty guide are left out
    assert offer.contact == {"email": "familienshus@example.org"}

    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, db, "a_publisher")
    queue = client.get(f"/o/{ORG_A}/review")
    assert FORM["name"] in text_of(queue)
    review = client.get(f"/o/{ORG_A}/review/{offer.id}")
    assert "aldri vært publisert" in text_of(review)
    refused = client.post(
        f"/o/{ORG_A}/review/{offer.id}/send-back", data={"csrf_token": token, "comment": " "}
    )
    assert refused.status_code == 422
    assert "Si hva registreringsansvarlig skal rette." in text_of(refused)
    sent = client.post(
        f"/o/{ORG_A}/review/{offer.id}/send-back",
        data={"csrf_token": token, "comment": "Legg til åpningstider."},
    )
    assert sent.status_code == 302
    db.refresh(offer)
    assert (offer.status, offer.return_comment) == ("draft", "Legg til åpningstider.")

    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, db, "a_registrar")
    edit = client.get(f"/o/{ORG_A}/offers/{offer.id}/edit")
    assert "Legg til åpningstider." in text_of(edit)
    fixed = {**data, "csrf_token": token, "schedule": "Tirsdag og torsdag 10–14"}
    assert client.post(f"/o/{ORG_A}/offers/{offer.id}/edit", data=fixed).status_code == 302

    client.post("/logout", data={"csrf_token": token})
    token = sign_in(client, db, "a_publisher")
    review = text_of(client.get(f"/o/{ORG_A}/review/{offer.id}"))
    assert "Endret siden du sendte det tilbake" in review
    assert "Når" in review and "Tirsdag og torsdag 10–14" in review
    published = client.post(f"/o/{ORG_A}/review/{offer.id}/publish", data={"csrf_token": token})
    assert published.status_code == 302
    db.refresh(offer)
    assert (offer.status, offer.published_version) == ("published", 1)
    history = text_of(client.get(f"/o/{ORG_A}/offers/{offer.id}/history"))
    for step in ("Registrert", "Sendt til kvalitetssjekk", "Sendt tilbake", "Publisert"):
        assert step in history


def test_diff_of_a_change_to_a_published_offer(client, db, world, app):
    signer = app.extensions["nettungen.signer"]
    from services.registry.accounts import services as accounts
    from tests.registry.conftest import OPERATOR  # noqa: F401 - the world's actors below

    registrar = accounts.build_actor(db, accounts.get_user_by_email(db, "a_registrar@example.org"))
    publisher = accounts.build_actor(db, accounts.get_user_by_email(db, "a_publisher@example.org"))
    offer = offers.create_offer(
        db, registrar, world.orgs[ORG_A], offer_input(world.agencies["a_health"]), "https://n.test"
    )
    offers.submit(db, registrar, offer.id)
    offers.publish(db, publisher, offer.id, signer=signer)
    offers.update_offer(
        db,
        registrar,
        offer.id,
        {"description": "Åpen helsestasjon for ungdom 13–20 år, med drop-in hver dag.", "level": 2},
    )
    offers.submit(db, registrar, offer.id)
    db.flush()
    sign_in(client, db, "a_publisher")
    html = client.get(f"/o/{ORG_A}/review/{offer.id}").get_data(as_text=True)
    assert "2 felt er ulike den publiserte versjonen 1." in " ".join(
        re.sub(r"<[^>]+>", " ", html).split()
    )
    assert '<del><span class="visually-hidden">fjernet: </span>uten timeavtale.</del>' in html
    assert '<ins><span class="visually-hidden">lagt til: </span>med drop-in hver dag.</ins>' in html
    assert "Tilbud til de som trenger mer støtte" in html


def test_dashboard_calls_out_offers_past_their_review_date(client, db, world):
    registrar = accounts.build_actor(db, accounts.get_user_by_email(db, "a_registrar@example.org"))
    old = offers.create_offer(
        db,
        registrar,
        world.orgs[ORG_A],
        offer_input(
            world.agencies["a_health"],
            name="Gammelt tilbud",
            review_interval_months=6,
            last_reviewed=dt.date.today() - dt.timedelta(days=400),
        ),
        "https://n.test",
    )
    offers.create_offer(
        db,
        registrar,
        world.orgs[ORG_A],
        offer_input(world.agencies["a_health"], name="Nytt"),
        "https://n.test",
    )
    db.flush()
    sign_in(client, db, "a_publisher")
    page = client.get(f"/o/{ORG_A}/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    overdue = html.split('id="overdue"')[1].split("</section>")[0]
    assert "Gammelt tilbud" in overdue and "Nytt" not in overdue
    assert old.id in overdue


def test_pages_speak_nynorsk_and_english(client, db, world):
    sign_in(client, db, "a_registrar")
    assert "Registrer eit nytt tilbod" in text_of(client.get(f"/o/{ORG_A}/offers/new?lang=nn"))
    assert "Register a new offer" in text_of(client.get(f"/o/{ORG_A}/offers/new?lang=en"))
    # Vocabularies follow the language of the page.
    assert "Born av psykisk sjuke foreldre" in text_of(client.get(f"/o/{ORG_A}/offers/new?lang=nn"))


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(f"/o/{ORG_A}/workspace/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def _published(db, world, app, **content):
    from services.registry.accounts import services as accounts

    registrar = accounts.build_actor(db, accounts.get_user_by_email(db, "a_registrar@example.org"))
    publisher = accounts.build_actor(db, accounts.get_user_by_email(db, "a_publisher@example.org"))
    offer = offers.create_offer(
        db,
        registrar,
        world.orgs[ORG_A],
        offer_input(world.agencies["a_health"], **content),
        "https://n.test",
    )
    offers.submit(db, registrar, offer.id)
    offers.publish(db, publisher, offer.id, signer=app.extensions["nettungen.signer"])
    db.flush()
    return offer, registrar


def test_choosing_the_same_audiences_in_another_order_is_no_change(client, db, world, app):
    offer, registrar = _published(db, world, app, audiences=["parents", "children"])
    audits = audit_count(db)
    # The form posts checkboxes in the vocabulary's order, the API in any order.
    offers.update_offer(db, registrar, offer.id, {"audiences": ["children", "parents"]})
    db.flush()
    assert (offer.status, audit_count(db)) == ("published", audits)
    offers.update_offer(db, registrar, offer.id, {"risk_groups": []})
    offers.update_offer(db, registrar, offer.id, {"audiences": ["parents", "children"]})
    db.flush()
    sign_in(client, db, "a_publisher")
    offers.submit(db, registrar, offer.id)
    db.flush()
    page = text_of(client.get(f"/o/{ORG_A}/review/{offer.id}"))
    assert "1 felt er ulike den publiserte versjonen 1." in page  # the risk groups only


def test_an_empty_coverage_is_the_organisations_own_area_as_the_hint_says(client, db, world):
    token = sign_in(client, db, "a_registrar")
    data = {**FORM, "csrf_token": token, "agency": world.agencies["a_health"], "coverage": " "}
    response = client.post(f"/o/{ORG_A}/offers/new", data=data)
    assert response.status_code == 302, text_of(response)
    offer = db.scalar(select(Offer).where(Offer.name == FORM["name"]))
    assert offer.coverage == ["3301"]  # Drammen, the organisation's home area
    data["coverage"] = "3312, 33"
    assert client.post(f"/o/{ORG_A}/offers/{offer.id}/edit", data=data).status_code == 302
    db.refresh(offer)
    assert offer.coverage == ["3312", "33"]
    data["coverage"] = ""
    assert client.post(f"/o/{ORG_A}/offers/{offer.id}/edit", data=data).status_code == 302
    db.refresh(offer)
    assert offer.coverage == ["3301"]
    form = text_of(client.get(f"/o/{ORG_A}/offers/new"))
    assert "Tomt: organisasjonens eget område." in form


def test_a_prenatal_offer_reads_as_pregnancy_and_the_first_year(client, db, world, app):
    offer, _ = _published(db, world, app, age_min=0, age_max=0)
    sign_in(client, db, "a_reader")
    page = text_of(client.get(f"/o/{ORG_A}/offers/{offer.id}"))
    assert "0 (svangerskap og første leveår)" in page
    assert "0 til 0" not in page
