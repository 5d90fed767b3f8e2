"""Invitations: an organisation's administrator invites by e-mail; the person becomes a member
only by accepting the mailed one-time link, and the administrator learns nothing about an
address that already has an account, in whichever organisation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from services.registry.accounts import services as accounts
from services.registry.accounts.models import AccountToken, Membership
from tests.registry.accounts_helpers import csrf_of, link_path, mails
from tests.registry.conftest import ORG_A, audit_count
from tests.registry.pages import sign_in, text_of

NEW_PASSWORD = "mitt eget lange passord"  # pragma: allowlist secret
USERS = f"/o/{ORG_A}/admin/users"


def _invite(client, email, roles="reader"):
    return client.post(
        f"{USERS}/new",
        data={"email": email, "roles": roles, "csrf_token": csrf_of(client, f"{USERS}/new")},
    )


def _member(db, world, email):
    user = accounts.get_user_by_email(db, email)
    if user is None:
        return None
    return db.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == world.orgs[ORG_A].id
        )
    )


def test_a_new_person_accepts_with_their_own_password(app, client, db, world):
    sign_in(client, db, "a_admin")
    response = _invite(client, "ny@example.org")
    assert response.status_code == 302
    assert accounts.get_user_by_email(db, "ny@example.org") is None  # nobody added yet
    assert "ny@example.org" in text_of(client.get(USERS))  # waiting, with its actions
    (mail,) = mails(db, "ny@example.org", "invitation")
    assert mail.language == "nb" and "Drammen kommune" in mail.subject
    path = link_path(mail, "invitation")
    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200 and "Drammen kommune" in text_of(page)
    accepted = newcomer.post(
        path,
        data={"name": "Nina Ny", "password": NEW_PASSWORD, "csrf_token": csrf_of(newcomer, path)},
    )
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == f"/o/{ORG_A}/"
    assert newcomer.get("/api/v1/me").get_json()["email"] == "ny@example.org"
    assert _member(db, world, "ny@example.org").roles == ["reader"]
    (note,) = mails(db, "a_admin@example.org", "invitation_accepted")
    assert "Nina Ny" in note.body_text and f"/o/{ORG_A}/admin/users" in note.body_text
    # The link is spent.
    assert newcomer.get(path).status_code == 404
    again = app.test_client()
    refused = again.post(
        path, data={"name": "X", "password": NEW_PASSWORD, "csrf_token": csrf_of(again, "/login")}
    )
    assert refused.status_code == 404


def test_inviting_another_tenants_user_reveals_nothing_about_them(app, client, db, world):
    sign_in(client, db, "a_admin")
    answers = {}
    for email in ("b_registrar@example.org", "ingen@example.org"):
        response = client.post(
            f"{USERS}/new",
            data={"email": email, "roles": "reader", "csrf_token": csrf_of(client, f"{USERS}/new")},
            follow_redirects=True,
        )
        answers[email] = (response.status_code, text_of(response).replace(email, "EMAIL"))
    assert answers["b_registrar@example.org"][0] == 200
    first, second = answers.values()
    assert first[0] == second[0]
    assert "b_registrar" not in text_of(client.get(USERS)).replace("b_registrar@example.org", "")
    assert _member(db, world, "b_registrar@example.org") is None
    api = client.get(
        f"/api/v1/organisations/{ORG_A}/invitations", headers=world.auth("a_admin")
    ).get_json()
    assert {i["email"] for i in api} == {"b_registrar@example.org", "ingen@example.org"}
    assert all(
        set(i) == {"id", "email", "roles", "agencies", "created_at", "expires_at"} for i in api
    )


def test_an_existing_user_accepts_by_logging_in(app, client, db, world):
    sign_in(client, db, "a_admin")
    _invite(client, "b_registrar@example.org", roles="publisher")
    path = link_path(mails(db, "b_registrar@example.org", "invitation")[0], "invitation")
    person = app.test_client()
    page = text_of(person.get(path))
    assert "Logg inn for å godta" in page and "Passord" not in page
    sign_in(person, db, "b_registrar")
    assert person.post(path, data={"csrf_token": csrf_of(person, path)}).status_code == 302
    assert _member(db, world, "b_registrar@example.org").roles == ["publisher"]


def test_another_logged_in_user_cannot_accept(app, client, db, world):
    sign_in(client, db, "a_admin")
    _invite(client, "b_registrar@example.org")
    path = link_path(mails(db, "b_registrar@example.org", "invitation")[0], "invitation")
    other = app.test_client()
    sign_in(other, db, "b_admin")
    before = audit_count(db)
    assert other.post(path, data={"csrf_token": csrf_of(other, path)}).status_code == 422
    assert audit_count(db) == before
    assert _member(db, world, "b_admin@example.org") is None


def test_an_expired_revoked_or_forged_invitation_is_refused(app, client, db, world):
    sign_in(client, db, "a_admin")
    _invite(client, "ny@example.org")
    _invite(client, "annen@example.org")
    expired = link_path(mails(db, "ny@example.org")[0], "invitation")
    revoked = link_path(mails(db, "annen@example.org")[0], "invitation")
    token = db.scalar(select(AccountToken).where(AccountToken.email == "ny@example.org"))
    assert token.expires_at - token.created_at == dt.timedelta(days=7)
    token.expires_at = token.created_at - dt.timedelta(seconds=1)
    other = db.scalar(select(AccountToken).where(AccountToken.email == "annen@example.org"))
    db.flush()
    csrf = csrf_of(client, USERS)
    client.post(
        f"{USERS.replace('users', 'invitations')}/{other.public_id}/revoke",
        data={"csrf_token": csrf},
    )
    visitor = app.test_client()
    for path in (expired, revoked, "/invitation/forged"):
        assert visitor.get(path).status_code == 404
        before = audit_count(db)
        response = visitor.post(
            path,
            data={"name": "X", "password": NEW_PASSWORD, "csrf_token": csrf_of(visitor, "/login")},
        )
        assert response.status_code == 404
        assert "kan ikke brukes" in response.get_data(as_text=True)
        assert audit_count(db) == before
    assert accounts.get_user_by_email(db, "ny@example.org") is None


def test_resending_gives_a_new_link_and_the_old_one_stops(app, client, db, world):
    sign_in(client, db, "a_admin")
    _invite(client, "ny@example.org")
    old = link_path(mails(db, "ny@example.org")[0], "invitation")
    token = db.scalar(select(AccountToken).where(AccountToken.email == "ny@example.org"))
    response = client.post(
        f"/o/{ORG_A}/admin/invitations/{token.public_id}/resend",
        data={"csrf_token": csrf_of(client, USERS)},
    )
    assert response.status_code == 302
    new = link_path(mails(db, "ny@example.org")[-1], "invitation")
    visitor = app.test_client()
    assert visitor.get(old).status_code == 404
    assert visitor.get(new).status_code == 200


def test_bad_invitations_get_clear_messages_and_change_nothing(client, db, world):
    sign_in(client, db, "a_admin")
    _invite(client, "ny@example.org")
    before = audit_count(db)
    for email, roles, message in (
        ("ikke-en-adresse", "reader", "e-postadresse"),
        ("ny@example.org", "reader", "venter allerede"),
        ("a_reader@example.org", "reader", "allerede medlem"),
        ("x@example.org", "registrar", "etatene"),
    ):
        response = _invite(client, email, roles)
        assert response.status_code == 422, email
        assert message in text_of(response), (email, text_of(response)[:400])
    assert audit_count(db) == before


def test_a_new_person_must_choose_a_good_password(app, client, db, world):
    sign_in(client, db, "a_admin")
    _invite(client, "ny@example.org")
    path = link_path(mails(db, "ny@example.org")[0], "invitation")
    visitor = app.test_client()
    for name, password, status in (
        ("Nina", "kort", 422),
        ("Nina", "password12345", 422),
        ("", NEW_PASSWORD, 422),
    ):
        response = visitor.post(
            path, data={"name": name, "password": password, "csrf_token": csrf_of(visitor, path)}
        )
        assert response.status_code == status
    assert accounts.get_user_by_email(db, "ny@example.org") is None
    assert visitor.get(path).status_code == 200


def test_the_api_invites_and_withdraws(client, db, world):
    url = f"/api/v1/organisations/{ORG_A}/invitations"
    created = client.post(
        url,
        json={"email": "api@example.org", "roles": ["reader"]},
        headers={**world.auth("a_admin"), "Accept-Language": "nn"},
    )
    assert created.status_code == 201
    assert mails(db, "api@example.org")[0].language == "nn"
    invitation = created.get_json()["id"]
    resent = client.post(f"{url}/{invitation}/resend", headers=world.auth("a_admin"))
    assert resent.status_code == 200 and len(mails(db, "api@example.org")) == 2
    assert client.delete(f"{url}/{invitation}", headers=world.auth("a_admin")).status_code == 204
    assert client.get(url, headers=world.auth("a_admin")).get_json() == []
    assert client.delete(f"{url}/{invitation}", headers=world.auth("a_admin")).status_code == 404
    assert client.get(url, headers=world.auth("b_admin")).status_code == 404
    assert (
        client.post(
            url,
            json={"email": "x@example.org", "roles": ["reader"]},
            headers=world.auth("a_reader"),
        ).status_code
        == 403
    )


def test_an_organisation_admin_cannot_add_another_tenants_user_at_once(client, db, world):
    """Only by invitation: adding directly would answer with the user's name and add them
    without their consent."""
    before = audit_count(db)
    response = client.post(
        f"/api/v1/organisations/{ORG_A}/members",
        json={"email": "b_registrar@example.org", "roles": ["reader"]},
        headers=world.auth("a_admin"),
    )
    assert response.status_code == 403
    assert response.get_json()["message"] == (
        "Only node administrators add members at once; invite the person instead."
    )
    assert audit_count(db) == before
    assert _member(db, world, "b_registrar@example.org") is None
