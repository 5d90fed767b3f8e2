"""Node administration in the browser: member organisations, the node's users and the duty
catalogue; the organisation administrator's audit trail; what a member of a suspended
organisation is told."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from services.registry.accounts import services as accounts
from services.registry.accounts.models import BrowserSession
from services.registry.duties.models import StatutoryDuty
from services.registry.mail.models import FAILED, OutboxMail
from services.registry.organisations.models import Organisation
from tests.registry.conftest import OPERATOR, ORG_A, PASSWORD, login
from tests.registry.pages import sign_in, text_of

NEW_ORG = {
    "organisation_number": "910000020",
    "name": "Nytt medlem",
    "kind": "municipality",
    "home_area": "3301",
}


@pytest.fixture
def node_csrf(client, db, world) -> str:
    accounts.create_user(db, OPERATOR, "node@example.org", "Node Admin", PASSWORD, True)
    db.flush()
    return login(client, "node@example.org")["X-CSRFToken"]


def test_a_node_admin_is_shown_the_node_pages_not_no_organisation(client, node_csrf):
    home = text_of(client.get("/"))
    assert "Medlemsorganisasjoner" in home
    assert "ikke medlem av noen organisasjon" not in home


def test_a_node_admin_adds_an_organisation(client, db, node_csrf):
    added = client.post("/node/organisations", data={**NEW_ORG, "csrf_token": node_csrf})
    assert added.status_code == 302
    assert added.headers["Location"] == "/node/organisations/910000020"
    page = text_of(client.get(added.headers["Location"]))
    assert "Nytt medlem er medlem av noden." in page
    assert "Ingen medlemmer ennå." in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organisation_number", "910000021", "organisation-number"),
        ("home_area", "33", "home-area"),
        ("kind", "planet", "kind"),
    ],
)
def test_a_bad_organisation_is_refused_and_nothing_is_added(
    client, db, node_csrf, field, value, message
):
    before = db.scalar(select(func.count()).select_from(Organisation))
    refused = client.post(
        "/node/organisations", data={**NEW_ORG, field: value, "csrf_token": node_csrf}
    )
    assert refused.status_code == 422
    assert f'id="f-{message}-error"' in refused.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Organisation)) == before


def test_suspending_a_membership_states_its_effect_and_tells_the_members(
    app, client, db, world, node_csrf
):
    page = text_of(client.get(f"/node/organisations/{ORG_A}"))
    assert "blir stående publisert" in page
    assert "a_admin@example.org" in page
    suspended = client.post(
        f"/node/organisations/{ORG_A}/membership",
        data={"membership_status": "suspended", "csrf_token": node_csrf},
    )
    assert suspended.status_code == 302
    db.expire_all()
    assert db.get(Organisation, world.orgs[ORG_A].id).membership_status == "suspended"
    member = app.test_client()
    sign_in(member, db, "a_registrar")
    home = text_of(member.get("/"))
    assert "er midlertidig stengt" in home
    assert "ikke medlem av noen organisasjon" not in home
    assert member.get(f"/o/{ORG_A}/").status_code == 404


def test_a_bad_membership_status_is_refused(client, db, world, node_csrf):
    refused = client.post(
        f"/node/organisations/{ORG_A}/membership",
        data={"membership_status": "gone", "csrf_token": node_csrf},
    )
    assert refused.status_code == 422
    assert db.get(Organisation, world.orgs[ORG_A].id).membership_status == "active"


def test_a_node_admin_deactivates_and_reactivates_a_user(app, client, db, world, node_csrf):
    member = app.test_client()
    sign_in(member, db, "a_reader")
    reader = accounts.get_user_by_email(db, "a_reader@example.org")
    page = client.get("/node/users").get_data(as_text=True)
    assert f"/node/users/{reader.id}/deactivate" in page
    done = client.post(f"/node/users/{reader.id}/deactivate", data={"csrf_token": node_csrf})
    assert "logget ut overalt" in text_of(client.get(done.headers["Location"]))
    assert member.get("/api/v1/me").status_code == 401
    assert db.scalar(select(func.count()).where(BrowserSession.user_id == reader.id)) == 0
    client.post(f"/node/users/{reader.id}/reactivate", data={"csrf_token": node_csrf})
    db.expire_all()
    assert accounts.get_user_by_email(db, "a_reader@example.org").is_active
    login(member, "a_reader@example.org")


def test_a_node_admin_retires_and_reinstates_a_duty(client, db, node_csrf):
    code = "hol-3-2-helsestasjon"
    assert f"/node/duties/{code}/retire" in client.get("/node/duties").get_data(as_text=True)
    client.post(f"/node/duties/{code}/retire", data={"csrf_token": node_csrf})
    db.expire_all()
    duty = db.scalar(select(StatutoryDuty).where(StatutoryDuty.code == code))
    assert duty.active is False
    page = client.get("/node/duties").get_data(as_text=True)
    assert f"/node/duties/{code}/reinstate" in page
    client.post(f"/node/duties/{code}/reinstate", data={"csrf_token": node_csrf})
    db.refresh(duty)
    assert duty.active is True


def test_others_are_refused_the_node_pages(client, db, world):
    sign_in(client, db, "a_admin")
    for path in ("/node/organisations", "/node/users", "/node/duties"):
        assert client.get(path).status_code == 403


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_node_pages_speak_the_readers_language(client, node_csrf, lang):
    expected = {"nb": "Brukere på noden", "nn": "Brukarar på noden", "en": "Users on the node"}
    for path in ("/node/organisations", "/node/users", "/node/duties"):
        response = client.get(f"{path}?lang={lang}")
        assert response.status_code == 200
        assert expected[lang] in text_of(response)


def test_an_organisation_admin_reads_the_audit_trail(client, db, world):
    csrf = sign_in(client, db, "a_admin")
    reader = accounts.get_user_by_email(db, "a_reader@example.org")
    client.post(
        f"/o/{ORG_A}/admin/users/{reader.id}", data={"roles": "publisher", "csrf_token": csrf}
    )
    page = client.get(f"/o/{ORG_A}/admin/audit")
    assert page.status_code == 200
    rows = re.findall(r"<tr>.*?</tr>", page.get_data(as_text=True), re.S)
    assert "membership.updated" in rows[1] and "a_admin@example.org" in rows[1]
    # Only the organisation's own trail: nothing of the other organisation's setup.
    assert "b_admin@example.org" not in page.get_data(as_text=True)


def test_a_node_admin_sees_the_mail_the_sender_gave_up_on(client, db, node_csrf):
    assert "All e-post er levert" in text_of(client.get("/node/mail"))
    db.add(
        OutboxMail(
            message_id="<failed@node.test>",
            to_address="borte@example.org",
            language="nb",
            template="review_requested",
            subject="Et tilbud venter",
            body_text="-",
            body_html="-",
            status=FAILED,
            attempts=8,
            last_error="550 5.1.1 No such user",
        )
    )
    db.flush()
    page = text_of(client.get("/node/mail"))
    assert "borte@example.org" in page and "550 5.1.1 No such user" in page


DUTY = {
    "code": "bvl-99-testplikt",
    "title.nb": "Testplikt",
    "title.nn": "Testplikt på nynorsk",
    "law_short": "barnevernsloven",
    "law_title": "Lov om barnevern",
    "law_id": "LOV-2021-06-18-97",
    "section": "§ 99",
    "applies_to": ["municipality", "county"],
}


def test_a_node_admin_adds_a_duty(client, db, node_csrf):
    added = client.post("/node/duties", data={**DUTY, "csrf_token": node_csrf})
    assert added.status_code == 302
    assert "Plikten er lagt til." in text_of(client.get(added.headers["Location"]))
    duty = db.scalar(select(StatutoryDuty).where(StatutoryDuty.code == "bvl-99-testplikt"))
    assert duty.title == {"nb": "Testplikt", "nn": "Testplikt på nynorsk"}
    assert duty.applies_to == ["municipality", "county"]


@pytest.mark.parametrize(
    ("field", "value", "dom_id"),
    [
        ("title.nb", "", "f-title-nb"),
        ("law_id", "lov om barnevern", "f-law-id"),
        ("applies_to", [], "f-applies-to"),
    ],
)
def test_a_bad_duty_is_refused_and_nothing_is_added(client, db, node_csrf, field, value, dom_id):
    before = db.scalar(select(func.count()).select_from(StatutoryDuty))
    refused = client.post("/node/duties", data={**DUTY, field: value, "csrf_token": node_csrf})
    assert refused.status_code == 422
    assert f'id="{dom_id}-error"' in refused.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(StatutoryDuty)) == before


def test_a_duty_code_in_use_is_refused(client, db, node_csrf):
    before = db.scalar(select(func.count()).select_from(StatutoryDuty))
    taken = {**DUTY, "code": "hol-3-2-helsestasjon", "csrf_token": node_csrf}
    refused = client.post("/node/duties", data=taken)
    assert refused.status_code == 409
    assert "Koden er tatt." in text_of(refused)
    assert db.scalar(select(func.count()).select_from(StatutoryDuty)) == before
