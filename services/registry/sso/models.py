"""The identity providers a node trusts, the e-mail domains an organisation accepts through
each, and the provider subjects bound to accounts. Kept apart from the account tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.registry.accounts.models import User
from services.registry.base import Base
from services.registry.organisations.models import Organisation
from shared.db import UTCDateTime, utcnow


class IdentityProvider(Base):
    """An OpenID provider. The database holds no secret: ``secret_ref`` names where the client
    secret (or, for ``private_key_jwt``, the PEM private key) is read from at login time, as
    ``env:NAME`` or ``file:/path``. A removed provider keeps its row (``removed_at``), so the
    subjects bound through it stay on record and are refused with a message of their own."""

    __tablename__ = "identity_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(500))
    # Empty: <issuer>/.well-known/openid-configuration.
    discovery_url: Mapped[str] = mapped_column(String(500), default="")
    client_id: Mapped[str] = mapped_column(String(255))
    # client_secret_basic, client_secret_post or private_key_jwt
    client_auth: Mapped[str] = mapped_column(String(30), default="client_secret_basic")
    secret_ref: Mapped[str] = mapped_column(String(500))
    # The "kid" of the private key, where the provider asks for one (private_key_jwt).
    key_id: Mapped[str] = mapped_column(String(200), default="")
    scopes: Mapped[str] = mapped_column(String(500), default="openid email profile")
    # Space-separated; when set, sent with the request and required of the ID token's acr.
    acr_values: Mapped[str] = mapped_column(String(500), default="")
    email_claim: Mapped[str] = mapped_column(String(100), default="email")
    # Whether the provider vouches for every address it gives (e.g. a tenant's own domain in
    # Entra ID, which sends no email_verified claim); otherwise email_verified must be true.
    trust_email: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    domains: Mapped[list[ProviderDomain]] = relationship(
        back_populates="provider", cascade="all, delete-orphan"
    )


class ProviderDomain(Base):
    """An e-mail domain an organisation accepts through a provider (set by a node
    administrator). ``self_join`` (set by the organisation's administrators) lets a person of
    that domain without an invitation join the organisation as a reader at their first login."""

    __tablename__ = "identity_provider_domains"
    __table_args__ = (UniqueConstraint("provider_id", "organisation_id", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(
        ForeignKey("identity_providers.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    domain: Mapped[str] = mapped_column(String(253))
    self_join: Mapped[bool] = mapped_column(default=False)

    provider: Mapped[IdentityProvider] = relationship(back_populates="domains")
    organisation: Mapped[Organisation] = relationship()


class AccountIdentity(Base):
    """A provider's stable subject (issuer and ``sub``) bound to one account."""

    __tablename__ = "account_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_providers.id"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    provider: Mapped[IdentityProvider] = relationship()


class ProviderLogin(Base):
    """A browser session begun through a provider: its ID token, for ending the person's
    session at the provider too at logout (``id_token_hint``). Goes with the session."""

    __tablename__ = "identity_provider_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    browser_session_id: Mapped[int] = mapped_column(
        ForeignKey("browser_sessions.id", ondelete="CASCADE"), unique=True
    )
    provider_id: Mapped[int] = mapped_column(ForeignKey("identity_providers.id"), index=True)
    id_token: Mapped[str] = mapped_column(Text)
    # Whether the provider's login met the configured acr level (multi-factor).
    multi_factor: Mapped[bool] = mapped_column(default=False)

    provider: Mapped[IdentityProvider] = relationship()
