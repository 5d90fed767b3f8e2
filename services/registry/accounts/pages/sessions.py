"""Page: where one is logged in (each browser session: the browser, the address, since when,
last seen), with a button to end any of them."""

from __future__ import annotations

import re
from typing import Any

from flask import redirect, request, url_for
from flask import session as browser_session
from flask_babel import gettext
from werkzeug.wrappers import Response

from services.registry.accounts import services
from services.registry.accounts.models import User
from services.registry.accounts.pages.people import pages
from services.registry.accounts.pages.second_factor import PRIVATE, Page, _me, refusal, throttled
from services.registry.context import session_limits
from services.registry.ui.pages import done, render_page, signed_in
from shared.web import db_session

# Checked in this order: Edge and Opera also name Chrome, and Chrome also names Safari.
_BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
)


def describe_agent(user_agent: str) -> str:
    """A browser's name and system from its User-Agent, as a person would say it
    ("Firefox on Linux"); the header as sent when neither is known."""
    browser = next((name for name, rx in _BROWSERS if re.search(rx, user_agent)), None)
    system = next((name for name, rx in _SYSTEMS if re.search(rx, user_agent)), None)
    if browser and system:
        return gettext("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or user_agent or gettext("Unknown browser")


def _current_secret() -> str | None:
    secret = browser_session.get("sid")
    return secret if isinstance(secret, str) else None


def _wrong_password() -> dict[str, list[str]]:
    return {"password": [gettext("The password is wrong.")]}


@pages.get("/account/sessions")
def account_sessions() -> Page:
    return _sessions_page(_me())


def _sessions_page(user: User, status: int = 200, errors: dict[str, Any] | None = None) -> Page:
    here = _current_secret()
    rows = [
        {
            "record": found,
            "browser": describe_agent(found.user_agent),
            "current": services.is_session_of(found, here),
        }
        for found in services.list_sessions(db_session(), user, session_limits())
    ]
    html = render_page(
        "account_sessions.html", status, sessions=rows, user=user, errors=errors or {}
    )
    return (*html, PRIVATE)


@pages.post("/account/sessions/<int:session_id>/end")
def end_account_session(session_id: int) -> Response | Page:
    """End one of one's sessions, the password confirmed (ASVS 7.5.2; an account without one,
    which logs in through an identity provider, has none to give); ending this browser's own
    is logging out here."""
    user = _me()
    services.get_own_session(db_session(), signed_in(), user, session_id)
    if user.password_hash is not None:
        password = request.form.get("password", "")
        ok = throttled(user, lambda: services.verify_password(user, password))
        if not ok:
            errors, status = refusal(ok, "password") if ok is None else (_wrong_password(), 422)
            return _sessions_page(user, status, errors)
    ended = services.end_own_session(db_session(), signed_in(), user, session_id)
    if services.is_session_of(ended, _current_secret()):
        browser_session.clear()
        return redirect(url_for("pages.login"))
    return done(gettext("The session is ended."), "pages.account_sessions")
