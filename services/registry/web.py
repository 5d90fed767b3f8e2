"""Request context of the registry: the database session and the acting user."""

from __future__ import annotations

import hashlib

from flask import current_app, g, request
from flask import session as browser_session
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from services.registry.accounts.models import User
from services.registry.accounts.permissions import Actor
from services.registry.accounts.services import authenticate_token, build_actor
from shared.errors import AuthenticationRequired
from shared.web import RequestDatabase

csrf = CSRFProtect()
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db_session() -> Session:
    database: RequestDatabase = current_app.extensions["nettungen.db"]
    return database.session


def session_fingerprint(user: User) -> str:
    """Ties a browser session to the password it was made with: a new password ends it."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def authenticate() -> None:
    """Find the actor of this request: an API token, or a browser session with CSRF checked."""
    g.actor = None
    header = request.headers.get("Authorization")
    session = db_session()
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise AuthenticationRequired("Use the header 'Authorization: Bearer <token>'.")
        token = authenticate_token(session, value.strip())
        if token is None:
            raise AuthenticationRequired("The API token is invalid, expired or revoked.")
        g.actor = build_actor(session, token.user, token)
        return
    user_id = browser_session.get("user_id")
    if user_id is None:
        return
    user = session.get(User, user_id)
    if (
        user is None
        or not user.is_active
        or browser_session.get("auth") != session_fingerprint(user)
    ):
        browser_session.clear()
        return
    g.actor = build_actor(session, user)
    # Cookies ride along on cross-site requests; tokens do not, so only sessions need CSRF.
    if request.method not in SAFE_METHODS:
        csrf.protect()


def current_actor() -> Actor:
    """The acting user, or 401 when the request is anonymous."""
    actor: Actor | None = g.get("actor")
    if actor is None:
        raise AuthenticationRequired("Log in, or send an API token.")
    return actor
