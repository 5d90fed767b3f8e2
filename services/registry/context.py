"""Request context of the registry: the database session and the acting user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from flask import current_app, g, request
from flask import session as browser_session
from flask_smorest import Blueprint
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from services.registry.accounts.models import User
from services.registry.accounts.permissions import Actor
from services.registry.accounts.services import (
    SessionLimits,
    authenticate_token,
    build_actor,
    find_session,
)
from shared.errors import AuthenticationRequired
from shared.web import db_session

csrf = CSRFProtect()
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
View = TypeVar("View", bound=Callable[..., object])


def public(blp: Blueprint) -> Callable[[View], View]:
    """Mark an API operation anyone may call, such as the reference data.

    It is documented without a security requirement and answered without credentials. Every
    other API operation answers an anonymous request with a 401 before it reads the request,
    so the answer to a missing login is the same whatever the request holds.
    """

    def mark(view: View) -> View:
        view.public = True  # type: ignore[attr-defined]
        return blp.doc(security=[])(view)

    return mark


def _is_public_api_operation() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    method = request.method.lower()
    operation = getattr(view_class, "get" if method == "head" else method, None)
    # Not an API operation of ours (a page, OPTIONS, a route that does not exist): let it pass.
    return operation is None or getattr(operation, "public", False)


def session_limits() -> SessionLimits:
    """The absolute lifetime and the idle timeout of a browser login, from the settings."""
    config = current_app.config
    return SessionLimits(
        lifetime=dt.timedelta(hours=config["SESSION_LIFETIME_HOURS"]),
        idle=dt.timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
    )


def _session_user(session: Session) -> User | None:
    """The user of the browser's live session; a cookie whose session has ended is cleared."""
    secret = browser_session.get("sid")
    if secret is None:
        return None
    found = find_session(session, secret, session_limits()) if isinstance(secret, str) else None
    if found is None:
        browser_session.clear()
        return None
    return found.user


def authenticate() -> None:
    """Find the actor of this request: an API token, or a browser session with CSRF checked."""
    g.actor = None
    header = request.headers.get("Authorization")
    session = db_session()
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthenticationRequired("token.header_form")
        token = authenticate_token(session, value.strip())
        if token is None:
            raise AuthenticationRequired("token.invalid")
        g.actor = build_actor(session, token.user, token)
        return
    user = _session_user(session)
    if user is None:
        if request.path.startswith("/api/") and not _is_public_api_operation():
            raise AuthenticationRequired("login.required_or_token")
        return
    g.actor = build_actor(session, user)
    # Cookies ride along on cross-site requests; tokens do not, so only sessions need CSRF.
    if request.method not in SAFE_METHODS:
        csrf.protect()


def current_actor() -> Actor:
    """The acting user, or 401 when the request is anonymous."""
    actor: Actor | None = g.get("actor")
    if actor is None:
        raise AuthenticationRequired("login.required_or_token")
    return actor
