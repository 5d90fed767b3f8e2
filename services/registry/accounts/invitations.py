"""Invitations: an organisation's administrator offers a person roles by e-mail; the person
becomes a member only by accepting, with a password of their own (a new account) or by logging
in (an existing one). Every function takes the session and the acting user explicitly.

The administrator's answer never depends on whether the address already has an account on
the node: the invitation is made for the address alone, and nothing about an existing account
(its name, its other organisations) is read until its owner accepts.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts import onetime
from services.registry.accounts.memberships import (
    agencies_of,
    check_roles,
    is_member,
    record_membership,
)
from services.registry.accounts.models import AccountToken, Membership, User
from services.registry.accounts.passwords import hash_password
from services.registry.accounts.permissions import Actor
from services.registry.accounts.users import get_user_by_email, normalise_email
from services.registry.audit.services import record
from services.registry.mail.services import enqueue_mail
from services.registry.organisations.models import Organisation
from shared import vocab
from shared.db import utcnow
from shared.errors import Conflict, InvalidInput, NotFound
from shared.messages import Message

# The path of the page a link opens, from its secret: the pages know their routes, and the mail
# makes the path absolute under the registry's public address.
PathTo = Callable[[str], str]


def invite(
    session: Session,
    actor: Actor,
    organisation: Organisation,
    *,
    email: str,
    roles: list[str],
    agencies: list[str],
    path_to: PathTo,
    language: str,
) -> AccountToken:
    """Invite ``email`` to ``organisation`` with these roles, and mail the link (7 days)."""
    actor.require_admin(organisation.id)
    check_roles(roles, agencies)
    agencies_of(session, organisation, agencies)
    email = _invitable(session, organisation, email)
    issued = onetime.issue(
        session,
        onetime.INVITATION,
        email=email,
        organisation=organisation,
        roles=sorted(set(roles)),
        agencies=sorted(set(agencies)),
        created_by=session.get(User, actor.user_id) if actor.user_id else None,
        language=language,
    )
    record(
        session,
        actor,
        "invitation.created",
        "invitation",
        issued.token.public_id,
        organisation_id=organisation.id,
        changes={"email": email, "roles": issued.token.roles, "agencies": issued.token.agencies},
    )
    _mail_invitation(session, issued, path_to)
    return issued.token


def _invitable(session: Session, organisation: Organisation, email: str) -> str:
    """The address to invite, unless an invitation to it is open or it is a member already."""
    email = normalise_email(email)
    if _open_invitation(session, organisation, email) is not None:
        raise InvalidInput(
            "invitation.already_open", {"email": [Message("invitation.open_exists")]}
        )
    existing = get_user_by_email(session, email)
    if existing is not None and is_member(session, existing, organisation):
        raise InvalidInput("member.already", {"email": [Message("member.already")]})
    return email


def _open_invitation(
    session: Session, organisation: Organisation, email: str
) -> AccountToken | None:
    candidates = session.scalars(
        select(AccountToken).where(
            AccountToken.kind == onetime.INVITATION,
            AccountToken.organisation_id == organisation.id,
            AccountToken.email == email,
            AccountToken.used_at.is_(None),
            AccountToken.revoked_at.is_(None),
        )
    )
    return next((t for t in candidates if onetime.is_open(t)), None)


def organisation_of(invitation: AccountToken) -> Organisation:
    """The organisation an invitation is to (every invitation has one)."""
    if invitation.organisation is None:
        raise NotFound("invitation.not_found")
    return invitation.organisation


def _mail_invitation(session: Session, issued: onetime.Issued, path_to: PathTo) -> None:
    token = issued.token
    enqueue_mail(
        session,
        to=token.email,
        language=token.language,
        template="invitation",
        params={
            "organisation": organisation_of(token).name,
            "invited_by": token.created_by.name if token.created_by else "",
            "roles": [vocab.ROLES.get(r).label(token.language) for r in token.roles],
            "invitation_path": path_to(issued.secret),
        },
    )


def list_invitations(
    session: Session, actor: Actor, organisation: Organisation
) -> list[AccountToken]:
    """The organisation's invitations not yet accepted or revoked (expired ones too, to resend)."""
    actor.require_admin(organisation.id)
    query = (
        select(AccountToken)
        .where(
            AccountToken.kind == onetime.INVITATION,
            AccountToken.organisation_id == organisation.id,
            AccountToken.used_at.is_(None),
            AccountToken.revoked_at.is_(None),
        )
        .order_by(AccountToken.email)
    )
    return list(session.scalars(query))


def get_invitation(
    session: Session, actor: Actor, organisation: Organisation, public_id: str
) -> AccountToken:
    """One of the organisation's pending invitations; anything else is 404."""
    for invitation in list_invitations(session, actor, organisation):
        if invitation.public_id == public_id:
            return invitation
    raise NotFound("invitation.not_found")


def resend_invitation(
    session: Session, actor: Actor, invitation: AccountToken, path_to: PathTo
) -> None:
    """Mail a new link (the old one stops working), valid 7 days from now."""
    actor.require_admin(invitation.organisation_id or 0)
    issued = onetime.renew(session, invitation)
    record(
        session,
        actor,
        "invitation.resent",
        "invitation",
        invitation.public_id,
        organisation_id=invitation.organisation_id,
    )
    _mail_invitation(session, issued, path_to)


def revoke_invitation(session: Session, actor: Actor, invitation: AccountToken) -> None:
    """Withdraw an invitation: its link stops working at once."""
    actor.require_admin(invitation.organisation_id or 0)
    invitation.revoked_at = utcnow()
    record(
        session,
        actor,
        "invitation.revoked",
        "invitation",
        invitation.public_id,
        organisation_id=invitation.organisation_id,
    )


# --- accepting ---------------------------------------------------------------------------------


def open_invitation(session: Session, secret: str) -> AccountToken:
    """The invitation behind a link, while it is open; otherwise the one refusal for links."""
    return onetime.find_open(session, onetime.INVITATION, secret)


def has_account(session: Session, invitation: AccountToken) -> bool:
    """Whether the invited address has an account, shown only to the holder of the link."""
    return get_user_by_email(session, invitation.email) is not None


def accept_invitation(
    session: Session, secret: str, name: str, password: str, users_path: str
) -> User:
    """Accept with a new account: the person's own name and password; then they are a member."""
    invitation = onetime.redeem(session, onetime.INVITATION, secret)
    if has_account(session, invitation):
        raise InvalidInput("invitation.log_in_to_accept")
    user = User(email=invitation.email, name=name.strip(), password_hash=hash_password(password))
    session.add(user)
    session.flush()
    record(session, Actor(user_id=user.id, label=user.email), "user.created", "user", user.id)
    _join(session, invitation, user, users_path)
    return user


def accept_invitation_as_user(
    session: Session, actor: Actor, user: User, secret: str, users_path: str
) -> Membership:
    """Accept as the logged-in owner of the invited address."""
    invitation = onetime.redeem(session, onetime.INVITATION, secret)
    if actor.user_id != user.id or user.email != invitation.email:
        raise InvalidInput("invitation.other_address")
    if is_member(session, user, organisation_of(invitation)):
        raise Conflict("member.already")
    return _join(session, invitation, user, users_path)


def open_invitations_for(session: Session, email: str) -> list[AccountToken]:
    """The open invitations to ``email``, oldest first (for a login through an identity
    provider that vouches for the address)."""
    query = select(AccountToken).where(
        AccountToken.kind == onetime.INVITATION,
        AccountToken.email == normalise_email(email),
        AccountToken.used_at.is_(None),
        AccountToken.revoked_at.is_(None),
        AccountToken.expires_at > utcnow(),
    )
    return list(session.scalars(query.order_by(AccountToken.created_at)).all())


def accept_invitation_vouched(
    session: Session, invitation: AccountToken, user: User, users_path: str
) -> Membership:
    """Accept without the link: an identity provider vouched that ``user`` holds the invited
    address (single sign-on). The invitation is used up as by its link."""
    if not onetime.is_open(invitation) or user.email != invitation.email:
        raise InvalidInput("invitation.other_address")
    if is_member(session, user, organisation_of(invitation)):
        raise Conflict("member.already")
    return _join(session, invitation, user, users_path)


def _join(session: Session, invitation: AccountToken, user: User, users_path: str) -> Membership:
    organisation = organisation_of(invitation)
    # Agencies removed since the invitation was sent are left out.
    chosen = [a for a in organisation.agencies if a.public_id in invitation.agencies]
    membership = Membership(
        user=user, organisation=organisation, roles=invitation.roles, agencies=chosen
    )
    session.add(membership)
    invitation.user = user
    onetime.use(session, invitation)
    actor = Actor(user_id=user.id, label=user.email)
    record(
        session,
        actor,
        "invitation.accepted",
        "invitation",
        invitation.public_id,
        organisation_id=organisation.id,
    )
    session.flush()
    record_membership(session, actor, membership)
    _mail_accepted(session, invitation, user, users_path)
    return membership


def _mail_accepted(session: Session, invitation: AccountToken, user: User, users_path: str) -> None:
    admin = invitation.created_by
    if admin is None or not admin.is_active or invitation.organisation is None:
        return
    enqueue_mail(
        session,
        to=admin.email,
        language=invitation.language,
        template="invitation_accepted",
        params={
            "organisation": invitation.organisation.name,
            "email": user.email,
            "name": user.name,
            "users_path": users_path,
        },
        user_id=admin.id,
        optional=True,
    )
