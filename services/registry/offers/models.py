from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.registry.base import Base, new_public_id
from services.registry.duties.models import StatutoryDuty
from services.registry.organisations.models import Agency, Organisation
from shared.db import JSONType, UTCDateTime, utcnow

offer_duties = Table(
    "offer_duties",
    Base.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("duty_id", ForeignKey("statutory_duties.id"), primary_key=True),
)


class Offer(Base):
    """An offer and its working copy.

    ``status`` is the state of the working copy (draft, submitted, published, withdrawn);
    ``published_version`` is the version the public sees now, if any. Editing a published offer
    makes the working copy a draft again while the published version stays public.
    """

    __tablename__ = "offers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_public_id)
    # Minted once under the node's public base URL; never changes, even if the URL does.
    uri: Mapped[str] = mapped_column(String(500), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    published_version: Mapped[int | None] = mapped_column(Integer)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The publisher's comment when a submission was sent back; cleared on the next submission.
    return_comment: Mapped[str | None] = mapped_column(Text)

    # What the offer is (the mapping form, kartleggingsskjema).
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    contact: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    responsible_role: Mapped[str | None] = mapped_column(String(200))
    locations: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    schedule: Mapped[str | None] = mapped_column(Text)
    # Weekly periods, validity and dated occurrences (shared.timetable); None when not given.
    timetable: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    # Why a published offer has no way to get in touch, when it has none (e.g. by referral only).
    no_contact_reason: Mapped[str | None] = mapped_column(String(500))
    access: Mapped[str] = mapped_column(String(20))
    free_of_charge: Mapped[bool] = mapped_column(default=True)
    cost_description: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    level: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    age_min: Mapped[int] = mapped_column(Integer)
    age_max: Mapped[int] = mapped_column(Integer)
    audiences: Mapped[list[str]] = mapped_column(JSONType, default=list)
    risk_groups: Mapped[list[str]] = mapped_column(JSONType, default=list)
    diagnosis_groups: Mapped[list[str]] = mapped_column(JSONType, default=list)
    staff_fte: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    budget_nok: Mapped[int | None] = mapped_column(BigInteger)
    user_participation: Mapped[bool] = mapped_column(default=False)
    evaluated: Mapped[bool] = mapped_column(default=False)
    evaluation_description: Mapped[str | None] = mapped_column(Text)
    good_practice: Mapped[bool] = mapped_column(default=False)
    evidence_based: Mapped[bool] = mapped_column(default=False)
    measure_status: Mapped[str] = mapped_column(String(20), default="permanent")
    guides: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    coverage: Mapped[list[str]] = mapped_column(JSONType, default=list)
    review_interval_months: Mapped[int] = mapped_column(Integer, default=12)
    last_reviewed: Mapped[dt.date | None] = mapped_column(Date)

    organisation: Mapped[Organisation] = relationship()
    agency: Mapped[Agency] = relationship()
    statutory_duties: Mapped[list[StatutoryDuty]] = relationship(
        secondary=offer_duties, order_by="StatutoryDuty.code"
    )
    versions: Mapped[list[OfferVersion]] = relationship(
        back_populates="offer", order_by="OfferVersion.version"
    )


class OfferVersion(Base):
    """An immutable, numbered version: what was published (or withdrawn) and when."""

    __tablename__ = "offer_versions"
    __table_args__ = (UniqueConstraint("offer_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[str] = mapped_column(ForeignKey("offers.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The canonical JSON (shared.publication.schema), byte for byte as in the event log.
    snapshot: Mapped[str] = mapped_column(Text)

    offer: Mapped[Offer] = relationship(back_populates="versions")
