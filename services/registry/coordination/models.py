"""The coordination group's workspace (*koordineringsgruppe*): one per member organisation."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.registry.base import Base
from services.registry.offers.models import Offer
from services.registry.organisations.models import Agency
from shared.db import UTCDateTime, utcnow


class CoordinationGroup(Base):
    """The group and its mandate in its own words; everything below belongs to it."""

    __tablename__ = "coordination_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    mandate: Mapped[str | None] = mapped_column(Text)
    established_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class _GroupItem:
    """Columns every item of a workspace has: its group."""

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("coordination_groups.id"), index=True)


class GroupMember(_GroupItem, Base):
    """A person in the group, the agency (or outside body) they represent, their role."""

    __tablename__ = "coordination_members"

    name: Mapped[str] = mapped_column(String(200))
    group_role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="SET NULL"))
    represents: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))

    agency: Mapped[Agency | None] = relationship()


class MandateItem(_GroupItem, Base):
    """A point of the mandate checklist: from the method (``method_key``) or the group's own."""

    __tablename__ = "mandate_items"

    method_key: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)


class MethodStep(_GroupItem, Base):
    """Where the group stands in one of the method's six steps."""

    __tablename__ = "method_steps"
    __table_args__ = (UniqueConstraint("group_id", "step"),)

    step: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    notes: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    next_review_on: Mapped[dt.date | None] = mapped_column(Date)


initiative_offers = Table(
    "initiative_offers",
    Base.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
)


class Initiative(_GroupItem, Base):
    """A focus area, plan or project the group keeps an overview of, with a named owner."""

    __tablename__ = "initiatives"

    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    url: Mapped[str | None] = mapped_column(String(500))

    offers: Mapped[list[Offer]] = relationship(secondary=initiative_offers, order_by="Offer.name")


class Meeting(_GroupItem, Base):
    """Minutes of a meeting: who came, what was discussed, what was decided."""

    __tablename__ = "meetings"

    held_on: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str | None] = mapped_column(Text)


class Milestone(_GroupItem, Base):
    """A milestone of the progress plan (*fremdriftsplan*), optionally for one method step."""

    __tablename__ = "milestones"

    title: Mapped[str] = mapped_column(String(200))
    step: Mapped[int | None] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
    owner: Mapped[str | None] = mapped_column(String(200))
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class CycleEvent(_GroupItem, Base):
    """Something that comes back every year in the same month: the yearly cycle (*årshjul*)."""

    __tablename__ = "cycle_events"

    month: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)


class AssessmentAnswer(_GroupItem, Base):
    """The group's answer to one assessment question of step 5."""

    __tablename__ = "assessment_answers"
    __table_args__ = (UniqueConstraint("group_id", "question_key"),)

    question_key: Mapped[str] = mapped_column(String(60))
    answer: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
