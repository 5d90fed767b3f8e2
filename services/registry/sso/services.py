"""The sign-on service layer as its callers use it: identity providers and the domains
organisations accept through them (this module), the OpenID Connect protocol
(``protocol``) and who may come in (``admission``). Flask-free."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts.models import BrowserSession
from services.registry.accounts.permissions import Actor
from services.registry.audit.services import record
from services.registry.organisations import services as organisations
from services.registry.organisations.models import Organisation
from services.registry.sso.admission import admit
from services.registry.sso.models import (
    AccountIdentity,
    IdentityProvider,
    ProviderDomain,
    ProviderLogin,
)
from services.registry.sso.protocol import (
    Login,
    Metadata,
    Pending,
    begin_login,
    discover,
    finish_login,
    logout_url,
)
from shared.db import utcnow
from shared.errors import Conflict, NotFound, PermissionDenied, ServiceUnavailable

__all__ = [
    "Login",
    "Metadata",
    "Pending",
    "admit",
    "begin_login",
    "discover",
    "finish_login",
    "logout_url",
]


def _require_node_admin(actor: Actor) -> None:
    if not actor.is_node_admin:
        raise PermissionDenied("role.node_admin_for_sso")


def list_providers(
    session: Session, *, include_removed: bool = False
) -> Sequence[IdentityProvider]:
    """The providers people may log in with (their names are public: the login page shows
    them); with ``include_removed``, the removed ones too."""
    query = select(IdentityProvider).order_by(IdentityProvider.name)
    if not include_removed:
        query = query.where(IdentityProvider.removed_at.is_(None))
    return session.scalars(query).all()


def get_provider(session: Session, public_id: str) -> IdentityProvider:
    """A provider by its id, removed or not (a login through a removed one is refused with
    a message of its own)."""
    found = session.scalar(select(IdentityProvider).where(IdentityProvider.public_id == public_id))
    if found is None:
        raise NotFound("sso.provider_not_found")
    return found


def create_provider(session: Session, actor: Actor, data: dict[str, Any]) -> IdentityProvider:
    """A new provider from a node administrator's validated settings; audited without the
    secret's location's content (only the reference is ever stored)."""
    _require_node_admin(actor)
    if session.scalar(
        select(IdentityProvider.id).where(IdentityProvider.public_id == data["public_id"])
    ):
        raise Conflict("sso.provider_id_taken")
    provider = IdentityProvider(**data)
    session.add(provider)
    session.flush()
    record(
        session,
        actor,
        "sso.provider_created",
        "identity_provider",
        provider.public_id,
        changes=data,
    )
    return provider


def remove_provider(session: Session, actor: Actor, provider: IdentityProvider) -> None:
    """Nobody logs in through it any more; its bound subjects stay on record, refused."""
    _require_node_admin(actor)
    if provider.removed_at is not None:
        raise Conflict("sso.provider_removed")
    provider.removed_at = utcnow()
    record(session, actor, "sso.provider_removed", "identity_provider", provider.public_id)


def add_domain(
    session: Session, actor: Actor, provider: IdentityProvider, data: dict[str, Any]
) -> ProviderDomain:
    """Let an organisation accept an e-mail domain through ``provider``."""
    _require_node_admin(actor)
    org = organisations.get_organisation(session, actor, data["organisation_number"])
    domain = data["domain"].lower()
    taken = select(ProviderDomain.id).where(
        ProviderDomain.provider_id == provider.id,
        ProviderDomain.organisation_id == org.id,
        ProviderDomain.domain == domain,
    )
    if session.scalar(taken) is not None:
        raise Conflict("sso.domain_taken")
    found = ProviderDomain(provider=provider, organisation=org, domain=domain)
    session.add(found)
    session.flush()
    changes = {"provider": provider.public_id, "domain": domain}
    record(
        session,
        actor,
        "sso.domain_added",
        "identity_provider",
        provider.public_id,
        organisation_id=org.id,
        changes=changes,
    )
    return found


def _domain(session: Session, domain_id: int) -> ProviderDomain:
    found = session.get(ProviderDomain, domain_id)
    if found is None:
        raise NotFound("sso.domain_not_found")
    return found


def remove_domain(
    session: Session, actor: Actor, provider: IdentityProvider, domain_id: int
) -> None:
    _require_node_admin(actor)
    found = _domain(session, domain_id)
    if found.provider_id != provider.id:
        raise NotFound("sso.domain_not_found")
    session.delete(found)
    changes = {"provider": provider.public_id, "domain": found.domain}
    record(
        session,
        actor,
        "sso.domain_removed",
        "identity_provider",
        provider.public_id,
        organisation_id=found.organisation_id,
        changes=changes,
    )


def domains_of(
    session: Session, actor: Actor, organisation: Organisation
) -> Sequence[ProviderDomain]:
    """The domains ``organisation`` accepts, for its administrators (and node admins)."""
    if not actor.can_administer(organisation.id):
        raise PermissionDenied("role.admin_required")
    query = (
        select(ProviderDomain)
        .join(IdentityProvider)
        .where(
            ProviderDomain.organisation_id == organisation.id, IdentityProvider.removed_at.is_(None)
        )
        .order_by(ProviderDomain.domain, IdentityProvider.name)
    )
    return session.scalars(query).all()


def set_self_join(
    session: Session, actor: Actor, organisation: Organisation, domain_id: int, allowed: bool
) -> ProviderDomain:
    """An organisation administrator lets people of a domain join as readers (or stops it)."""
    if not actor.can_administer(organisation.id):
        raise PermissionDenied("role.admin_required")
    found = _domain(session, domain_id)
    if found.organisation_id != organisation.id:
        raise NotFound("sso.domain_not_found")
    found.self_join = allowed
    changes = {"domain": found.domain, "provider": found.provider.public_id, "self_join": allowed}
    record(
        session,
        actor,
        "sso.self_join_changed",
        "organisation",
        organisation.organisation_number,
        organisation_id=organisation.id,
        changes=changes,
    )
    return found


def identities_of(session: Session, user_id: int) -> Sequence[AccountIdentity]:
    return session.scalars(select(AccountIdentity).where(AccountIdentity.user_id == user_id)).all()


def record_provider_login(
    session: Session, browser_session: BrowserSession, provider: IdentityProvider, login: Login
) -> None:
    """Keep the ID token of a session begun through ``provider``, for logging out there."""
    session.add(
        ProviderLogin(
            browser_session_id=browser_session.id,
            provider=provider,
            id_token=login.id_token,
            multi_factor=login.multi_factor,
        )
    )


def provider_logout_url(
    session: Session, browser_session: BrowserSession, after: str
) -> str | None:
    """Where to send the browser to end the person's session at the provider too; None for a
    password login, a removed provider, or one without an end_session_endpoint (or down:
    the session here ends all the same)."""
    found = session.scalar(
        select(ProviderLogin).where(ProviderLogin.browser_session_id == browser_session.id)
    )
    if found is None or found.provider.removed_at is not None:
        return None
    try:
        metadata = discover(found.provider)
    except ServiceUnavailable:
        return None
    return logout_url(found.provider, metadata, after, found.id_token)
