from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.registry.base import Base, new_public_id
from shared.db import UTCDateTime, utcnow


class Organisation(Base):
    """A member organisation: a municipality, county, region, state body or voluntary body."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_number: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    # Area code of where the organisation belongs; the default coverage of its offers.
    home_area: Mapped[str] = mapped_column(String(64))
    membership_status: Mapped[str] = mapped_column(String(20), default="active")
    # The organisation's rule that a submission is published by another person than the
    # registrar who submitted it (four eyes), even one who holds both roles.
    publisher_not_submitter: Mapped[bool] = mapped_column(Boolean, default=False)
    # The organisation's rule that its members log in with a second factor (a password
    # account enrols at its next login; node administrators always do).
    second_factor_required: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agencies: Mapped[list[Agency]] = relationship(
        back_populates="organisation", order_by="Agency.name"
    )


class Agency(Base):
    """An agency or section (etat/seksjon) inside an organisation; offers belong to one."""

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # A section (seksjon) names the agency it belongs to.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    name: Mapped[str] = mapped_column(String(200))

    organisation: Mapped[Organisation] = relationship(back_populates="agencies")
    parent: Mapped[Agency | None] = relationship(remote_side="Agency.id")
