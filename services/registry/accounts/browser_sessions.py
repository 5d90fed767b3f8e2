"""Browser sessions kept on the server: begun at login, checked on every request, ended by
logout, by a new password, by deactivation, after an absolute lifetime and after idle time.

The browser's cookie carries only a random secret (256 bits); the database keeps its SHA-256,
so neither a copied database nor a copied cookie outlives the session's record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.registry.accounts.models import BrowserSession, User
from services.registry.accounts.permissions import Actor
from services.registry.audit.services import record
from shared.db import utcnow
from shared.errors import NotFound

# Seeing a session again sooner than this does not rewrite its record, so that pages and
# their assets do not each write to the database; the idle timeout is minutes or hours.
_SEEN_RESOLUTION = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class SessionLimits:
    """How long a browser login lasts at most, and how long it may lie unused."""

    lifetime: dt.timedelta
    idle: dt.timedelta


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def begin_session(session: Session, user: User, remote_addr: str, user_agent: str) -> str:
    """Record a new login of ``user`` and return the secret for the browser's cookie."""
    secret = secrets.token_urlsafe(32)
    address_length = BrowserSession.remote_addr.type.length
    agent_length = BrowserSession.user_agent.type.length
    session.add(
        BrowserSession(
            secret_hash=_digest(secret),
            user_id=user.id,
            remote_addr=remote_addr[:address_length],
            user_agent=user_agent[:agent_length],
        )
    )
    return secret


def find_session(session: Session, secret: str, limits: SessionLimits) -> BrowserSession | None:
    """The live session of this secret, seen now; None (and the record gone) when it has
    passed its lifetime or its idle time, or when its user is deactivated."""
    found = session.scalar(
        select(BrowserSession).where(BrowserSession.secret_hash == _digest(secret))
    )
    if found is None:
        return None
    now = utcnow()
    expired = (
        now - found.created_at >= limits.lifetime
        or now - found.last_seen_at >= limits.idle
        or not found.user.is_active
    )
    if expired:
        session.delete(found)
        return None
    if now - found.last_seen_at >= _SEEN_RESOLUTION:
        found.last_seen_at = now
    return found


def end_session(session: Session, secret: str) -> None:
    """End the session of this secret (logout); an unknown secret is already ended."""
    session.execute(delete(BrowserSession).where(BrowserSession.secret_hash == _digest(secret)))


def end_sessions(session: Session, user: User, except_current: str | None = None) -> int:
    """End every browser session of ``user`` (a new password, a reset, deactivation); with
    ``except_current`` (the secret of the browser making the change) that one stays.
    Returns how many were ended."""
    query = delete(BrowserSession).where(BrowserSession.user_id == user.id)
    if except_current is not None:
        query = query.where(BrowserSession.secret_hash != _digest(except_current))
    result = session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


def prune_sessions(session: Session, limits: SessionLimits) -> int:
    """Delete the records of sessions past their lifetime or idle time; returns how many."""
    now = utcnow()
    result = session.execute(
        delete(BrowserSession).where(
            (BrowserSession.created_at <= now - limits.lifetime)
            | (BrowserSession.last_seen_at <= now - limits.idle)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def list_sessions(session: Session, user: User, limits: SessionLimits) -> list[BrowserSession]:
    """``user``'s live browser sessions, the most recently seen first."""
    now = utcnow()
    return list(
        session.scalars(
            select(BrowserSession)
            .where(
                BrowserSession.user_id == user.id,
                BrowserSession.created_at > now - limits.lifetime,
                BrowserSession.last_seen_at > now - limits.idle,
            )
            .order_by(BrowserSession.last_seen_at.desc(), BrowserSession.id.desc())
        )
    )


def is_session_of(found: BrowserSession, secret: str | None) -> bool:
    """Whether ``found`` is the session this secret (a browser's cookie) belongs to."""
    return secret is not None and found.secret_hash == _digest(secret)


def get_own_session(session: Session, actor: Actor, user: User, session_id: int) -> BrowserSession:
    """One of ``user``'s own sessions, for ``user`` only; another person's session, or one
    already ended, is not found."""
    found = session.get(BrowserSession, session_id)
    if found is None or found.user_id != user.id or actor.user_id != user.id:
        raise NotFound("session.not_found")
    return found


def end_own_session(session: Session, actor: Actor, user: User, session_id: int) -> BrowserSession:
    """End one of ``user``'s own sessions (a browser left logged in elsewhere); audited."""
    found = get_own_session(session, actor, user, session_id)
    session.delete(found)
    record(
        session,
        actor,
        "session.ended",
        "user",
        user.id,
        changes={"remote_addr": found.remote_addr, "user_agent": found.user_agent},
    )
    return found
