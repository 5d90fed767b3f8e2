"""Memberships: who holds which roles, for which agencies, in an organisation; every function
takes the session and the acting user explicitly."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from services.registry.accounts.models import ApiToken, Membership, User
from services.registry.accounts.permissions import Actor, Role
from services.registry.accounts.users import create_user, get_user_by_email
from services.registry.audit.services import record
from services.registry.organisations.models import Agency, Organisation
from shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shared.messages import Message


def agencies_of(session: Session, organisation: Organisation, ids: Iterable[str]) -> list[Agency]:
    """The organisation's agencies with these public ids; refused when one is not its own."""
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


def check_roles(roles: Sequence[str], agencies: Sequence[str]) -> None:
    """A registrar must be given agencies to work in."""
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
    must_change_password: bool = False,
) -> Membership:
    """Give a user roles in an organisation, creating the user when the address is new (with
    ``must_change_password``, the new user replaces the given password at the first login).

    This adds at once, for operators and node administrators: an organisation's
    administrator invites instead (``invitations``), and nobody joins without accepting."""
    _require_adding_at_once(actor, organisation, password)
    check_roles(roles, agencies)
    chosen = agencies_of(session, organisation, agencies)
    user = _user_to_add(session, actor, email, name, password, must_change_password)
    if is_member(session, user, organisation):
        raise Conflict("member.already")
    membership = Membership(
        user=user, organisation=organisation, roles=sorted(set(roles)), agencies=chosen
    )
    session.add(membership)
    session.flush()
    record_membership(session, actor, membership)
    return membership


def record_membership(session: Session, actor: Actor, membership: Membership) -> None:
    """The audit entry of a new membership: whose, and with which roles and agencies."""
    record(
        session,
        actor,
        "membership.created",
        "user",
        membership.user.id,
        organisation_id=membership.organisation.id,
        changes={
            "roles": membership.roles,
            "agencies": sorted(a.public_id for a in membership.agencies),
        },
    )


def _require_adding_at_once(actor: Actor, organisation: Organisation, password: str | None) -> None:
    """Only a node administrator adds a member at once (and sets a password)."""
    actor.require_admin(organisation.id)
    if password and not actor.is_node_admin:
        # Accounts are shared by every organisation on the node: an organisation's admin who
        # chose a password could later act as that person in another organisation.
        raise PermissionDenied("role.node_admin_for_passwords")
    if not actor.is_node_admin:
        # Adding at once would put another organisation's user in without their consent, and
        # answer with their name: an organisation's administrator invites instead.
        raise PermissionDenied("member.invite_instead")


def is_member(session: Session, user: User, organisation: Organisation) -> bool:
    """Whether ``user`` holds a membership of ``organisation``."""
    found = session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    return found is not None


def _user_to_add(
    session: Session,
    actor: Actor,
    email: str,
    name: str | None,
    password: str | None,
    must_change_password: bool,
) -> User:
    """The user with this address, or a new one; only a new user's password may be set."""
    user = get_user_by_email(session, email)
    if user is None:
        if not name:
            raise InvalidInput("user.name_required", {"name": [Message("member.name_required")]})
        return create_user(
            session, actor, email, name, password, must_change_password=must_change_password
        )
    if password:
        raise InvalidInput("user.exists", {"password": [Message("password.existing_kept")]})
    return user


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
    check_roles(new_roles, new_agencies)
    if (
        actor.user_id == membership.user_id
        and Role.ADMIN in membership.roles
        and Role.ADMIN not in new_roles
    ):
        raise Conflict("member.self_admin_removal")
    membership.roles = new_roles
    membership.agencies = agencies_of(session, organisation, new_agencies)
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
