"""Passwords: the policy (ASVS 5.0), a forgotten password by a mailed one-time link, changing
one's own password, and a password someone else chose, which is changed at the first login."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from services.registry.accounts import services as accounts
from services.registry.accounts.models import AccountToken
from services.registry.accounts.passwords import is_common
from services.registry.mail.models import OutboxMail
from shared.errors import InvalidInput
from tests.registry.accounts_helpers import csrf_of, link_path, mails
from tests.registry.conftest import OPERATOR, PASSWORD, audit_count, login
from tests.registry.pages import text_of

NEW = "tre ord i rekke og rad"  # pragma: allowlist secret
WRONG = "ikke-mitt-passord"  # pragma: allowlist secret
CHOSEN = "valgt-av-operatøren"  # pragma: allowlist secret


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("kort-passord", None),  # 12 characters: enough
        ("a" * 12, "password.too_common"),  # one character repeated
        ("x" * 11, "password.too_short"),
        ("y" * 129, "password.too_long"),
        ("123456789012", "password.too_common"),
        ("qwertyuiop123", "password.too_common"),  # common, with digits added
        ("Password12345!", "password.too_common"),
        ("abcabcabcabc", "password.too_common"),
        ("ø" * 3 + " blåbærsyltetøy " + "z" * 100, None),  # 119 characters, spaces, any letters
        ("e" * 64 + "f" * 64, None),  # 128: the longest allowed
    ],
)
def test_the_policy_asks_for_length_and_refuses_common_passwords(password, code):
    if code is None:
        accounts.check_policy(password)
        return
    with pytest.raises(InvalidInput) as refused:
        accounts.check_policy(password)
    assert refused.value.code == code


def test_the_common_list_comes_from_the_installed_package():
    assert is_common("password") and is_common("iloveyou") and is_common("1qaz2wsx3edc")
    assert not is_common("hestebatteristift")


def _person(db, email="person@example.org", password=PASSWORD):
    user = accounts.create_user(db, OPERATOR, email, "Person Persen", password)
    db.flush()
    return user


# --- a forgotten password --------------------------------------------------------------------


def test_forgot_password_answers_alike_for_known_and_unknown_addresses(client, db):
    _person(db)
    answers = []
    for email in ("person@example.org", "ukjent@example.org"):
        response = client.post(
            "/password/forgot",
            data={"email": email, "csrf_token": csrf_of(client, "/password/forgot")},
        )
        answers.append((response.status_code, text_of(response).replace(email, "EMAIL")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 200
    assert len(mails(db, "person@example.org", "password_reset")) == 1
    assert mails(db, "ukjent@example.org") == []


def test_the_login_page_links_to_forgot_password(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Glemt passord?" in page


def test_a_bad_address_gets_a_clear_message_and_no_mail(client, db):
    before = db.scalar(select(OutboxMail.id).order_by(OutboxMail.id.desc()))
    response = client.post(
        "/password/forgot",
        data={"email": "ikke en adresse", "csrf_token": csrf_of(client, "/password/forgot")},
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.scalar(select(OutboxMail.id).order_by(OutboxMail.id.desc())) == before


def _reset_link(client, db, email="person@example.org", lang="nb"):
    client.post(
        f"/password/forgot?lang={lang}",
        data={"email": email, "csrf_token": csrf_of(client, "/password/forgot")},
    )
    mail = mails(db, email, "password_reset")[-1]
    return mail, link_path(mail, "password/reset")


def test_a_reset_link_sets_a_new_password_once_and_ends_other_sessions(app, client, db):
    user = _person(db)
    elsewhere = app.test_client()
    login(elsewhere, user.email)
    assert elsewhere.get("/api/v1/me").status_code == 200
    mail, path = _reset_link(client, db, lang="en")
    assert mail.language == "en" and "one hour" in mail.body_text
    assert client.get(path).status_code == 200
    assert client.get(path).headers["Referrer-Policy"] == "no-referrer"
    response = client.post(path, data={"password": NEW, "csrf_token": csrf_of(client, path)})
    assert response.status_code == 302
    assert client.get("/api/v1/me").get_json()["email"] == user.email  # logged in, here
    assert elsewhere.get("/api/v1/me").status_code == 401  # and nowhere else
    db.refresh(user)
    assert accounts.verify_password(user, NEW)
    # The link is spent: a second use is refused and changes nothing.
    again = client.post(
        path, data={"password": "et annet nytt passord", "csrf_token": csrf_of(client, "/login")}
    )
    assert again.status_code == 404
    assert "Ask for a new link" in again.get_data(as_text=True)  # the language chosen stays
    db.refresh(user)
    assert accounts.verify_password(user, NEW)


def test_an_expired_or_forged_reset_link_is_refused(client, db):
    user = _person(db)
    _mail, path = _reset_link(client, db)
    token = db.scalar(select(AccountToken).where(AccountToken.user_id == user.id))
    token.expires_at = token.created_at + dt.timedelta(hours=1) - dt.timedelta(hours=2)
    db.flush()
    for link in (path, path[:-4] + "AAAA", "/password/reset/forged"):
        assert client.get(link).status_code == 404
        before = audit_count(db)
        response = client.post(
            link, data={"password": NEW, "csrf_token": csrf_of(client, "/login")}
        )
        assert response.status_code == 404
        assert "Denne lenken kan ikke brukes" in response.get_data(as_text=True)
        assert audit_count(db) == before
    db.refresh(user)
    assert accounts.verify_password(user, PASSWORD)


def test_a_reset_link_lasts_one_hour(client, db):
    user = _person(db)
    _reset_link(client, db)
    token = db.scalar(select(AccountToken).where(AccountToken.user_id == user.id))
    assert token.expires_at - token.created_at == dt.timedelta(hours=1)
    assert len(token.secret_hash) == 64  # SHA-256 of the secret, never the secret


@pytest.mark.parametrize(
    ("password", "message"), [("kort", "minst 12"), ("password1234", "vanligste")]
)
def test_a_weak_new_password_is_refused_and_the_link_still_works(client, db, password, message):
    user = _person(db)
    _mail, path = _reset_link(client, db)
    response = client.post(path, data={"password": password, "csrf_token": csrf_of(client, path)})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.refresh(user)
    assert accounts.verify_password(user, PASSWORD)
    assert client.get(path).status_code == 200


# --- changing one's own password ---------------------------------------------------------------


def test_changing_ones_password_needs_the_current_one(app, client, db):
    user = _person(db)
    login(client, user.email)
    elsewhere = app.test_client()
    login(elsewhere, user.email)
    csrf = csrf_of(client, "/password/change")
    wrong = client.post(
        "/password/change",
        data={"current_password": WRONG, "password": NEW, "csrf_token": csrf},
    )
    assert wrong.status_code == 422
    assert "Det nåværende passordet er feil." in wrong.get_data(as_text=True)
    db.refresh(user)
    assert accounts.verify_password(user, PASSWORD)
    right = client.post(
        "/password/change",
        data={"current_password": PASSWORD, "password": NEW, "csrf_token": csrf},
    )
    assert right.status_code == 302
    assert client.get("/api/v1/me").status_code == 200
    assert elsewhere.get("/api/v1/me").status_code == 401
    db.refresh(user)
    assert accounts.verify_password(user, NEW)


def test_a_password_chosen_by_someone_else_is_changed_at_first_login(client, db):
    user = _person(db)
    accounts.set_password(db, OPERATOR, user, CHOSEN, must_change=True)
    db.flush()
    page = client.get("/login").get_data(as_text=True)
    import re

    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login",
        data={"email": user.email, "password": CHOSEN, "csrf_token": csrf},
    )
    assert response.headers["Location"].startswith("/password/change")
    # Any other page leads there too, until the password is the person's own.
    assert client.get("/").headers["Location"].startswith("/password/change")
    csrf = csrf_of(client, "/password/change")
    client.post(
        "/password/change",
        data={"current_password": CHOSEN, "password": NEW, "csrf_token": csrf},
    )
    db.refresh(user)
    assert not user.must_change_password
    assert client.get("/").status_code == 200
