"""Users and their passwords, and the acting user built from a user's memberships; every
function takes the session and the acting user explicitly."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.registry.accounts.browser_sessions import end_sessions
from services.registry.accounts.models import ApiToken, Membership, User
from services.registry.accounts.passwords import hash_password
from services.registry.accounts.permissions import Actor, Role
from services.registry.audit.services import record
from services.registry.organisations.models import Agency
from shared.errors import Conflict, PermissionDenied
from shared.messages import Message


def normalise_email(email: str) -> str:
    return email.strip().lower()


# --- users ---------------------------------------------------------------------------------------


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: Session,
    actor: Actor,
    email: str,
    name: str,
    password: str | None = None,
    is_node_admin: bool = False,
    *,
    must_change_password: bool = False,
) -> User:
    """A new user of the node; ``must_change_password`` when someone else chose the password
    (the command line, a node administrator)."""
    if is_node_admin and not actor.is_node_admin:
        raise PermissionDenied("role.node_admin_for_node_admins")
    if get_user_by_email(session, email) is not None:
        raise Conflict("user.email_taken", {"email": [Message("value.already_in_use")]})
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password) if password else None,
        is_node_admin=is_node_admin,
        must_change_password=bool(password) and must_change_password,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.created", "user", user.id, changes={"email": user.email})
    return user


def set_password(
    session: Session,
    actor: Actor,
    user: User,
    password: str,
    keep_session: str | None = None,
    *,
    must_change: bool = False,
) -> None:
    """Set ``user``'s password and end their browser sessions, all but ``keep_session`` (the
    secret of the browser of a person changing their own password); with ``must_change`` the
    person must choose their own at the next login (the operator, a node administrator)."""
    if actor.user_id != user.id and not actor.is_node_admin:
        raise PermissionDenied("password.only_own")
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    end_sessions(session, user, except_current=keep_session)
    record(session, actor, "user.password_set", "user", user.id)


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
