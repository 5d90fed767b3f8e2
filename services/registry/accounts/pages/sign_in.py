"""The steps of a browser login after the password: the second factor (or its enrolment, for
someone who must have one and has none yet), then the session.

Between the password and the second factor the browser holds a pending login in its signed
session cookie: whose password was right, when, and where to go next. It lasts a few
minutes, is no session (nothing but the second-factor pages accepts it) and is replaced by
the session once the code is right. A password reset and an accepted invitation end here
too, so neither is a way around the second factor.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, redirect, request, url_for
from flask import session as browser_session
from werkzeug.wrappers import Response

from services.registry.accounts import second_factor, services
from services.registry.accounts.models import User
from services.registry.context import session_limits
from shared.web import db_session

# How long the second-factor step waits for its code after a right password.
PENDING_SECONDS = 300
_PENDING = "pending_login"


def sealing_key() -> bytes:
    """The key that seals TOTP secrets, derived from this node's SECRET_KEY."""
    return second_factor.sealing_key(current_app.config["SECRET_KEY"])


def begin_browser_login(user: User, *, multi_factor: bool) -> str:
    """Begin ``user``'s browser session once every factor of the login is checked: after the
    password and, for a password account with a second factor, its code; or after an
    identity provider's login (multi-factor when it met the provider's configured acr level).
    Returns the session's secret, which the cookie carries."""
    session = db_session()
    services.prune_sessions(session, session_limits())
    remote = request.remote_addr or "unknown"
    secret = services.begin_session(session, user, remote, request.user_agent.string)
    _fresh_cookie()
    browser_session.permanent = True
    browser_session["sid"] = secret
    browser_session["multi_factor"] = multi_factor
    return secret


def finish_password_login(user: User, target: str) -> Response:
    """After a right password (a login, a reset, an accepted invitation): the second factor's
    page when the account has one, its enrolment when the account must have one, else the
    session and ``target``."""
    session = db_session()
    if second_factor.has_second_factor(session, user):
        _hold(user, target)
        return redirect(url_for("pages.login_code"))
    if second_factor.second_factor_required(session, user):
        _hold(user, target)
        return redirect(url_for("pages.login_enrol"))
    begin_browser_login(user, multi_factor=False)
    return after_login(user, target)


def after_login(user: User, target: str) -> Response:
    """Where a completed login goes: one's own password first where another chose it."""
    if user.must_change_password:
        return redirect(url_for("pages.change_password", next=target))
    return redirect(target)


def _fresh_cookie() -> None:
    """Empty the browser's cookie for a new login (nothing of before carries over), keeping
    only the messages just flashed for the next page ("Your new password is saved.")."""
    flashes = browser_session.get("_flashes")
    browser_session.clear()
    if flashes:
        browser_session["_flashes"] = flashes


def _hold(user: User, target: str) -> None:
    _fresh_cookie()
    browser_session[_PENDING] = {"user": user.id, "at": time.time(), "next": target}


def pending_login() -> tuple[User, str] | None:
    """The user whose password was right in this browser a moment ago, and where they were
    going; None when there is none or it has expired."""
    held: Any = browser_session.get(_PENDING)
    if not isinstance(held, dict) or time.time() - float(held.get("at", 0)) > PENDING_SECONDS:
        return None
    user = db_session().get(User, held.get("user"))
    if user is None or not user.is_active:
        return None
    return user, str(held.get("next") or url_for("pages.home"))
