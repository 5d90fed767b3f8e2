"""The node's users as its administrators see them: every account on the node, deactivated
and reactivated as a whole (memberships belong to the organisations' administrators)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.registry.accounts.browser_sessions import end_sessions
from services.registry.accounts.models import Membership, User
from services.registry.accounts.permissions import Actor
from services.registry.audit.services import record
from shared.errors import Conflict, NotFound, PermissionDenied


def _require_node_admin(actor: Actor) -> None:
    if not actor.is_node_admin:
        raise PermissionDenied("role.node_admin_for_users")


def list_users(session: Session, actor: Actor) -> list[User]:
    """Every user on the node, by e-mail address; for node administrators only."""
    _require_node_admin(actor)
    query = (
        select(User)
        .order_by(User.email)
        .options(selectinload(User.memberships).selectinload(Membership.organisation))
    )
    return list(session.scalars(query))


def get_user(session: Session, actor: Actor, user_id: int) -> User:
    """One user on the node; for node administrators only."""
    _require_node_admin(actor)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user.not_found")
    return user


def deactivate_user(session: Session, actor: Actor, user: User) -> None:
    """Shut ``user`` out: their browser sessions end now and their API tokens stop working.
    Their memberships stay, so reactivating gives back what they had."""
    _require_node_admin(actor)
    if user.id == actor.user_id:
        raise Conflict("user.cannot_deactivate_self")
    if not user.is_active:
        return
    user.is_active = False
    ended = end_sessions(session, user)
    record(session, actor, "user.deactivated", "user", user.id, changes={"sessions_ended": ended})


def reactivate_user(session: Session, actor: Actor, user: User) -> None:
    """Let a deactivated user log in again (with the password they had)."""
    _require_node_admin(actor)
    if user.is_active:
        return
    user.is_active = True
    record(session, actor, "user.reactivated", "user", user.id)
