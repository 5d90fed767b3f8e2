"""The login throttle and the login at their edges, found by mutation testing (docs/testing.md):
on a clock the test holds still, a failure exactly one window old no longer counts, each limit
refuses at its count and not before, the delay after an account's failures doubles from two
seconds and is never longer than the window, what a failure and a login leave in the tables
and the audit trail."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from services.registry.accounts import services as accounts
from services.registry.accounts.login import Throttle
from services.registry.accounts.models import LoginFailure
from services.registry.audit.models import AuditEntry
from shared.db import create_engine
from shared.errors import TooManyRequests
from tests.conftest import migrated_database
from tests.registry.conftest import OPERATOR, PASSWORD

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
LIMITS = Throttle(max_per_account=3, max_per_address=5, window=dt.timedelta(minutes=15))
VICTIM = "victim@example.org"
HOME = "192.0.2.10"
GUESSER = "198.51.100.7"


def at(moment):
    return mock.patch("services.registry.accounts.login.utcnow", return_value=moment)


def ago(seconds):
    return NOW - dt.timedelta(seconds=seconds)


def failed(db, email, address, seconds_ago=60.0):
    db.add(LoginFailure(email=email, remote_addr=address, at=ago(seconds_ago)))
    db.flush()


def refusal(db, email=VICTIM, address=GUESSER, throttle=LIMITS):
    """How long the throttle asks this address to wait at NOW, or None when it may try."""
    with at(NOW):
        try:
            accounts.check_throttle(db, throttle, email, address)
        except TooManyRequests as refused:
            assert refused.code == "login.throttled"
            return refused.retry_after
    return None


def remaining(db, **where):
    query = select(LoginFailure.email, LoginFailure.remote_addr).order_by(LoginFailure.id)
    for column, value in where.items():
        query = query.where(getattr(LoginFailure, column) == value)
    return db.execute(query).all()


@pytest.fixture
def victim(db):
    user = accounts.create_user(db, OPERATOR, VICTIM, "Victim", PASSWORD)
    db.flush()
    return user


# --- the throttle ------------------------------------------------------------------------------


def test_an_address_is_refused_at_its_fifth_failure_within_the_window(db, victim):
    for n in range(4):
        failed(db, f"nobody{n}@example.org", GUESSER)
    assert refusal(db) is None
    failed(db, "nobody4@example.org", GUESSER, seconds_ago=900)  # exactly a window ago
    assert refusal(db) is None
    failed(db, "nobody5@example.org", GUESSER, seconds_ago=899)
    assert refusal(db) == 900
    assert refusal(db, address=HOME) is None


def test_an_address_is_refused_for_an_account_at_its_third_failure_on_it(db, victim):
    failed(db, VICTIM, GUESSER, seconds_ago=900)
    failed(db, VICTIM, GUESSER)
    failed(db, VICTIM, GUESSER)
    assert refusal(db) is None  # two within the window: under every limit
    failed(db, VICTIM, GUESSER, seconds_ago=899)
    assert refusal(db) == 900
    assert refusal(db, email="  Victim@Example.ORG ") == 900
    assert refusal(db, address=HOME) is None  # the owner at home: no failures there


@pytest.mark.parametrize(
    ("failures", "seconds_ago", "wait"),
    [
        (3, 0, 2),  # the account's limit reached: two seconds
        (3, 1, 1),
        (3, 1.5, 1),  # half a second left is a second to wait
        (3, 2, None),  # the delay has passed
        (4, 0, 4),  # doubling with each failure
        (5, 0, 8),
        (5, 7, 1),
        (11, 0, 512),
        (12, 0, 900),  # 1,024 seconds would be more than the window
        (20, 0, 900),
    ],
)
def test_failures_from_many_addresses_make_each_of_them_wait_a_doubling_delay(
    db, victim, failures, seconds_ago, wait
):
    for n in range(failures):
        failed(db, VICTIM, f"203.0.113.{n}", seconds_ago=seconds_ago if n == 1 else 600)
    assert refusal(db, address="203.0.113.0") == wait
    assert refusal(db, address=HOME) is None


def test_below_the_accounts_limit_an_address_with_failures_is_not_delayed(db, victim):
    failed(db, VICTIM, GUESSER, seconds_ago=0)
    failed(db, VICTIM, "203.0.113.1", seconds_ago=0)
    assert refusal(db) is None


@pytest.mark.parametrize(
    ("others", "wait"),
    [
        # Failures on other accounts do not count towards this account's limit.
        ([("other@example.org", "203.0.113.1", 0)] * 3, None),
        # Failures a window old or older do not count either (the table keeps them until the
        # next failure forgets them).
        ([(VICTIM, "203.0.113.1", 60), (VICTIM, "203.0.113.2", 900)], None),
        ([(VICTIM, "203.0.113.1", 60), (VICTIM, "203.0.113.2", 899)], 2),
        ([(VICTIM, f"203.0.113.{n}", 901 + n) for n in range(3)], None),
    ],
)
def test_the_delay_counts_this_accounts_failures_within_the_window_only(db, victim, others, wait):
    failed(db, VICTIM, GUESSER, seconds_ago=0)
    for email, address, seconds_ago in others:
        failed(db, email, address, seconds_ago=seconds_ago)
    assert refusal(db) == wait


# --- a failure ---------------------------------------------------------------------------------


def test_a_failure_is_counted_cut_to_the_columns_and_audited(db, victim):
    with at(NOW):
        accounts.record_login_failure(db, LIMITS, "  Victim@Example.ORG ", GUESSER)
        accounts.record_login_failure(db, LIMITS, "x" * 300 + "@example.org", "f" * 70)
        accounts.record_login_failure(db, LIMITS, "", HOME, refused=True)
    db.flush()
    assert remaining(db) == [(VICTIM, GUESSER), ("x" * 254, "f" * 64), ("", HOME)]
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.action.like("login.%")).order_by(AuditEntry.id)
    ).all()
    assert [
        (e.actor_user_id, e.actor_label, e.action, e.target_type, e.target_id, e.changes)
        for e in entries
    ] == [
        (
            None,
            VICTIM,
            "login.failed",
            "user",
            str(victim.id),
            {"email": VICTIM, "remote_addr": GUESSER},
        ),
        (
            None,
            "x" * 254,
            "login.failed",
            "user",
            "-",
            {"email": "x" * 254, "remote_addr": "f" * 64},
        ),
        (None, "-", "login.refused", "user", "-", {"email": "", "remote_addr": HOME}),
    ]


def test_a_failure_forgets_those_a_window_old_or_older(db, victim):
    failed(db, VICTIM, "203.0.113.1", seconds_ago=901)
    failed(db, VICTIM, "203.0.113.2", seconds_ago=900)
    failed(db, VICTIM, "203.0.113.3", seconds_ago=899)
    with at(NOW):
        accounts.record_login_failure(db, LIMITS, VICTIM, GUESSER)
    db.flush()
    db.expire_all()
    assert remaining(db) == [(VICTIM, "203.0.113.3"), (VICTIM, GUESSER)]


# --- a login -----------------------------------------------------------------------------------


def test_a_login_clears_this_addresss_failures_on_this_account_only(db, victim):
    failed(db, VICTIM, HOME)
    failed(db, VICTIM, GUESSER)
    failed(db, "other@example.org", HOME)
    with at(NOW):
        assert accounts.login(db, " VICTIM@example.org", PASSWORD, HOME) is victim
    db.flush()
    db.expire_all()
    assert remaining(db) == [(VICTIM, GUESSER), ("other@example.org", HOME)]
    assert victim.last_login_at == NOW
    (entry,) = db.scalars(select(AuditEntry).where(AuditEntry.action == "login.succeeded"))
    assert (entry.actor_user_id, entry.actor_label) == (victim.id, VICTIM)
    assert (entry.target_type, entry.target_id) == ("user", str(victim.id))
    assert entry.changes == {"remote_addr": HOME}


def test_no_login_without_the_right_password_of_an_active_account(db, victim):
    failed(db, VICTIM, HOME)
    with at(NOW):
        assert accounts.login(db, VICTIM, "feil-passord-her", HOME) is None
        assert accounts.login(db, "ukjent@example.org", PASSWORD, HOME) is None
        victim.is_active = False
        assert accounts.login(db, VICTIM, PASSWORD, HOME) is None
    db.flush()
    assert victim.last_login_at is None
    assert remaining(db) == [(VICTIM, HOME)]
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "login.succeeded")).all() == []


# --- parallel attempts (PostgreSQL) ------------------------------------------------------------


def test_parallel_attempts_on_one_account_queue_and_on_others_do_not(database_factory):
    """The throttle locks the account's row, so parallel guesses at one account are counted one
    after the other; attempts at other accounts are not held up. SQLite has no row locks (it
    takes the whole database for a write), so this is PostgreSQL's."""
    url = database_factory()
    migrated_database(url)
    engine = create_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            pytest.skip("row locks are PostgreSQL's")
        make = sessionmaker(engine)
        with make.begin() as session:
            for email in (VICTIM, "other@example.org", "third@example.org"):
                accounts.create_user(session, OPERATOR, email, email, PASSWORD)
        with make() as first, make() as second:
            accounts.check_throttle(first, LIMITS, VICTIM, GUESSER)
            for email, held in ((VICTIM, True), ("other@example.org", False)):
                second.execute(text("SET LOCAL lock_timeout = '300ms'"))
                if held:
                    with pytest.raises(OperationalError, match="lock timeout"):
                        accounts.check_throttle(second, LIMITS, email, HOME)
                else:
                    accounts.check_throttle(second, LIMITS, email, HOME)
                second.rollback()
            first.rollback()
            accounts.check_throttle(second, LIMITS, VICTIM, HOME)
    finally:
        engine.dispose()
