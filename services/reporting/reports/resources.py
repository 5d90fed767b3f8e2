"""Resources: the staff (*årsverk*) and yearly budget (NOK) registered on a scope's offers,
summed by level, kind of provider, agency, risk group and statutory duty, in SQL.

How an offer's resources are attributed:

- **Areas.** An offer's whole staff and budget count in every area its coverage reaches, as
  the offer itself does in every report (it is not split between the municipalities it
  covers: the registrations do not say how it is shared). So a county offer's resources appear
  in full in each of its municipalities, and the municipalities' sums do not add up to the
  county's, where the offer counts once.
- **Rows that overlap.** An offer for several risk groups (or statutory duties) counts in full
  in each of their rows, so a column of those tables need not add up to the total; the true
  total (each offer once) is :attr:`Resources.total`. Levels, kinds of provider and agencies
  do not overlap: each offer has exactly one of each, and their rows add up to the total.
- **Not registered.** An offer without a registered staff or budget adds nothing to the sum
  and is counted among the offers without one, so a reader sees how complete a sum is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.reporting.history.models import OfferVersion, VersionTerm
from services.reporting.reports.scope import LEVELS, Scope, scoped
from shared import vocab


@dataclass
class Sums:
    """The resources of some offers: how many, their summed staff and budget, and how many of
    them have no staff or no budget registered."""

    offers: int = 0
    staff: float = 0.0
    budget: int = 0
    without_staff: int = 0
    without_budget: int = 0

    def add(self, other: Sums) -> None:
        self.offers += other.offers
        self.staff = round(self.staff + other.staff, 2)
        self.budget += other.budget
        self.without_staff += other.without_staff
        self.without_budget += other.without_budget


def _sum_columns() -> tuple[Any, ...]:
    return (
        func.count(),
        func.count(OfferVersion.staff_fte),
        func.coalesce(func.sum(OfferVersion.staff_fte), 0),
        func.count(OfferVersion.budget_nok),
        func.coalesce(func.sum(OfferVersion.budget_nok), 0),
    )


def _sums(offers: Any, with_staff: Any, staff: Any, with_budget: Any, budget: Any) -> Sums:
    n = int(offers)
    return Sums(
        offers=n,
        staff=round(float(staff or 0), 2),
        budget=int(budget or 0),
        without_staff=n - int(with_staff),
        without_budget=n - int(with_budget),
    )


@dataclass
class AgencyResources:
    provider: str
    provider_name: str
    provider_kind: str
    agency: str
    agency_name: str
    sums: Sums


@dataclass
class Resources:
    """A scope's resources by level, by kind of provider and by agency, and in all."""

    levels: dict[int, Sums] = field(default_factory=lambda: {lv: Sums() for lv in LEVELS})
    kinds: dict[str, Sums] = field(
        default_factory=lambda: {k: Sums() for k in vocab.ORGANISATION_KINDS.codes}
    )
    agencies: list[AgencyResources] = field(default_factory=list)
    total: Sums = field(default_factory=Sums)


def resources(session: Session, scope: Scope) -> Resources:
    """The scope's staff and budget by level, kind of provider and agency (each offer once)."""
    result = Resources()
    rows = session.execute(
        select(OfferVersion.level, OfferVersion.provider_kind, *_sum_columns())
        .where(*scoped(scope))
        .group_by(OfferVersion.level, OfferVersion.provider_kind)
    )
    for level, kind, *values in rows:
        sums = _sums(*values)
        result.levels[int(level)].add(sums)
        result.kinds.setdefault(kind, Sums()).add(sums)
        result.total.add(sums)
    result.agencies = _agencies(session, scope)
    return result


def _agencies(session: Session, scope: Scope) -> list[AgencyResources]:
    rows = session.execute(
        select(
            OfferVersion.provider_orgnr,
            OfferVersion.agency_id,
            func.max(OfferVersion.provider_name),
            func.max(OfferVersion.provider_kind),
            func.max(OfferVersion.agency_name),
            *_sum_columns(),
        )
        .where(*scoped(scope))
        .group_by(OfferVersion.provider_orgnr, OfferVersion.agency_id)
    )
    agencies = [
        AgencyResources(orgnr, name, kind, agency, agency_name, _sums(*values))
        for orgnr, agency, name, kind, agency_name, *values in rows
    ]
    return sorted(agencies, key=lambda a: (a.provider_name, a.agency_name, a.agency))


def by_term(session: Session, scope: Scope, facet: str, codes: tuple[str, ...]) -> dict[str, Sums]:
    """The scope's staff and budget per value of a multi-valued field (a risk group, a duty):
    an offer with several values counts in full in each of their rows."""
    matrix = {code: Sums() for code in codes}
    rows = session.execute(
        select(VersionTerm.code, *_sum_columns())
        .join(OfferVersion, OfferVersion.id == VersionTerm.version_pk)
        .where(VersionTerm.facet == facet, *scoped(scope))
        .group_by(VersionTerm.code)
    )
    for code, *values in rows:
        if code in matrix:
            matrix[code] = _sums(*values)
    return matrix
