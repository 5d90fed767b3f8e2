"""The organisation's offers at a glance: how many in each status, those past their review
date, and one page of the offers chosen by status, agency, level, words and review date.

A large municipality maps thousands of offers, so the list is a page at a time
(:data:`PAGE_SIZE`), found in the database; only the review dates are worked out for every
offer (they depend on each offer's interval), from a few columns.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from services.registry.accounts.permissions import Actor
from services.registry.offers.content import due_after, review_due
from services.registry.offers.models import Offer
from services.registry.organisations.models import Organisation
from shared.db import contains_text
from shared.vocab import OFFER_STATUSES

PAGE_SIZE = 50
OVERDUE_SHOWN = 20  # the most overdue, on the dashboard; the filter lists them all
MAX_WORDS = 8


@dataclass(frozen=True)
class DashboardFilter:
    """What the list shows: a status, an agency (by id), a level, words in the name or
    description, only offers past their review date; and which page."""

    status: str | None = None
    agency_id: int | None = None
    level: int | None = None
    words: tuple[str, ...] = ()
    review_due: bool = False
    page: int = 1

    @property
    def active(self) -> bool:
        return any((self.status, self.agency_id, self.level, self.words, self.review_due))


@dataclass
class Dashboard:
    counts: dict[str, int] = field(default_factory=dict)
    overdue: list[tuple[Offer, dt.date]] = field(default_factory=list)
    overdue_count: int = 0
    offers: list[Offer] = field(default_factory=list)
    matching: int = 0
    page: int = 1
    pages: int = 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _conditions(chosen: DashboardFilter, overdue_ids: list[str]) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if chosen.status:
        found.append(Offer.status == chosen.status)
    if chosen.agency_id is not None:
        found.append(Offer.agency_id == chosen.agency_id)
    if chosen.level is not None:
        found.append(Offer.level == chosen.level)
    for word in chosen.words[:MAX_WORDS]:
        found.append(or_(contains_text(Offer.name, word), contains_text(Offer.description, word)))
    if chosen.review_due:
        found.append(Offer.id.in_(overdue_ids))
    return found


def _overdue(session: Session, scope: Select[Any], today: dt.date) -> list[str]:
    """The ids of the offers in ``scope`` past their review date, most overdue first."""
    rows = session.execute(
        scope.with_only_columns(
            Offer.id, Offer.last_reviewed, Offer.created_at, Offer.review_interval_months
        ).where(Offer.status != "withdrawn")
    )
    due = []
    for offer_id, last_reviewed, created_at, months in rows:
        when = due_after(last_reviewed, created_at, months)
        if when < today:
            due.append((when, offer_id))
    return [offer_id for _when, offer_id in sorted(due)]


def dashboard(
    session: Session,
    actor: Actor,
    organisation: Organisation,
    today: dt.date,
    agency_ids: set[int] | None = None,
    chosen: DashboardFilter | None = None,
) -> Dashboard:
    """The offers of the organisation (optionally only some agencies'): counts by status, the
    most overdue (withdrawn offers are not reviewed, so never overdue), and the page of those
    ``chosen``, by name."""
    actor.require_member(organisation.id, "Organisation")
    chosen = chosen or DashboardFilter()
    scope = select(Offer).where(Offer.organisation_id == organisation.id)
    if agency_ids is not None:
        scope = scope.where(Offer.agency_id.in_(agency_ids))
    result = Dashboard(counts={code: 0 for code in OFFER_STATUSES.codes})
    counted = session.execute(
        scope.with_only_columns(Offer.status, func.count()).group_by(Offer.status)
    )
    result.counts.update({status: count for status, count in counted})
    overdue_ids = _overdue(session, scope, today)
    result.overdue_count = len(overdue_ids)
    shown = _load(session, overdue_ids[:OVERDUE_SHOWN])
    result.overdue = [(shown[i], review_due(shown[i])) for i in overdue_ids if i in shown]
    chosen_scope = scope.where(and_(True, *_conditions(chosen, overdue_ids)))
    result.matching = (
        session.scalar(chosen_scope.with_only_columns(func.count()).order_by(None)) or 0
    )
    result.pages = max(1, math.ceil(result.matching / PAGE_SIZE))
    result.page = min(max(chosen.page, 1), result.pages)
    result.offers = list(
        session.scalars(
            chosen_scope.options(selectinload(Offer.agency))
            .order_by(Offer.name, Offer.id)
            .offset((result.page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
    )
    return result


def _load(session: Session, offer_ids: list[str]) -> dict[str, Offer]:
    if not offer_ids:
        return {}
    rows = session.scalars(
        select(Offer).where(Offer.id.in_(offer_ids)).options(selectinload(Offer.agency))
    )
    return {offer.id: offer for offer in rows}
