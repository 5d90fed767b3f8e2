"""Your sessions (issue 20, item 4): where one is logged in, each with its browser, address,
since and last seen, and a button that ends any of them on the server."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from services.registry.accounts import services as accounts
from services.registry.accounts.models import BrowserSession, User
from services.registry.accounts.pages.sessions import describe_agent
from services.registry.audit.models import AuditEntry
from tests.registry.accounts_helpers import csrf_of
from tests.registry.conftest import OPERATOR, PASSWORD, login

EMAIL = "a_registrar@example.org"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def person(db, world) -> User:
    user = accounts.get_user_by_email(db, EMAIL)
    assert user is not None
    accounts.set_password(db, OPERATOR, user, PASSWORD)
    db.flush()
    return user


def browser(app, agent: str):
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    return client


@pytest.mark.parametrize(
    ("agent", "said"),
    [
        (FIREFOX, "Firefox på Linux"),
        (EDGE, "Edge på Windows"),
        (IPHONE, "Safari på iOS"),
        ("curl/8.5.0", "curl/8.5.0"),
    ],
)
def test_the_browser_is_named_from_its_user_agent(app, agent, said):
    with app.test_request_context("/", headers={"Accept-Language": "nb"}):
        assert describe_agent(agent) == said


def test_the_page_lists_every_login_and_ends_another(app, db, person):
    here, there = browser(app, FIREFOX), browser(app, EDGE)
    login(here, EMAIL)
    login(there, EMAIL)
    page = here.get("/account/sessions").get_data(as_text=True)
    assert "Firefox på Linux" in page and "Edge på Windows" in page
    assert "(denne nettleseren)" in page and "127.0.0.1" in page and "UTC" in page
    ids = [int(i) for i in re.findall(r"/account/sessions/(\d+)/end", page)]
    edge = db.scalars(select(BrowserSession).where(BrowserSession.user_agent == EDGE)).one()
    assert sorted(ids) == sorted(
        db.scalars(select(BrowserSession.id).where(BrowserSession.user_id == person.id))
    )
    response = here.post(
        f"/account/sessions/{edge.id}/end",
        data={"password": PASSWORD, "csrf_token": csrf_of(here, "/account/sessions")},
    )
    assert response.status_code == 302
    assert there.get("/api/v1/me").status_code == 401  # ended on the server
    assert here.get("/api/v1/me").status_code == 200
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "session.ended")).one()
    assert entry.actor_user_id == person.id and entry.changes["user_agent"] == EDGE


def test_ending_this_browsers_own_login_logs_out(app, db, person):
    here = browser(app, FIREFOX)
    login(here, EMAIL)
    own = db.scalars(select(BrowserSession).where(BrowserSession.user_id == person.id)).one()
    response = here.post(
        f"/account/sessions/{own.id}/end",
        data={"password": PASSWORD, "csrf_token": csrf_of(here, "/account/sessions")},
    )
    assert response.headers["Location"] == "/login"
    assert here.get("/api/v1/me").status_code == 401


def test_another_persons_session_is_not_found_and_stays(app, db, person):
    other = accounts.get_user_by_email(db, "a_reader@example.org")
    accounts.set_password(db, OPERATOR, other, PASSWORD)
    db.flush()
    theirs = browser(app, EDGE)
    login(theirs, "a_reader@example.org")
    record = db.scalars(select(BrowserSession).where(BrowserSession.user_id == other.id)).one()
    mine = browser(app, FIREFOX)
    login(mine, EMAIL)
    response = mine.post(
        f"/account/sessions/{record.id}/end",
        data={"password": PASSWORD, "csrf_token": csrf_of(mine, "/account/sessions")},
    )
    assert response.status_code == 404
    assert theirs.get("/api/v1/me").status_code == 200
    assert "Edge" not in mine.get("/account/sessions").get_data(as_text=True)


def test_ending_a_session_needs_the_csrf_token(app, db, person):
    here, there = browser(app, FIREFOX), browser(app, EDGE)
    login(here, EMAIL)
    login(there, EMAIL)
    edge = db.scalars(select(BrowserSession).where(BrowserSession.user_agent == EDGE)).one()
    ended = here.post(f"/account/sessions/{edge.id}/end", data={"password": PASSWORD})
    assert ended.status_code == 400
    assert there.get("/api/v1/me").status_code == 200


def test_ending_a_session_asks_for_the_password(app, db, person):
    here, there = browser(app, FIREFOX), browser(app, EDGE)
    login(here, EMAIL)
    login(there, EMAIL)
    edge = db.scalars(select(BrowserSession).where(BrowserSession.user_agent == EDGE)).one()
    token = csrf_of(here, "/account/sessions")
    for password in ("", "ikke-passordet"):
        response = here.post(
            f"/account/sessions/{edge.id}/end", data={"password": password, "csrf_token": token}
        )
        assert response.status_code == 422
        assert "Passordet er feil." in response.get_data(as_text=True)
    assert there.get("/api/v1/me").status_code == 200
