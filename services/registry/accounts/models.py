from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.registry.base import Base
from services.registry.organisations.models import Agency, Organisation
from shared.db import JSONType, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # argon2id; None until a password is set, and then no login is possible.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Node administrators create organisations and keep the statutory-duty catalogue.
    is_node_admin: Mapped[bool] = mapped_column(default=False)
    # Set when someone else chose the password (a node administrator, the command line): the
    # person must choose their own at the next login.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


membership_agencies = Table(
    "membership_agencies",
    Base.metadata,
    Column("membership_id", ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True),
)


class Membership(Base):
    """A user's roles in one organisation; a registrar's work is limited to ``agencies``."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    roles: Mapped[list[str]] = mapped_column(JSONType, default=list)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship()
    agencies: Mapped[list[Agency]] = relationship(secondary=membership_agencies)


class ApiToken(Base):
    """A personal token for machines, scoped to one organisation; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class LoginFailure(Base):
    """A failed login, kept for the throttle window."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class AccountToken(Base):
    """A one-time link: an invitation to an organisation, or a password reset.

    Only the SHA-256 of the link's secret is stored: the secret has 256 random bits, so a fast
    hash is as strong as a slow one, and a stolen database holds no usable link. An invitation
    names the address, roles and agencies offered; nobody becomes a member until it is accepted.
    """

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # "invitation" or "password_reset"
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    roles: Mapped[list[str]] = mapped_column(JSONType, default=list)
    agencies: Mapped[list[str]] = mapped_column(JSONType, default=list)  # public ids
    # The language the link was sent in, for the mails that follow it (nb, nn or en).
    language: Mapped[str] = mapped_column(String(5), default="nb")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class BrowserSession(Base):
    """A login in a browser. The cookie holds a random secret; only its SHA-256 is stored, so
    a copy of the database lets nobody in. Deleting the row ends the login wherever the cookie
    was copied to."""

    __tablename__ = "browser_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    remote_addr: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class SecondFactor(Base):
    """A user's authenticator app (TOTP, RFC 6238). The shared secret is stored encrypted
    (Fernet, with a key derived from the node's SECRET_KEY), since the server must read it to
    check codes. Until ``confirmed_at`` the enrolment is begun but not finished, and the
    factor is not asked at login. ``last_step`` is the time step of the last code accepted:
    a code is never accepted twice, nor one of an earlier step."""

    __tablename__ = "second_factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret_sealed: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_step: Mapped[int] = mapped_column(default=0)

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """One of a user's ten recovery codes, for a login without the authenticator app. Only
    its SHA-256 is stored: a code has 118 random bits, so a fast hash is as strong as a slow
    one. A used code keeps its row (``used_at``) and is refused."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
