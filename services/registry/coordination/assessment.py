"""The organisation's own pyramid and gaps, for step 5 of the method (*vurdering*).

Counts every offer of the organisation that is not withdrawn: the published ones and those
still being mapped (a coordination group assesses while it maps). Gaps are what no offer
covers: a pyramid level, a risk group, an age band, a statutory duty of the organisation's
kind. Possible overlaps are offers of different agencies on the same level for the same risk
group and overlapping ages: candidates to run together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.registry.accounts.permissions import Actor
from services.registry.duties.models import StatutoryDuty
from services.registry.duties.services import list_duties
from services.registry.offers.models import Offer
from services.registry.organisations.models import Organisation
from shared.vocab import PYRAMID_LEVELS, RISK_GROUPS

LEVELS = tuple(int(code) for code in PYRAMID_LEVELS.codes)
# Pregnancy and infancy, school start, teenage years, young adults.
AGE_BANDS: tuple[tuple[int, int], ...] = ((0, 5), (6, 12), (13, 17), (18, 23))


@dataclass
class Overlap:
    level: int
    risk_group: str
    offers: list[Offer]


@dataclass
class Assessment:
    offers: list[Offer]
    pyramid: dict[int, dict[str, int]] = field(default_factory=dict)
    risk_groups: dict[str, dict[int, int]] = field(default_factory=dict)
    age_bands: dict[tuple[int, int], dict[int, int]] = field(default_factory=dict)
    duties_covered: list[StatutoryDuty] = field(default_factory=list)
    duties_missing: list[StatutoryDuty] = field(default_factory=list)
    overlaps: list[Overlap] = field(default_factory=list)
    shares: dict[str, int] = field(default_factory=dict)

    @property
    def base_is_widest(self) -> bool:
        """Level 1 (for all) should be the base of the pyramid."""
        totals = {level: sum(counts.values()) for level, counts in self.pyramid.items()}
        return all(totals[1] >= totals[level] for level in LEVELS)

    @property
    def empty_levels(self) -> list[int]:
        return [level for level, counts in self.pyramid.items() if not sum(counts.values())]

    @property
    def uncovered_risk_groups(self) -> list[str]:
        return [code for code, counts in self.risk_groups.items() if not sum(counts.values())]

    @property
    def uncovered_age_bands(self) -> list[tuple[int, int]]:
        return [band for band, counts in self.age_bands.items() if not sum(counts.values())]


def _overlaps(offers: Sequence[Offer]) -> list[Overlap]:
    found = []
    for level in LEVELS:
        for risk_group in RISK_GROUPS.codes:
            same = [o for o in offers if o.level == level and risk_group in o.risk_groups]
            pairs = [
                (a, b)
                for i, a in enumerate(same)
                for b in same[i + 1 :]
                if a.agency_id != b.agency_id and a.age_min <= b.age_max and b.age_min <= a.age_max
            ]
            if pairs:
                involved = {o.id: o for pair in pairs for o in pair}
                found.append(Overlap(level, risk_group, sorted(involved.values(), key=_name)))
    return found


def _name(offer: Offer) -> str:
    return offer.name


def assess(session: Session, actor: Actor, organisation: Organisation) -> Assessment:
    """The pyramid, coverage and gaps of the organisation's offers (members only)."""
    actor.require_member(organisation.id, "Organisation")
    offers = list(
        session.scalars(
            select(Offer)
            .where(Offer.organisation_id == organisation.id, Offer.status != "withdrawn")
            .options(selectinload(Offer.statutory_duties), selectinload(Offer.agency))
            .order_by(Offer.name)
        )
    )
    result = Assessment(offers=offers)
    result.pyramid = {level: {"published": 0, "mapping": 0} for level in LEVELS}
    for offer in offers:
        stage = "published" if offer.published_version else "mapping"
        result.pyramid[offer.level][stage] += 1
    result.risk_groups = {code: {level: 0 for level in LEVELS} for code in RISK_GROUPS.codes}
    result.age_bands = {band: {level: 0 for level in LEVELS} for band in AGE_BANDS}
    for offer in offers:
        for code in offer.risk_groups:
            if code in result.risk_groups:
                result.risk_groups[code][offer.level] += 1
        for low, high in AGE_BANDS:
            if offer.age_min <= high and low <= offer.age_max:
                result.age_bands[(low, high)][offer.level] += 1
    covered = {d.code for o in offers for d in o.statutory_duties}
    for duty in list_duties(session, applies_to=organisation.kind):
        (result.duties_covered if duty.code in covered else result.duties_missing).append(duty)
    result.overlaps = _overlaps(offers)
    total = len(offers) or 1
    result.shares = {
        name: round(100 * sum(1 for o in offers if getattr(o, name)) / total)
        for name in ("user_participation", "evaluated", "good_practice", "evidence_based")
    }
    return result
