"""Pages: the second factor at login (its code, or its enrolment for someone who must have
one), one's own second factor (set up, new recovery codes, remove) and an administrator's
reset of a member's.

Changing one's second factor asks for the password and, where there is one, a code of the
current factor on the same form: the re-authentication is part of the change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import segno
from flask import current_app, redirect, request, url_for
from flask import session as browser_session
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.wrappers import Response

from services.registry.accounts import second_factor, services
from services.registry.accounts.models import User
from services.registry.accounts.pages.people import _membership, _throttle, bp, pages
from services.registry.accounts.pages.sign_in import (
    after_login,
    begin_browser_login,
    pending_login,
    sealing_key,
)
from services.registry.context import csrf
from services.registry.organisations import services as organisations
from services.registry.ui.pages import attempt, done, organisation, render_page, signed_in
from shared.errors import NotFound, TooManyRequests
from shared.web import db_session

# Pages that show a secret (a QR code, recovery codes) are kept by no cache.
PRIVATE = {"Cache-Control": "no-store"}
Page = tuple[str, int, dict[str, str]]


def qr_svg(uri: str) -> Markup:
    """The QR code of ``uri`` as inline SVG, drawn here: no script, no outside service."""
    title = gettext("QR code for your authenticator app")
    svg = segno.make(uri, error="m").svg_inline(scale=5, title=title, svgclass="qr")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - segno's own SVG


def throttled(user: User, check: Callable[[], bool]) -> bool | None:
    """Run ``check`` (a password's or a code's) under the login throttle: a failure counts
    like a failed login, and None means the throttle refused the attempt (too many failures
    for the account or from this address)."""
    session, remote = db_session(), request.remote_addr or "unknown"
    throttle, database = _throttle(), current_app.extensions["nettungen.db"]
    try:
        services.check_throttle(session, throttle, user.email, remote)
    except TooManyRequests:
        services.record_login_failure(session, throttle, user.email, remote, refused=True)
        database.keep_despite_error()
        return None
    if check():
        return True
    services.record_login_failure(session, throttle, user.email, remote)
    database.keep_despite_error()
    return False


def code_ok(user: User, code: str) -> bool | None:
    """Whether ``code`` is a good second factor for ``user`` now (None: throttled)."""
    return throttled(user, lambda: second_factor.verify(db_session(), user, sealing_key(), code))


def refusal(ok: bool | None, field: str = "code") -> tuple[dict[str, list[str]], int]:
    """The messages and status of a refused code (or, throttled, a refused attempt)."""
    if ok is None:
        return {field: [gettext("Too many failed attempts. Wait a while and try again.")]}, 429
    return {"code": [gettext("The code is wrong or has been used.")]}, 422


# --- at login ---------------------------------------------------------------------------------


@pages.route("/login/code", methods=["GET", "POST"])
def login_code() -> Response | Page:
    """The second step of a password login: a code of the app, or a recovery code."""
    if request.method == "POST":
        csrf.protect()
    held = pending_login()
    if held is None:
        return redirect(url_for("pages.login"))
    user, target = held
    if not second_factor.has_second_factor(db_session(), user):
        # Reset by an administrator meanwhile: the login starts again and finds out anew.
        return redirect(url_for("pages.login"))
    if request.method == "GET":
        return (*render_page("login_code.html", errors={}), PRIVATE)
    ok = code_ok(user, request.form.get("code", ""))
    if not ok:
        errors, status = refusal(ok)
        return (*render_page("login_code.html", status, errors=errors), PRIVATE)
    begin_browser_login(user, multi_factor=True)
    return after_login(user, target)


def _enrolment_page(user: User, status: int, errors: dict[str, Any], **context: Any) -> Page:
    secret = second_factor.begin_enrolment(db_session(), user, sealing_key())
    uri = second_factor.provisioning_uri(user, secret)
    spaced = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    html = render_page(
        "second_factor_enrol.html", status, errors=errors, qr=qr_svg(uri), secret=spaced, **context
    )
    return (*html, PRIVATE)


def _codes_page(codes: list[str], target: str) -> Page:
    return (*render_page("recovery_codes.html", codes=codes, target=target), PRIVATE)


@pages.route("/login/enrol", methods=["GET", "POST"])
def login_enrol() -> Response | Page:
    """At the login of someone who must have a second factor and has none: set it up now."""
    if request.method == "POST":
        csrf.protect()
    held = pending_login()
    if held is None:
        return redirect(url_for("pages.login"))
    user, target = held
    session = db_session()
    if second_factor.has_second_factor(session, user):
        return redirect(url_for("pages.login_code"))
    if request.method == "GET":
        return _enrolment_page(user, 200, {}, at_login=True)
    code = request.form.get("code", "")
    codes, errors = attempt(
        lambda: second_factor.confirm_enrolment(session, user, sealing_key(), code)
    )
    if errors:
        return _enrolment_page(user, 422, errors, at_login=True)
    begin_browser_login(user, multi_factor=True)
    after = after_login(user, target).headers["Location"]
    return _codes_page(codes, after)


# --- one's own second factor ------------------------------------------------------------------


def _me() -> User:
    user = db_session().get(User, signed_in().user_id)
    if user is None:
        raise NotFound("user.not_found")
    return user


def _security_page(user: User, status: int = 200, errors: dict[str, Any] | None = None) -> Page:
    session = db_session()
    html = render_page(
        "account_security.html",
        status,
        user=user,
        errors=errors or {},
        enrolled=second_factor.has_second_factor(session, user),
        required=second_factor.second_factor_required(session, user),
        codes_left=second_factor.recovery_codes_left(session, user),
    )
    return (*html, PRIVATE)


def end_other_sessions(user: User) -> None:
    """A change to the login ends the user's logins in every other browser (ASVS 7.4.3)."""
    here = browser_session.get("sid")
    services.end_sessions(
        db_session(), user, except_current=here if isinstance(here, str) else None
    )


@pages.get("/account/security")
def account_security() -> Page:
    return _security_page(_me())


def reauthenticate(user: User) -> tuple[dict[str, list[str]], int]:
    """Check the posted password and, where the user has a second factor, its code: the
    re-authentication before a change to the login itself. Errors and status, or none."""
    password = request.form.get("password", "")
    ok = throttled(user, lambda: services.verify_password(user, password))
    if ok is None:
        return refusal(ok, "password")
    if not ok:
        return {"password": [gettext("The password is wrong.")]}, 422
    if not second_factor.has_second_factor(db_session(), user):
        return {}, 200
    ok = code_ok(user, request.form.get("code", ""))
    return ({}, 200) if ok else refusal(ok)


@pages.route("/account/second-factor", methods=["GET", "POST"])
def account_enrol() -> Response | Page:
    """Set up one's second factor: the password and a code of the new app."""
    user = _me()
    if second_factor.has_second_factor(db_session(), user):
        return redirect(url_for("pages.account_security"))
    if request.method == "GET":
        return _enrolment_page(user, 200, {}, at_login=False)
    errors, status = reauthenticate(user)
    codes: list[str] = []
    if not errors:
        code = request.form.get("code", "")
        codes, errors = attempt(
            lambda: second_factor.confirm_enrolment(db_session(), user, sealing_key(), code)
        )
        status = 422
    if errors:
        return _enrolment_page(user, status, errors, at_login=False)
    end_other_sessions(user)
    return _codes_page(codes, url_for("pages.account_security"))


@pages.post("/account/second-factor/recovery-codes")
def renew_recovery_codes() -> Page:
    """Ten new recovery codes in place of the old; the password and a code are asked."""
    user = _me()
    errors, status = reauthenticate(user)
    if errors:
        return _security_page(user, status, errors)
    codes = second_factor.renew_recovery_codes(db_session(), user)
    return _codes_page(codes, url_for("pages.account_security"))


@pages.post("/account/second-factor/remove")
def remove_second_factor() -> Response | Page:
    """Remove one's second factor (a new phone): one who must have one sets it up again."""
    user = _me()
    errors, status = reauthenticate(user)
    if errors:
        return _security_page(user, status, errors)
    session = db_session()
    second_factor.remove_own(session, user)
    end_other_sessions(user)
    if second_factor.second_factor_required(session, user):
        return redirect(url_for("pages.account_enrol"))
    return done(gettext("The second factor is removed."), "pages.account_security")


# --- the organisation's administrator ---------------------------------------------------------


@bp.post("/admin/users/<int:user_id>/second-factor/reset")
def reset_member_second_factor(user_id: int) -> Response:
    """Reset a member's second factor: they set up a new one at their next login."""
    membership = _membership(user_id)
    email = membership.user.email
    second_factor.reset_for_member(db_session(), signed_in(), membership)
    message = gettext("The second factor of %(email)s is reset.", email=email)
    return done(message, "admin_pages.user", user_id=user_id)


@bp.post("/admin/second-factor-rule")
def second_factor_rule() -> Response:
    """Require (the box ticked) or not that the organisation's members log in with a second
    factor; audited as a change of the organisation."""
    rule = "second_factor_required" in request.form
    organisations.update_organisation(
        db_session(), signed_in(), organisation(), {"second_factor_required": rule}
    )
    return done(gettext("The login rule is saved."), "admin_pages.agencies")
