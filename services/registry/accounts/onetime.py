"""One-time links for invitations and password resets: issued with 256 random bits, stored as
a SHA-256 hash, valid for a while, used once; every function takes the session explicitly."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts.models import AccountToken, User
from services.registry.organisations.models import Organisation
from shared.db import utcnow
from shared.errors import InvalidInput

INVITATION = "invitation"
RESET = "password_reset"
LIFETIMES = {INVITATION: dt.timedelta(days=7), RESET: dt.timedelta(hours=1)}


@dataclass(frozen=True)
class Issued:
    """A new link's record, and its secret, which is never stored and shown (mailed) once."""

    token: AccountToken
    secret: str


def hash_secret(secret: str) -> str:
    # 256 random bits: a fast hash is as strong as a slow one, and lookups stay an index probe.
    return hashlib.sha256(secret.encode()).hexdigest()


def invalid_link() -> InvalidInput:
    """The one refusal for a link that is forged, used, revoked or expired: which of these it
    was would tell a guesser nothing useful, and the person needs only to ask for a new one."""
    return InvalidInput("link.invalid")


def issue(
    session: Session,
    kind: str,
    *,
    email: str,
    user: User | None = None,
    organisation: Organisation | None = None,
    roles: list[str] | None = None,
    agencies: list[str] | None = None,
    created_by: User | None = None,
    language: str = "nb",
) -> Issued:
    """Create a link of ``kind``, valid from now for that kind's lifetime."""
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    token = AccountToken(
        public_id=secrets.token_hex(8),
        kind=kind,
        secret_hash=hash_secret(secret),
        email=email,
        user=user,
        organisation=organisation,
        roles=roles or [],
        agencies=agencies or [],
        created_by=created_by,
        language=language,
        created_at=now,
        expires_at=now + LIFETIMES[kind],
    )
    session.add(token)
    session.flush()
    return Issued(token, secret)


def renew(session: Session, token: AccountToken) -> Issued:
    """A new secret and a new lifetime for an open link; the old secret stops working."""
    secret = secrets.token_urlsafe(32)
    token.secret_hash = hash_secret(secret)
    token.expires_at = utcnow() + LIFETIMES[token.kind]
    session.flush()
    return Issued(token, secret)


def is_open(token: AccountToken) -> bool:
    """Neither used, revoked nor expired."""
    return token.used_at is None and token.revoked_at is None and token.expires_at > utcnow()


def find_open(session: Session, kind: str, secret: str, *, lock: bool = False) -> AccountToken:
    """The open link of ``kind`` with this secret, or the one refusal for links; with ``lock``,
    locked for this transaction, so that two requests with one link cannot both use it."""
    query = select(AccountToken).where(
        AccountToken.kind == kind, AccountToken.secret_hash == hash_secret(secret)
    )
    token = session.scalar(query.with_for_update() if lock else query)
    if token is None or not is_open(token):
        raise invalid_link()
    return token


def redeem(session: Session, kind: str, secret: str) -> AccountToken:
    """The open link of ``kind`` with this secret, locked until the transaction ends."""
    return find_open(session, kind, secret, lock=True)


def use(session: Session, token: AccountToken) -> None:
    """Mark the link used: it never works again."""
    token.used_at = utcnow()
    session.flush()
