"""Two-factor login (issue 20, item 3): TOTP by RFC 6238 checked against the RFC's own
published answers, enrolment, login with a code, a code refused the second time, recovery
codes that work once, a password reset that still asks for the code, the node administrator's
and the organisation's requirement, an administrator's reset, and the re-authentication that
a change to the login asks for."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.registry.accounts import second_factor
from services.registry.accounts import services as accounts
from services.registry.accounts.models import RecoveryCode, SecondFactor, User
from services.registry.audit.models import AuditEntry
from tests.registry.accounts_helpers import (
    csrf_of,
    enrol_secret,
    link_path,
    mails,
    now_step,
    recovery_codes,
    totp,
)
from tests.registry.conftest import OPERATOR, ORG_A, PASSWORD, login

EMAIL = "a_registrar@example.org"
RFC_SEED = b"12345678901234567890"  # RFC 6238 Appendix B, the SHA-1 seed


# --- RFC 6238 Appendix B: the published test vectors (SHA-1, 8 digits) -----------------------


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_gives_the_rfc_6238_known_answers(unix_time, expected):
    step = second_factor.time_step(unix_time)
    assert second_factor.hotp(RFC_SEED, step, digits=8) == expected


def test_the_step_either_side_is_accepted_and_no_further():
    at = 1111111111  # step 37037037
    code = second_factor.hotp(RFC_SEED, 37037037)
    assert second_factor.matching_step(RFC_SEED, code, at, after=0) == 37037037
    assert second_factor.matching_step(RFC_SEED, code, at + 30, after=0) == 37037037
    assert second_factor.matching_step(RFC_SEED, code, at - 30, after=0) == 37037037
    assert second_factor.matching_step(RFC_SEED, code, at + 60, after=0) is None
    # The step accepted last, or one before it, is never accepted again.
    assert second_factor.matching_step(RFC_SEED, code, at, after=37037037) is None
    assert second_factor.matching_step(RFC_SEED, "12345", at, after=0) is None


# --- helpers ----------------------------------------------------------------------------------


@pytest.fixture
def person(db, world) -> User:
    user = accounts.get_user_by_email(db, EMAIL)
    assert user is not None
    accounts.set_password(db, OPERATOR, user, PASSWORD)
    db.flush()
    return user


def signed_in(client) -> bool:
    return client.get("/api/v1/me").status_code == 200


def password_step(client, email=EMAIL, password=PASSWORD):
    """The login form with a right password: where it sends the browser."""
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_of(client, "/login")},
    )
    assert response.status_code == 302
    return response.headers["Location"]


def send_code(client, code):
    return client.post(
        "/login/code", data={"code": code, "csrf_token": csrf_of(client, "/login/code")}
    )


def enrol(client) -> tuple[str, list[str]]:
    """Set up a second factor on one's account page; the key and the recovery codes."""
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "<svg" in page and "QR" in page
    secret = enrol_secret(page)
    response = client.post(
        "/account/second-factor",
        data={
            "password": PASSWORD,
            "code": totp(secret, now_step()),
            "csrf_token": csrf_of(client, "/account/second-factor"),
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.headers["Cache-Control"] == "no-store"
    return secret, recovery_codes(response.get_data(as_text=True))


def actions(db, user_id: int) -> list[str]:
    found = db.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.target_id == str(user_id))
        .order_by(AuditEntry.id)
    )
    return list(found)


# --- enrolment and login ----------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_ten_recovery_codes_once(app, client, db, person):
    login(client, EMAIL)
    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    factor = db.scalars(select(SecondFactor).where(SecondFactor.user_id == person.id)).one()
    assert factor.confirmed_at is not None
    assert secret not in factor.secret_sealed  # sealed, not kept as typed
    hashes = list(
        db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == person.id))
    )
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    page = client.get("/account/security").get_data(as_text=True)
    assert "10 av 10" in page and codes[0] not in page  # shown once only
    assert "second_factor.enrolled" in actions(db, person.id)


def test_a_wrong_code_does_not_finish_the_enrolment(client, db, person):
    login(client, EMAIL)
    secret = enrol_secret(client.get("/account/second-factor").get_data(as_text=True))
    wrong = f"{(int(totp(secret, now_step())) + 1) % 1_000_000:06d}"
    response = client.post(
        "/account/second-factor",
        data={"password": PASSWORD, "code": wrong, "csrf_token": csrf_of(client, "/login")},
    )
    assert response.status_code == 422
    assert not second_factor.has_second_factor(db, person)


def test_login_asks_for_the_code_and_refuses_it_the_second_time(app, client, db, person):
    login(client, EMAIL)
    secret, _codes = enrol(client)
    other = app.test_client()
    assert password_step(other) == "/login/code"
    assert not signed_in(other)  # a right password alone is no session
    code = totp(secret, now_step() + 1)  # the enrolment used this step's code
    response = send_code(other, code)
    assert response.status_code == 302 and signed_in(other)
    third = app.test_client()
    assert password_step(third) == "/login/code"
    refused = send_code(third, code)
    assert refused.status_code == 422 and not signed_in(third)
    assert "Koden er feil eller er brukt" in refused.get_data(as_text=True)


def test_a_recovery_code_works_once(app, client, db, person):
    login(client, EMAIL)
    _secret, codes = enrol(client)
    first = app.test_client()
    password_step(first)
    assert send_code(first, codes[3].upper()).status_code == 302 and signed_in(first)
    second = app.test_client()
    password_step(second)
    assert send_code(second, codes[3]).status_code == 422 and not signed_in(second)
    assert "second_factor.recovery_code_used" in actions(db, person.id)
    assert "9 av 10" in first.get("/account/security").get_data(as_text=True)


def test_the_code_step_cannot_be_reached_without_the_password(app, client, person):
    fresh = app.test_client()
    assert fresh.get("/login/code").headers["Location"] == "/login"
    assert fresh.post("/login/code", data={"code": "000000"}).status_code == 400  # no CSRF
    token = csrf_of(fresh, "/login")
    refused = fresh.post("/login/code", data={"code": "000000", "csrf_token": token})
    assert refused.headers["Location"] == "/login" and not signed_in(fresh)


def test_wrong_codes_are_throttled(app, client, db, person):
    login(client, EMAIL)
    secret, _codes = enrol(client)
    other = app.test_client()
    password_step(other)
    statuses = [send_code(other, "000000").status_code for _ in range(5)]
    assert statuses == [422] * 5
    assert send_code(other, totp(secret, now_step() + 1)).status_code == 429
    assert not signed_in(other)


# --- a password reset -------------------------------------------------------------------------


def test_a_password_reset_still_asks_for_the_second_factor(app, client, db, person):
    login(client, EMAIL)
    secret, _codes = enrol(client)
    browser = app.test_client()
    browser.post(
        "/password/forgot",
        data={"email": EMAIL, "csrf_token": csrf_of(browser, "/password/forgot")},
    )
    path = link_path(mails(db, EMAIL, "password_reset")[-1], "password/reset")
    response = browser.post(
        path, data={"password": "tre ord i rekke og rad", "csrf_token": csrf_of(browser, path)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code"
    assert not signed_in(browser)
    assert send_code(browser, totp(secret, now_step() + 1)).status_code == 302
    assert signed_in(browser)


# --- who must have one ------------------------------------------------------------------------


def test_a_node_administrator_must_enrol_at_the_next_login(app, db):
    accounts.create_user(db, OPERATOR, "node@example.org", "Node", PASSWORD, True)
    db.flush()
    browser = app.test_client()
    assert password_step(browser, "node@example.org") == "/login/enrol"
    assert not signed_in(browser)
    assert browser.get("/node/organisations").status_code == 302  # no session yet
    page = browser.get("/login/enrol").get_data(as_text=True)
    secret = enrol_secret(page)
    response = browser.post(
        "/login/enrol",
        data={"code": totp(secret, now_step()), "csrf_token": csrf_of(browser, "/login/enrol")},
    )
    assert (
        response.status_code == 200 and len(recovery_codes(response.get_data(as_text=True))) == 10
    )
    assert signed_in(browser)


def test_an_organisation_can_require_it_and_an_admin_can_reset_it(app, client, db, person):
    admin = app.test_client()
    admin_user = accounts.get_user_by_email(db, "a_admin@example.org")
    accounts.set_password(db, OPERATOR, admin_user, PASSWORD)
    db.flush()
    headers = login(admin, "a_admin@example.org")
    assert headers
    rule = admin.post(
        f"/o/{ORG_A}/admin/second-factor-rule",
        data={"second_factor_required": "on", "csrf_token": csrf_of(admin, "/login")},
    )
    assert rule.status_code == 302
    entry = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "organisation.updated")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.changes == {"second_factor_required": [False, True]}
    # The registrar must set one up at the next login.
    assert password_step(client) == "/login/enrol"
    page = client.get("/login/enrol").get_data(as_text=True)
    secret = enrol_secret(page)
    client.post(
        "/login/enrol",
        data={"code": totp(secret, now_step()), "csrf_token": csrf_of(client, "/login/enrol")},
    )
    assert signed_in(client) and second_factor.has_second_factor(db, person)
    # The administrator resets it (a lost phone): the next login sets up a new one.
    member_page = admin.get(f"/o/{ORG_A}/admin/users/{person.id}").get_data(as_text=True)
    assert "Nullstill den andre faktoren" in member_page
    reset = admin.post(
        f"/o/{ORG_A}/admin/users/{person.id}/second-factor/reset",
        data={"csrf_token": csrf_of(admin, "/login")},
    )
    assert reset.status_code == 302
    assert not second_factor.has_second_factor(db, person)
    assert "second_factor.reset" in actions(db, person.id)
    again = app.test_client()
    assert password_step(again) == "/login/enrol"


def test_a_member_cannot_reset_anothers_second_factor(app, client, db, person):
    login(client, EMAIL)
    enrol(client)
    reader = accounts.get_user_by_email(db, "a_reader@example.org")
    accounts.set_password(db, OPERATOR, reader, PASSWORD)
    db.flush()
    other = app.test_client()
    login(other, "a_reader@example.org")
    refused = other.post(
        f"/o/{ORG_A}/admin/users/{person.id}/second-factor/reset",
        data={"csrf_token": csrf_of(other, "/login")},
    )
    assert refused.status_code == 403
    assert second_factor.has_second_factor(db, person)


# --- changes to the login ask for re-authentication -------------------------------------------


def test_changing_the_password_asks_for_a_code(client, db, person):
    login(client, EMAIL)
    secret, _codes = enrol(client)
    form = {"current_password": PASSWORD, "password": "tre ord i rekke og rad"}
    page = client.get("/password/change").get_data(as_text=True)
    assert 'name="code"' in page
    without = client.post(
        "/password/change", data={**form, "csrf_token": csrf_of(client, "/login")}
    )
    assert without.status_code == 422
    assert accounts.verify_password(person, PASSWORD)
    ok = client.post(
        "/password/change",
        data={
            **form,
            "code": totp(secret, now_step() + 1),
            "csrf_token": csrf_of(client, "/login"),
        },
    )
    assert ok.status_code == 302
    db.refresh(person)
    assert accounts.verify_password(person, "tre ord i rekke og rad")


def test_removing_the_second_factor_asks_for_password_and_code(client, db, person):
    login(client, EMAIL)
    secret, _codes = enrol(client)
    token = csrf_of(client, "/login")
    wrong = client.post(
        "/account/second-factor/remove",
        data={
            "password": "ikke-passordet",
            "code": totp(secret, now_step() + 1),
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 422 and second_factor.has_second_factor(db, person)
    ok = client.post(
        "/account/second-factor/remove",
        data={"password": PASSWORD, "code": totp(secret, now_step() + 1), "csrf_token": token},
    )
    assert ok.status_code == 302 and not second_factor.has_second_factor(db, person)
    assert "second_factor.removed" in actions(db, person.id)


def test_new_recovery_codes_replace_the_old(app, client, db, person):
    login(client, EMAIL)
    secret, old = enrol(client)
    response = client.post(
        "/account/second-factor/recovery-codes",
        data={
            "password": PASSWORD,
            "code": totp(secret, now_step() + 1),
            "csrf_token": csrf_of(client, "/login"),
        },
    )
    new = recovery_codes(response.get_data(as_text=True))
    assert response.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    other = app.test_client()
    password_step(other)
    assert send_code(other, old[0]).status_code == 422
    assert send_code(other, new[0]).status_code == 302


def test_the_code_step_expires_after_five_minutes(app, client, db, person):
    login(client, EMAIL)
    secret, _codes = enrol(client)
    other = app.test_client()
    assert password_step(other) == "/login/code"
    with other.session_transaction() as cookie:
        held = dict(cookie["pending_login"])
        held["at"] -= 301
        cookie["pending_login"] = held
    assert other.get("/login/code").headers["Location"] == "/login"
    code = totp(secret, now_step() + 1)
    late = other.post("/login/code", data={"code": code, "csrf_token": csrf_of(other, "/login")})
    assert late.headers["Location"] == "/login" and not signed_in(other)
