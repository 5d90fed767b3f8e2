"""The organisation's offers at a glance: by status, and those past their review date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.registry.accounts.permissions import Actor
from services.registry.offers.content import review_due
from services.registry.offers.models import Offer
from services.registry.organisations.models import Organisation
from shared.vocab import OFFER_STATUSES


@dataclass
class Dashboard:
    by_status: dict[str, list[Offer]] = field(default_factory=dict)
    overdue: list[tuple[Offer, dt.date]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.by_status.values())


def dashboard(
    session: Session,
    actor: Actor,
    organisation: Organisation,
    today: dt.date,
    agency_ids: set[int] | None = None,
) -> Dashboard:
    """Every offer of the organisation (optionally only some agencies'), grouped by status;
    the offers whose review date has passed, most overdue first. Withdrawn offers are not
    reviewed, so they are never overdue."""
    actor.require_member(organisation.id, "Organisation")
    query = (
        select(Offer)
        .where(Offer.organisation_id == organisation.id)
        .options(selectinload(Offer.agency))
        .order_by(Offer.name, Offer.id)
    )
    if agency_ids is not None:
        query = query.where(Offer.agency_id.in_(agency_ids))
    result = Dashboard(by_status={code: [] for code in OFFER_STATUSES.codes})
    for offer in session.scalars(query):
        result.by_status.setdefault(offer.status, []).append(offer)
        due = review_due(offer)
        if offer.status != "withdrawn" and due < today:
            result.overdue.append((offer, due))
    result.overdue.sort(key=lambda pair: pair[1])
    return result
