"""Who may come in through an identity provider.

A person is matched by the provider's stable subject (issuer and ``sub``) once it is bound to
an account. Before that, only by a verified e-mail address (``email_verified``, or a provider
configured to vouch for its addresses) in a domain an organisation accepts through this
provider, and then only to an existing membership there or an open invitation to it. No
account and no membership is made from a login unless the organisation's administrators have
let that domain join (as readers; audited). Everything else is refused with a message of its
own, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts import invitations
from services.registry.accounts.memberships import record_membership
from services.registry.accounts.models import Membership, User
from services.registry.accounts.permissions import Actor, Role
from services.registry.accounts.users import get_user_by_email, normalise_email
from services.registry.audit.services import record
from services.registry.organisations.models import Organisation
from services.registry.sso.models import AccountIdentity, IdentityProvider, ProviderDomain
from services.registry.sso.protocol import Login
from shared.db import utcnow
from shared.errors import PermissionDenied

# The path of an organisation's people page, for the mail to whoever invited the person.
UsersPath = Callable[[Organisation], str]


def admit(
    session: Session,
    provider: IdentityProvider,
    login: Login,
    remote_addr: str,
    users_path: UsersPath,
) -> User:
    """The account this provider login opens, binding the subject at its first login."""
    if provider.removed_at is not None:
        raise PermissionDenied("sso.provider_removed")
    bound = session.scalar(
        select(AccountIdentity).where(
            AccountIdentity.issuer == login.issuer, AccountIdentity.subject == login.subject
        )
    )
    if bound is None:
        bound = _bind(session, provider, login, users_path)
    user = bound.user
    if not user.is_active:
        raise PermissionDenied("sso.account_inactive")
    bound.provider = provider
    bound.last_login_at = user.last_login_at = utcnow()
    changes = {"provider": provider.public_id, "remote_addr": remote_addr}
    actor = Actor(user_id=user.id, label=user.email)
    record(session, actor, "login.succeeded", "user", user.id, changes=changes)
    return user


def verified_email(provider: IdentityProvider, claims: dict[str, Any]) -> str:
    """The address the provider vouches for, or the refusal."""
    email = claims.get(provider.email_claim)
    vouched = provider.trust_email or claims.get("email_verified") is True
    if not isinstance(email, str) or "@" not in email or not vouched:
        raise PermissionDenied("sso.email_not_verified")
    return normalise_email(email)


def _bind(
    session: Session, provider: IdentityProvider, login: Login, users_path: UsersPath
) -> AccountIdentity:
    email = verified_email(provider, login.claims)
    domain = email.rpartition("@")[2]
    accepting = [
        d
        for d in provider.domains
        if d.domain == domain and d.organisation.membership_status == "active"
    ]
    if not accepting:
        raise PermissionDenied("sso.domain_not_accepted")
    user = get_user_by_email(session, email)
    if user is not None and not user.is_active:
        raise PermissionDenied("sso.account_inactive")
    if user is not None and _bound_at(session, user, login.issuer):
        # This account already logs in with another subject of this provider: an address
        # reused or reassigned there must not open it.
        raise PermissionDenied("sso.account_bound_elsewhere")
    user = _member(session, accepting, email, login.claims, user, users_path)
    identity = AccountIdentity(
        user=user, provider=provider, issuer=login.issuer, subject=login.subject
    )
    session.add(identity)
    changes = {"provider": provider.public_id, "issuer": login.issuer, "subject": login.subject}
    actor = Actor(user_id=user.id, label=user.email)
    record(session, actor, "sso.identity_bound", "user", user.id, changes=changes)
    return identity


def _bound_at(session: Session, user: User, issuer: str) -> bool:
    query = select(AccountIdentity.id).where(
        AccountIdentity.user_id == user.id, AccountIdentity.issuer == issuer
    )
    return session.scalar(query) is not None


def _member(
    session: Session,
    accepting: list[ProviderDomain],
    email: str,
    claims: dict[str, Any],
    user: User | None,
    users_path: UsersPath,
) -> User:
    """The account of an existing or invited membership in an accepting organisation, or a
    reader's new membership where the organisation lets the domain join; else refused."""
    organisation_ids = {d.organisation_id for d in accepting}
    if user is not None and any(m.organisation_id in organisation_ids for m in user.memberships):
        return user
    invited = [
        i
        for i in invitations.open_invitations_for(session, email)
        if i.organisation_id in organisation_ids
    ]
    joining = [d for d in accepting if d.self_join]
    if not invited and not joining:
        raise PermissionDenied("sso.not_invited")
    user = user or _new_user(session, email, claims)
    if invited:
        invitation = invited[0]
        path = users_path(invitations.organisation_of(invitation))
        invitations.accept_invitation_vouched(session, invitation, user, path)
    else:
        _self_join(session, joining[0], user)
    return user


def _new_user(session: Session, email: str, claims: dict[str, Any]) -> User:
    """An account without a password: it is opened through the provider only."""
    name = claims.get("name")
    user = User(email=email, name=(name if isinstance(name, str) and name else email)[:200])
    session.add(user)
    session.flush()
    actor = Actor(user_id=user.id, label=user.email)
    record(session, actor, "user.created", "user", user.id, changes={"email": email})
    return user


def _self_join(session: Session, domain: ProviderDomain, user: User) -> None:
    membership = Membership(user=user, organisation=domain.organisation, roles=[Role.READER.value])
    session.add(membership)
    session.flush()
    actor = Actor(user_id=user.id, label=user.email)
    changes = {"domain": domain.domain, "provider": domain.provider.public_id}
    record(
        session,
        actor,
        "sso.self_joined",
        "user",
        user.id,
        organisation_id=domain.organisation_id,
        changes=changes,
    )
    record_membership(session, actor, membership)
