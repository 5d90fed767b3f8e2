"""API tokens: issued to a member for one organisation, shown once, stored hashed; every
function takes the session and the acting user explicitly."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts.memberships import is_member
from services.registry.accounts.models import ApiToken, User
from services.registry.accounts.permissions import Actor
from services.registry.audit.services import record
from services.registry.organisations.models import Organisation
from shared.db import utcnow
from shared.errors import InvalidInput, NotFound, PermissionDenied
from shared.messages import Message

TOKEN_PREFIX = "ntg"  # noqa: S105 - a public marker that starts every token, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    plaintext: str


def _hash_secret(secret: str) -> str:
    # Token secrets are 256 random bits, so a fast hash is as strong as a slow one here.
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(
    session: Session,
    actor: Actor,
    user: User,
    organisation: Organisation,
    name: str,
    expires_in_days: int | None = None,
) -> IssuedToken:
    """Create a token; the plaintext is returned once and never stored."""
    _check_may_issue(session, actor, user, organisation)
    public_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        public_id=public_id,
        user=user,
        organisation=organisation,
        name=name,
        secret_hash=_hash_secret(secret),
        created_at=now,
        expires_at=now + dt.timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor,
        "token.created",
        "token",
        public_id,
        organisation_id=organisation.id,
        changes={"name": name, "user": user.email},
    )
    return IssuedToken(token, f"{TOKEN_PREFIX}_{public_id}_{secret}")


def _check_may_issue(
    session: Session, actor: Actor, user: User, organisation: Organisation
) -> None:
    """Refuse a token made through a token, for someone else, or outside the user's
    memberships; node administrators may issue tokens for others."""
    if actor.via_token:
        raise PermissionDenied("token.not_by_token")
    if actor.user_id != user.id and not actor.is_node_admin:
        raise PermissionDenied("token.only_own")
    if not is_member(session, user, organisation):
        raise InvalidInput(
            "token.user_not_member", {"organisation": [Message("token.not_a_member")]}
        )


def list_tokens(session: Session, actor: Actor, user: User) -> list[ApiToken]:
    """The user's tokens; through a token, only those of the token's organisation."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    if actor.token_organisation_id is not None:
        query = query.where(ApiToken.organisation_id == actor.token_organisation_id)
    return list(session.scalars(query.order_by(ApiToken.created_at)))


def revoke_token(session: Session, actor: Actor, public_id: str) -> ApiToken:
    token = session.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    if token is None or (token.user_id != actor.user_id and not actor.is_node_admin):
        raise NotFound("token.not_found")
    if actor.via_token:
        raise PermissionDenied("token.revoke_not_by_token")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(
            session,
            actor,
            "token.revoked",
            "token",
            public_id,
            organisation_id=token.organisation_id,
        )
    return token


def authenticate_token(session: Session, presented: str) -> ApiToken | None:
    """The live token matching ``presented``, or None."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.public_id == parts[1]))
    if token is None or not hmac.compare_digest(token.secret_hash, _hash_secret(parts[2])):
        return None
    now = utcnow()
    if token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if not token.user.is_active or token.organisation.membership_status != "active":
        return None
    # Recording every use would make every read a write; a minute's precision is enough.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = now
    return token
