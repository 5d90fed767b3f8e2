"""The offers behind a number: the scope's offers that pass a filter, in name order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reporting.history.models import OfferVersion
from services.reporting.reports.scope import OfferFilter, Scope, scoped

MAX_LISTED = 100_000


@dataclass
class OfferPage:
    total: int
    page: int
    per_page: int
    offers: list[OfferVersion]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def count(session: Session, scope: Scope, offer_filter: OfferFilter) -> int:
    """How many offers of ``scope`` pass ``offer_filter``."""
    conditions = [*scoped(scope), *offer_filter.conditions(scope)]
    statement = select(func.count()).select_from(OfferVersion).where(*conditions)
    return int(session.execute(statement).scalar_one())


def offers(
    session: Session,
    scope: Scope,
    offer_filter: OfferFilter,
    page: int,
    per_page: int,
) -> OfferPage:
    """One page of the offers of ``scope`` that pass ``offer_filter``, with their total."""
    statement = (
        select(OfferVersion)
        .where(*scoped(scope), *offer_filter.conditions(scope))
        .order_by(OfferVersion.name_sort, OfferVersion.offer_uri)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return OfferPage(
        count(session, scope, offer_filter), page, per_page, list(session.scalars(statement))
    )
