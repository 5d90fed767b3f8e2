"""The organisation's resources for step 5 of the method: "vurdering av tilbud og ressurser"
and "justering av ressursbruk". Staff (årsverk) and yearly budget (NOK) as registered on the
offers the assessment counts (every offer not withdrawn), summed by level, by agency and by
risk group, with the level's share of the whole: where the resources go, and where none are
registered.

Staff is summed exactly (the offers keep it as a decimal). An offer for several risk groups
counts in full in each; levels and agencies do not overlap, and add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from services.registry.offers.models import Offer
from shared.vocab import PYRAMID_LEVELS, RISK_GROUPS

LEVELS = tuple(int(code) for code in PYRAMID_LEVELS.codes)


@dataclass
class Sums:
    """Some offers' summed staff and budget, and how many have none registered."""

    offers: int = 0
    staff: Decimal = Decimal(0)
    budget: int = 0
    without_staff: int = 0
    without_budget: int = 0

    def add(self, offer: Offer) -> None:
        self.offers += 1
        if offer.staff_fte is None:
            self.without_staff += 1
        else:
            self.staff += Decimal(offer.staff_fte)
        if offer.budget_nok is None:
            self.without_budget += 1
        else:
            self.budget += offer.budget_nok


def _summed(offers: Iterable[Offer]) -> Sums:
    sums = Sums()
    for offer in offers:
        sums.add(offer)
    return sums


def _share(part: Decimal | int, whole: Decimal | int) -> int:
    """``part`` of ``whole`` in whole per cent (0 when there is no whole)."""
    return round(100 * Decimal(part) / Decimal(whole)) if whole else 0


@dataclass
class LevelResources:
    level: int
    sums: Sums
    staff_share: int  # per cent of the organisation's staff
    budget_share: int


@dataclass
class ResourceOverview:
    total: Sums
    levels: list[LevelResources] = field(default_factory=list)
    agencies: list[tuple[str, Sums]] = field(default_factory=list)
    risk_groups: list[tuple[str, Sums]] = field(default_factory=list)


def resources_of(offers: Sequence[Offer]) -> ResourceOverview:
    """The resources of ``offers`` (the assessment's), by level (top first), agency and risk
    group (those with offers)."""
    total = _summed(offers)
    overview = ResourceOverview(total)
    for level in sorted(LEVELS, reverse=True):
        sums = _summed(o for o in offers if o.level == level)
        overview.levels.append(
            LevelResources(
                level, sums, _share(sums.staff, total.staff), _share(sums.budget, total.budget)
            )
        )
    names = sorted({o.agency.name for o in offers})
    overview.agencies = [(n, _summed(o for o in offers if o.agency.name == n)) for n in names]
    for code in RISK_GROUPS.codes:
        sums = _summed(o for o in offers if code in o.risk_groups)
        if sums.offers:
            overview.risk_groups.append((code, sums))
    return overview
