"""The login throttle: per account and address, per address, and growing delays per account,
counting refused attempts too, never reset by somebody else's successful login, and never
keeping the owner out of their own account."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from services.registry.accounts import services as accounts
from services.registry.accounts.models import LoginFailure
from services.registry.audit.models import AuditEntry
from shared.db import utcnow
from tests.registry.conftest import OPERATOR, ORG_A, PASSWORD

ATTACKER = "127.0.0.2"
OWNER = "127.0.0.3"


@pytest.fixture
def people(db, world):
    for email in ("victim@example.org", "attacker@example.org"):
        accounts.add_member(
            db,
            OPERATOR,
            world.orgs[ORG_A],
            email=email,
            name=email,
            roles=["reader"],
            password=PASSWORD,
        )
    db.flush()


@pytest.fixture
def small_limits(app, monkeypatch):
    """Three failures per account and five per address, so the tests stay short."""
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ACCOUNT", 3)
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 5)


def attempt(client, email: str, password: str, address: str):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def failures(db, **where: str) -> int:
    query = select(func.count()).select_from(LoginFailure)
    for column, value in where.items():
        query = query.where(getattr(LoginFailure, column) == value)
    return db.scalar(query) or 0


def test_an_attackers_failures_shut_the_attacker_out_not_the_owner(
    client, db, people, small_limits
):
    for _ in range(3):
        assert attempt(client, "victim@example.org", "gjett-gjett", ATTACKER).status_code == 401
    throttled = attempt(client, "victim@example.org", PASSWORD, ATTACKER)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "900"
    assert "For mange" in throttled.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401
    # The refused attempt is counted like a failure: whoever keeps trying stays shut out.
    assert failures(db, email="victim@example.org") == 4
    # The owner, at an address with no failures, gets in with the right password.
    assert attempt(client, "victim@example.org", PASSWORD, OWNER).status_code == 302


def test_many_addresses_failing_on_an_account_get_growing_delays_the_owner_none(
    client, db, people, small_limits
):
    """Failures from many addresses (a botnet) make each address that failed wait a delay
    doubling with the account's failures; an address without failures is never delayed."""
    for n in range(3):
        attempt(client, "victim@example.org", "gjett-gjett", f"127.0.2.{n}")
    delayed = attempt(client, "victim@example.org", PASSWORD, "127.0.2.0")
    assert delayed.status_code == 429
    assert 1 <= int(delayed.headers["Retry-After"]) <= 4
    for n in range(3, 8):
        attempt(client, "victim@example.org", "gjett-gjett", f"127.0.2.{n}")
    longer = attempt(client, "victim@example.org", "gjett-gjett", "127.0.2.1")
    assert int(longer.headers["Retry-After"]) > int(delayed.headers["Retry-After"])
    assert attempt(client, "victim@example.org", PASSWORD, OWNER).status_code == 302


def test_the_delay_passes(client, db, people, small_limits):
    for n in range(3):
        attempt(client, "victim@example.org", "gjett-gjett", f"127.0.2.{n}")
    db.execute(LoginFailure.__table__.update().values(at=utcnow() - dt.timedelta(seconds=60)))
    assert attempt(client, "victim@example.org", PASSWORD, "127.0.2.0").status_code == 302


def test_failed_and_successful_logins_are_in_the_audit(client, db, people):
    attempt(client, "victim@example.org", "feil-passord", ATTACKER)
    attempt(client, "victim@example.org", PASSWORD, OWNER)
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.action.like("login.%")).order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.changes["remote_addr"]) for e in entries] == [
        ("login.failed", ATTACKER),
        ("login.succeeded", OWNER),
    ]
    assert entries[0].actor_user_id is None
    assert str(entries[1].actor_user_id) == entries[0].target_id == entries[1].target_id


def test_an_address_is_shut_after_its_failures_on_any_accounts(client, db, people, small_limits):
    for n in range(5):
        attempt(client, f"nobody{n}@example.org", "gjett-gjett", ATTACKER)
    assert attempt(client, "attacker@example.org", PASSWORD, ATTACKER).status_code == 429
    # The same account from another address is not shut out.
    assert attempt(client, "attacker@example.org", PASSWORD, OWNER).status_code == 302


def test_a_successful_login_resets_no_one_elses_failures(client, db, people, small_limits):
    for _ in range(2):
        attempt(client, "victim@example.org", "gjett-gjett", ATTACKER)
    for n in range(2):
        attempt(client, f"nobody{n}@example.org", "gjett-gjett", ATTACKER)
    # The victim logs in from home; the attacker logs in to an account of their own.
    assert attempt(client, "victim@example.org", PASSWORD, OWNER).status_code == 302
    assert attempt(client, "attacker@example.org", PASSWORD, ATTACKER).status_code == 302
    assert failures(db, email="victim@example.org", remote_addr=ATTACKER) == 2
    assert failures(db, remote_addr=ATTACKER) == 4
    # One more guess shuts the attacker out of the victim's account: the victim's login reset
    # nothing of it, and the victim still gets in from home.
    attempt(client, "victim@example.org", "gjett-igjen", ATTACKER)
    assert attempt(client, "victim@example.org", PASSWORD, ATTACKER).status_code == 429
    assert attempt(client, "victim@example.org", PASSWORD, OWNER).status_code == 302


def test_a_successful_login_clears_ones_own_failures(client, db, people, small_limits):
    for _ in range(2):
        attempt(client, "victim@example.org", "feil-passord", OWNER)
    assert attempt(client, "victim@example.org", PASSWORD, OWNER).status_code == 302
    assert failures(db, email="victim@example.org") == 0


def test_a_made_up_forwarded_address_does_not_escape_the_throttle(client, db, people, small_limits):
    """Without a trusted proxy (TRUSTED_PROXIES=0) X-Forwarded-For is the client's own claim:
    a new one on every guess must not make a new address for the throttle."""
    for n in range(5):
        page = client.get("/login", environ_base={"REMOTE_ADDR": ATTACKER})
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
        client.post(
            "/login",
            data={"email": f"nobody{n}@example.org", "password": "x", "csrf_token": token.group(1)},
            environ_base={"REMOTE_ADDR": ATTACKER},
            headers={"X-Forwarded-For": f"127.0.1.{n}"},
        )
    assert failures(db, remote_addr=ATTACKER) == 5
    assert attempt(client, "attacker@example.org", PASSWORD, ATTACKER).status_code == 429


def test_failures_older_than_the_window_are_dropped(client, db, people, small_limits):
    old = LoginFailure(email="victim@example.org", remote_addr=ATTACKER)
    old.at = utcnow() - dt.timedelta(seconds=901)
    db.add(old)
    db.flush()
    attempt(client, "victim@example.org", "feil-passord", OWNER)
    db.expire_all()
    assert failures(db, email="victim@example.org") == 1
    assert failures(db, remote_addr=ATTACKER) == 0


def test_an_overlong_email_is_a_refused_login_not_an_error(client, db, people):
    response = attempt(client, "x" * 300 + "@example.org", "feil-passord", OWNER)
    assert response.status_code == 401
    assert client.get("/api/v1/me").status_code == 401
    assert failures(db, remote_addr=OWNER) == 1  # it still counts for the address
