"""Browser sessions that end: logout, the absolute lifetime, the idle timeout, a new password
and deactivation end them on the server, wherever the cookie was copied to."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from services.registry.accounts import services as accounts
from services.registry.accounts.models import BrowserSession, User
from services.registry.audit.models import AuditEntry
from tests.registry.conftest import OPERATOR, PASSWORD, login

EMAIL = "a_registrar@example.org"
COOKIE = "nettungen_registry"


@pytest.fixture
def person(db, world) -> User:
    user = accounts.get_user_by_email(db, EMAIL)
    assert user is not None
    accounts.set_password(db, OPERATOR, user, PASSWORD)
    db.flush()
    return user


def copy_cookie(app, client):
    """A second browser holding a copy of ``client``'s login cookie."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def signed_in(client) -> bool:
    return client.get("/api/v1/me").status_code == 200


def age_sessions(db, **changes: dt.timedelta) -> None:
    """Move every session's creation or last request back in time."""
    for record in db.scalars(select(BrowserSession)):
        for column, delta in changes.items():
            setattr(record, column, getattr(record, column) - delta)
    db.flush()


def test_a_login_keeps_only_a_hash_of_its_secret(app, client, db, person):
    login(client, EMAIL)
    record = db.scalars(select(BrowserSession).where(BrowserSession.user_id == person.id)).one()
    cookie = client.get_cookie(COOKIE).value
    assert record.secret_hash not in cookie
    assert record.user_agent.startswith("Werkzeug")
    assert record.remote_addr == "127.0.0.1"


def test_a_saved_cookie_is_refused_after_logout(app, client, db, person):
    csrf = login(client, EMAIL)
    thief = copy_cookie(app, client)
    assert signed_in(thief)
    response = client.post("/logout", data={"csrf_token": csrf["X-CSRFToken"]})
    assert response.status_code == 302
    assert not signed_in(client)
    assert not signed_in(thief)
    assert db.scalar(select(func.count()).select_from(BrowserSession)) == 0


def test_a_session_ends_at_its_absolute_lifetime_however_busy(app, client, db, person):
    login(client, EMAIL)
    age_sessions(db, created_at=dt.timedelta(hours=11, minutes=59))
    assert signed_in(client)
    age_sessions(db, created_at=dt.timedelta(minutes=1))
    assert not signed_in(client)
    # The next login anywhere clears the records of ended sessions.
    login(app.test_client(), EMAIL)
    assert db.scalar(select(func.count()).select_from(BrowserSession)) == 1


def test_a_session_ends_after_idle_time(app, client, db, person):
    login(client, EMAIL)
    age_sessions(db, last_seen_at=dt.timedelta(minutes=119))
    assert signed_in(client)  # and the request counts as activity
    age_sessions(db, last_seen_at=dt.timedelta(minutes=119))
    assert signed_in(client)
    age_sessions(db, last_seen_at=dt.timedelta(minutes=120))
    assert not signed_in(client)


def test_the_limits_are_settings(app, client, db, person, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    login(client, EMAIL)
    age_sessions(db, last_seen_at=dt.timedelta(minutes=5))
    assert not signed_in(client)
    monkeypatch.setitem(app.config, "SESSION_LIFETIME_HOURS", 1)
    login(client, EMAIL)
    age_sessions(db, created_at=dt.timedelta(hours=1))
    assert not signed_in(client)


def test_a_new_password_ends_every_session_but_the_one_kept(app, client, db, person):
    login(client, EMAIL)
    other = app.test_client()
    login(other, EMAIL)
    kept = client.get_cookie(COOKIE)
    with client.session_transaction() as cookie_session:
        secret = cookie_session["sid"]
    accounts.set_password(db, OPERATOR, person, "et-annet-langt-passord", keep_session=secret)
    db.flush()
    assert kept is not None and signed_in(client)
    assert not signed_in(other)
    assert accounts.end_sessions(db, person) == 1
    assert not signed_in(client)


def test_a_deactivated_users_sessions_and_tokens_are_refused(app, client, db, world, person):
    login(client, EMAIL)
    token = world.auth("a_registrar")
    assert client.get("/api/v1/me", headers=token).status_code == 200
    node_admin = accounts.create_user(db, OPERATOR, "node@example.org", "N", PASSWORD, True)
    db.flush()
    admin = accounts.build_actor(db, node_admin)
    accounts.deactivate_user(db, admin, person)
    db.flush()
    assert not signed_in(client)
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 401
    assert db.scalar(select(func.count()).select_from(BrowserSession)) == 0
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "user.deactivated")).one()
    assert entry.changes == {"sessions_ended": 1}
    accounts.reactivate_user(db, admin, person)
    db.flush()
    assert app.test_client().get("/api/v1/me", headers=token).status_code == 200
    login(client, EMAIL)


def test_a_cookie_without_a_session_record_is_refused(app, client, db, person):
    with client.session_transaction() as cookie_session:
        cookie_session["user_id"] = person.id  # a cookie from before server-side sessions
        cookie_session["sid"] = "made-up"
    assert not signed_in(client)
