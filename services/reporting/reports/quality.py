"""Quality: how many offers have user participation, are evaluated, are good practice, are
evidence-based, how many are past their review date and how many cover municipalities outside
their provider's home area; overall, by measure status, and per
organisation and agency (DOMAIN.md: "all registered and reported"); and which offers have no
way to get in touch, and which only a mobile number (likely someone's own phone).

An offer is past its review date when the date it was due (the review interval after its last
review, or after its first publication if it was never reviewed) is before the report's day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.reporting.history.models import OfferVersion
from services.reporting.reports.scope import QUALITY_FIELDS, Scope, scoped
from shared import vocab

# Beside the marks: reviews overdue, and coverage outside the provider's home area.
MEASURES = (*QUALITY_FIELDS, "overdue", "outside_home")


def percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` in whole per cent, halves rounded up (0 of nothing is 0)."""
    return (200 * part + whole) // (2 * whole) if whole else 0


@dataclass
class QualityCounts:
    """How many of ``offers`` have each quality mark, and how many are overdue."""

    offers: int = 0
    marks: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MEASURES, 0))

    def share(self, measure: str) -> int:
        return percent(self.marks[measure], self.offers)


@dataclass
class AgencyQuality:
    provider: str
    provider_name: str
    agency: str
    agency_name: str
    counts: QualityCounts


@dataclass(frozen=True)
class UnreachableOffer:
    """A published offer listed for how it can be reached: with no way to get in touch (no
    phone, e-mail, web address or place with opening hours, and no reason given), or with a
    mobile number as its only way in."""

    offer_uri: str
    name: str
    provider_name: str
    agency_name: str


@dataclass
class Quality:
    overall: QualityCounts
    measure_statuses: dict[str, int]
    agencies: list[AgencyQuality]
    unreachable: list[UnreachableOffer] = field(default_factory=list)
    only_mobile: list[UnreachableOffer] = field(default_factory=list)


def _sums(scope: Scope) -> list[Any]:
    columns: list[Any] = [func.count()]
    for name in QUALITY_FIELDS:
        columns.append(func.sum(case((getattr(OfferVersion, name).is_(True), 1), else_=0)))
    columns.append(func.sum(case((OfferVersion.review_due < scope.at, 1), else_=0)))
    columns.append(func.sum(case((OfferVersion.outside_home.is_(True), 1), else_=0)))
    return columns


def _add(into: QualityCounts, values: tuple) -> None:
    offers, *marks = values
    into.offers += int(offers or 0)
    for measure, n in zip(MEASURES, marks, strict=True):
        into.marks[measure] += int(n or 0)


def quality(session: Session, scope: Scope) -> Quality:
    """The quality marks and overdue reviews of the scope's offers, overall, by measure status
    and per organisation and agency: one statement, by agency and measure status, whose counts
    add up to the others."""
    overall = QualityCounts()
    statuses = dict.fromkeys(vocab.MEASURE_STATUSES.codes, 0)
    agencies: dict[tuple[str, str], AgencyQuality] = {}
    rows = session.execute(
        select(
            OfferVersion.provider_orgnr,
            OfferVersion.agency_id,
            OfferVersion.measure_status,
            func.max(OfferVersion.provider_name),
            func.max(OfferVersion.agency_name),
            *_sums(scope),
        )
        .where(*scoped(scope))
        .group_by(OfferVersion.provider_orgnr, OfferVersion.agency_id, OfferVersion.measure_status)
    )
    for orgnr, agency, status, provider_name, agency_name, *values in rows:
        counted = tuple(values)
        _add(overall, counted)
        statuses[status] = statuses.get(status, 0) + int(counted[0])
        found = agencies.get((orgnr, agency))
        if found is None:
            found = agencies[orgnr, agency] = AgencyQuality(
                orgnr, provider_name, agency, agency_name, QualityCounts()
            )
        else:
            found.provider_name = max(found.provider_name, provider_name)
            found.agency_name = max(found.agency_name, agency_name)
        _add(found.counts, counted)
    ordered = sorted(agencies.values(), key=lambda a: (a.provider_name, a.agency_name, a.agency))
    return Quality(
        overall, statuses, ordered, unreachable(session, scope), only_mobile(session, scope)
    )


def unreachable(session: Session, scope: Scope) -> list[UnreachableOffer]:
    """The scope's offers known to have no way to get in touch, by provider, agency and name
    (versions recorded before reporting kept this are not known, and not listed)."""
    return _listed(session, scope, OfferVersion.reachable.is_(False))


def only_mobile(session: Session, scope: Scope) -> list[UnreachableOffer]:
    """The scope's offers known to be reached only on a mobile number, in the same order
    (versions recorded before reporting kept this are not known, and not listed)."""
    return _listed(session, scope, OfferVersion.only_mobile.is_(True))


def _listed(session: Session, scope: Scope, condition: Any) -> list[UnreachableOffer]:
    rows = session.execute(
        select(
            OfferVersion.offer_uri,
            OfferVersion.name,
            OfferVersion.provider_name,
            OfferVersion.agency_name,
        )
        .where(*scoped(scope), condition)
        .order_by(
            OfferVersion.provider_name,
            OfferVersion.agency_name,
            OfferVersion.name_sort,
            OfferVersion.offer_uri,
        )
    )
    return [UnreachableOffer(*row) for row in rows]
