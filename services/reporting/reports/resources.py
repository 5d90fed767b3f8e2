"""Resources: the staff (*årsverk*) and yearly budget (NOK) registered on a scope's offers,
summed by level, kind of provider, agency, risk group and statutory duty, in SQL: in the same
statements that count the pyramid's and the coverage report's offers
(:mod:`services.reporting.reports.pyramid`), so a report scans its offers once, not once for
the counts and again for the resources.

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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func

from services.reporting.history.models import OfferVersion
from services.reporting.reports.scope import LEVELS
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


def sum_columns() -> tuple[Any, ...]:
    """How many offers, how many with staff and its sum, with budget and its sum (a sum of
    none is ``NULL``, read as 0 by :func:`add_raw` and :func:`_sums`)."""
    return (
        func.count(),
        func.count(OfferVersion.staff_fte),
        func.sum(OfferVersion.staff_fte),
        func.count(OfferVersion.budget_nok),
        func.sum(OfferVersion.budget_nok),
    )


def _sums(offers: Any, with_staff: Any, staff: Any, with_budget: Any, budget: Any) -> Sums:
    """The sums of :func:`sum_columns`' values."""
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


def add_raw(into: list[Any], values: Sequence[Any]) -> None:
    """Add one row of :func:`sum_columns` to running totals (``[0, 0, 0.0, 0, 0]`` to start)."""
    for i, value in enumerate(values):
        into[i] += value or 0


def empty_raw() -> list[Any]:
    return [0, 0, 0.0, 0, 0]


def sums_of(values: Sequence[Any]) -> Sums:
    """The :class:`Sums` of one row of :func:`sum_columns` (or of running totals of them)."""
    return _sums(*values)
