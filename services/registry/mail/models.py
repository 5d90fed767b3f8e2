from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base
from shared.db import JSONType, UTCDateTime, utcnow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class OutboxMail(Base):
    """One mail, rendered when it was caused and kept until it is sent, or for good if it
    keeps failing: a node admin sees those, nothing is ever dropped."""

    __tablename__ = "outbox_mails"
    __table_args__ = (Index("ix_outbox_mails_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Chosen once, so a retry of a mail the server may have taken is recognisably the same.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    to_address: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    template: Mapped[str] = mapped_column(String(64))
    optional: Mapped[bool] = mapped_column(default=False)
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender's claim on the mail; another sender takes it over only once this has passed.
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class MailPreference(Base):
    """A user's mail language, and which optional mails they turned off (all are on by
    default)."""

    __tablename__ = "mail_preferences"
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The language of the user's mails (nb, nn or en).
    language: Mapped[str] = mapped_column(String(2), default="nb")
    # The optional kinds (template names) this user does not want.
    turned_off: Mapped[list[str]] = mapped_column(JSONType, default=list)
