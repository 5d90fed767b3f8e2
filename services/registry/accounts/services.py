"""Users, memberships, passwords, API tokens and login; every function takes the session and
the acting user explicitly."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from services.registry.accounts.models import ApiToken, LoginFailure, Membership, User
from services.registry.accounts.permissions import Actor, Role
from services.registry.audit.services import record
from services.registry.organisations.models import Agency, Organisation
from shared.db import utcnow
from shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TooManyRequests
from shared.messages import Message

PASSWORD_MIN_LENGTH = 12
TOKEN_PREFIX = "ntg"  # noqa: S105 - a public marker that starts every token, not a secret
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both paths cost one argon2 check."""
    return _hasher.hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- passwords ---------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidInput(
            "password.too_short",
            {"password": [Message("password.min_length", min=PASSWORD_MIN_LENGTH)]},
        )
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password in constant work whether or not the user exists; rehash when due."""
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None or not user.password_hash:
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


# --- users and memberships ---------------------------------------------------------------------


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session,
    actor: Actor,
    email: str,
    name: str,
    password: str | None = None,
    is_node_admin: bool = False,
) -> User:
    if is_node_admin and not actor.is_node_admin:
        raise PermissionDenied("role.node_admin_for_node_admins")
    if get_user_by_email(session, email) is not None:
        raise Conflict("user.email_taken", {"email": [Message("value.already_in_use")]})
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password) if password else None,
        is_node_admin=is_node_admin,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.created", "user", user.id, changes={"email": user.email})
    return user


def set_password(session: Session, actor: Actor, user: User, password: str) -> None:
    if actor.user_id != user.id and not actor.is_node_admin:
        raise PermissionDenied("password.only_own")
    user.password_hash = hash_password(password)
    record(session, actor, "user.password_set", "user", user.id)


def _agencies_of(session: Session, organisation: Organisation, ids: Iterable[str]) -> list[Agency]:
    ids = list(ids)
    found = session.scalars(
        select(Agency).where(Agency.organisation_id == organisation.id, Agency.public_id.in_(ids))
    ).all()
    missing = sorted(set(ids) - {a.public_id for a in found})
    if missing:
        raise InvalidInput(
            "agency.unknown",
            {"agencies": [Message("agency.not_here_list", ids=", ".join(missing))]},
        )
    return list(found)


def _check_roles(roles: Sequence[str], agencies: Sequence[str]) -> None:
    if Role.REGISTRAR in roles and not agencies:
        raise InvalidInput(
            "member.registrar_needs_agencies", {"agencies": [Message("member.registrar_agencies")]}
        )


def list_members(session: Session, actor: Actor, organisation: Organisation) -> list[Membership]:
    actor.require_admin(organisation.id)
    query = (
        select(Membership)
        .where(Membership.organisation_id == organisation.id)
        .options(selectinload(Membership.user), selectinload(Membership.agencies))
        .join(User)
        .order_by(User.email)
    )
    return list(session.scalars(query))


def get_membership(
    session: Session, actor: Actor, organisation: Organisation, user_id: int
) -> Membership:
    actor.require_admin(organisation.id)
    membership = session.scalar(
        select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.user_id == user_id
        )
    )
    if membership is None:
        raise NotFound("member.not_found")
    return membership


def add_member(
    session: Session,
    actor: Actor,
    organisation: Organisation,
    *,
    email: str,
    name: str | None,
    roles: Sequence[str],
    agencies: Sequence[str] = (),
    password: str | None = None,
) -> Membership:
    """Give a user roles in an organisation, creating the user when the address is new."""
    actor.require_admin(organisation.id)
    if password and not actor.is_node_admin:
        # Accounts are shared by every organisation on the node: an organisation's admin who
        # chose a password could later act as that person in another organisation.
        raise PermissionDenied("role.node_admin_for_passwords")
    _check_roles(roles, agencies)
    chosen = _agencies_of(session, organisation, agencies)
    user = get_user_by_email(session, email)
    if user is None:
        if not name:
            raise InvalidInput("user.name_required", {"name": [Message("member.name_required")]})
        user = create_user(session, actor, email, name, password)
    elif password:
        raise InvalidInput("user.exists", {"password": [Message("member.password_not_yours")]})
    exists = session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    if exists:
        raise Conflict("member.already")
    membership = Membership(
        user=user, organisation=organisation, roles=sorted(set(roles)), agencies=chosen
    )
    session.add(membership)
    session.flush()
    record(
        session,
        actor,
        "membership.created",
        "user",
        user.id,
        organisation_id=organisation.id,
        changes={"roles": membership.roles, "agencies": sorted(agencies)},
    )
    return membership


def update_member(
    session: Session,
    actor: Actor,
    membership: Membership,
    *,
    roles: Sequence[str] | None = None,
    agencies: Sequence[str] | None = None,
) -> Membership:
    organisation = membership.organisation
    actor.require_admin(organisation.id)
    before = {
        "roles": membership.roles,
        "agencies": sorted(a.public_id for a in membership.agencies),
    }
    new_roles = sorted(set(roles)) if roles is not None else membership.roles
    new_agencies = agencies if agencies is not None else before["agencies"]
    _check_roles(new_roles, new_agencies)
    if (
        actor.user_id == membership.user_id
        and Role.ADMIN in membership.roles
        and Role.ADMIN not in new_roles
    ):
        raise Conflict("member.self_admin_removal")
    membership.roles = new_roles
    membership.agencies = _agencies_of(session, organisation, new_agencies)
    after = {"roles": new_roles, "agencies": sorted(new_agencies)}
    record(
        session,
        actor,
        "membership.updated",
        "user",
        membership.user_id,
        organisation_id=organisation.id,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return membership


def remove_member(session: Session, actor: Actor, membership: Membership) -> None:
    actor.require_admin(membership.organisation_id)
    if actor.user_id == membership.user_id:
        raise Conflict("member.self_removal")
    session.execute(
        delete(ApiToken).where(
            ApiToken.user_id == membership.user_id,
            ApiToken.organisation_id == membership.organisation_id,
        )
    )
    record(
        session,
        actor,
        "membership.removed",
        "user",
        membership.user_id,
        organisation_id=membership.organisation_id,
        changes={"roles": membership.roles},
    )
    session.delete(membership)


# --- the acting user ---------------------------------------------------------------------------


def build_actor(session: Session, user: User, token: ApiToken | None = None) -> Actor:
    """The actor for a logged-in user, or for a token (only the token's organisation counts)."""
    query = select(Membership).where(Membership.user_id == user.id)
    if token is not None:
        query = query.where(Membership.organisation_id == token.organisation_id)
    memberships = session.scalars(
        query.options(selectinload(Membership.agencies), selectinload(Membership.organisation))
    ).all()
    active = [m for m in memberships if m.organisation.membership_status == "active"]
    children: dict[int, list[int]] = {}
    if active:
        rows = session.execute(
            select(Agency.id, Agency.parent_id).where(
                Agency.organisation_id.in_([m.organisation_id for m in active]),
                Agency.parent_id.is_not(None),
            )
        )
        for agency_id, parent_id in rows:
            if parent_id is not None:
                children.setdefault(parent_id, []).append(agency_id)
    roles = {m.organisation_id: frozenset(Role(r) for r in m.roles) for m in active}
    agencies = {m.organisation_id: _with_sections(m.agencies, children) for m in active}
    return Actor(
        user_id=user.id,
        label=user.email,
        is_node_admin=user.is_node_admin and token is None,
        roles=roles,
        agencies=agencies,
        token_organisation_id=token.organisation_id if token else None,
    )


def _with_sections(chosen: Iterable[Agency], children: dict[int, list[int]]) -> frozenset[int]:
    """The chosen agencies and, below them, their sections."""
    allowed = {a.id for a in chosen}
    stack = list(allowed)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in allowed:
                allowed.add(child)
                stack.append(child)
    return frozenset(allowed)


# --- API tokens --------------------------------------------------------------------------------


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
    if actor.via_token:
        raise PermissionDenied("token.not_by_token")
    if actor.user_id != user.id and not actor.is_node_admin:
        raise PermissionDenied("token.only_own")
    is_member = session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    if not is_member:
        raise InvalidInput(
            "token.user_not_member", {"organisation": [Message("token.not_a_member")]}
        )
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


# --- login -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    max_per_account: int
    max_per_address: int
    window: dt.timedelta


def check_throttle(session: Session, throttle: Throttle, email: str, remote_addr: str) -> None:
    """Refuse a login attempt while either the account or the address has too many failures."""
    since = utcnow() - throttle.window
    email = normalise_email(email)
    # Parallel attempts on one account queue here, so none of them counts a stale total.
    session.execute(select(User.id).where(User.email == email).with_for_update())
    by_account = session.scalar(
        select(func.count()).where(LoginFailure.email == email, LoginFailure.at > since)
    )
    by_address = session.scalar(
        select(func.count()).where(LoginFailure.remote_addr == remote_addr, LoginFailure.at > since)
    )
    if (by_account or 0) >= throttle.max_per_account or (
        by_address or 0
    ) >= throttle.max_per_address:
        raise TooManyRequests("login.throttled", retry_after=int(throttle.window.total_seconds()))


def record_login_failure(
    session: Session, throttle: Throttle, email: str, remote_addr: str
) -> None:
    """Count a failed (or refused) attempt, and forget those older than the window, so the
    table holds one window's attempts and no more. What was typed is cut to the column's
    length: no account has a longer address, and the attempt still counts for the address."""
    session.execute(delete(LoginFailure).where(LoginFailure.at <= utcnow() - throttle.window))
    email_column, address_column = LoginFailure.email.type, LoginFailure.remote_addr.type
    session.add(
        LoginFailure(
            email=normalise_email(email)[: email_column.length],
            remote_addr=remote_addr[: address_column.length],
        )
    )


def login(session: Session, email: str, password: str, remote_addr: str) -> User | None:
    """The active user with this e-mail and password, or None.

    Clears only the failures this address made on this account: those made from elsewhere
    (someone guessing this account's password) and this address's failures on other accounts
    keep counting, so knowing one password does not reset anyone else's throttle.
    """
    user = get_user_by_email(session, email)
    if not verify_password(user, password) or user is None or not user.is_active:
        return None
    user.last_login_at = utcnow()
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.email == user.email, LoginFailure.remote_addr == remote_addr
        )
    )
    return user
