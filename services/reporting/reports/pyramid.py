"""The pyramid, the coverage matrices and the trend: offers counted by level, in SQL.

Level 1 (offers for all) is the base of the pyramid (DOMAIN.md). Each count is of offers (one
version each, the one in force at the scope's instant); an offer for several risk groups or
ages is counted once in each row it belongs to, so a matrix's rows need not add up to the total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from services.reporting.history.models import (
    DIAGNOSIS_GROUP,
    DUTY,
    RISK_GROUP,
    OfferVersion,
    VersionTerm,
)
from services.reporting.norway_time import end_of
from services.reporting.reports.resources import (
    AgencyResources,
    Resources,
    Sums,
    add_raw,
    empty_raw,
    sum_columns,
    sums_of,
)
from services.reporting.reports.scope import (
    AGE_BANDS,
    LEVELS,
    Scope,
    band_code,
    placed,
    scoped,
    valid_at,
)
from shared import vocab
from shared.dates import month_end


def _by_level() -> dict[int, int]:
    return dict.fromkeys(LEVELS, 0)


@dataclass
class AgencyCounts:
    """The offers of one agency of one provider, by level."""

    provider: str
    provider_name: str
    provider_kind: str
    agency: str
    agency_name: str
    levels: dict[int, int] = field(default_factory=_by_level)

    @property
    def total(self) -> int:
        return sum(self.levels.values())


@dataclass
class Pyramid:
    """Offers per level, split by the kind of provider and by agency, and their resources."""

    kinds: dict[int, dict[str, int]]
    agencies: list[AgencyCounts]
    resources: Resources = field(default_factory=Resources)

    def level_total(self, level: int) -> int:
        return sum(self.kinds[level].values())

    @property
    def total(self) -> int:
        return sum(self.level_total(level) for level in LEVELS)

    @property
    def base_is_widest(self) -> bool:
        return all(self.level_total(1) >= self.level_total(level) for level in LEVELS)


def _by_agency(key: AgencyCounts) -> tuple[str, str, str]:
    return key.provider_name, key.agency_name, key.agency


def _resources(
    by_level_kind: dict[tuple[int, str], list[Any]],
    agencies: list[AgencyCounts],
    agency_sums: dict[tuple[str, str], list[Any]],
) -> Resources:
    spent = Resources()
    for (level, kind), values in by_level_kind.items():
        sums = sums_of(values)
        spent.levels[level].add(sums)
        spent.kinds.setdefault(kind, Sums()).add(sums)
        spent.total.add(sums)
    spent.agencies = [
        AgencyResources(
            a.provider,
            a.provider_name,
            a.provider_kind,
            a.agency,
            a.agency_name,
            sums_of(agency_sums[a.provider, a.agency]),
        )
        for a in agencies
    ]
    return spent


def pyramid(session: Session, scope: Scope) -> Pyramid:
    """The scope's offers per level, by kind of provider and by agency, with their staff and
    budget (:mod:`services.reporting.reports.resources`), from one statement."""
    kinds = {level: dict.fromkeys(vocab.ORGANISATION_KINDS.codes, 0) for level in LEVELS}
    by_level_kind: dict[tuple[int, str], list[Any]] = {}
    agencies: dict[tuple[str, str], AgencyCounts] = {}
    agency_sums: dict[tuple[str, str], list[Any]] = {}
    rows = session.execute(
        select(
            OfferVersion.provider_orgnr,
            OfferVersion.agency_id,
            OfferVersion.level,
            OfferVersion.provider_kind,
            func.max(OfferVersion.provider_name),
            func.max(OfferVersion.agency_name),
            *sum_columns(),
        )
        .where(*scoped(scope))
        .group_by(
            OfferVersion.provider_orgnr,
            OfferVersion.agency_id,
            OfferVersion.level,
            OfferVersion.provider_kind,
        )
    )
    for orgnr, agency, level, kind, provider_name, agency_name, *values in rows:
        level, n = int(level), int(values[0])
        kinds[level][kind] = kinds[level].get(kind, 0) + n
        add_raw(by_level_kind.setdefault((level, kind), empty_raw()), values)
        counts = agencies.get((orgnr, agency))
        if counts is None:
            counts = agencies[orgnr, agency] = AgencyCounts(
                orgnr, provider_name, kind, agency, agency_name
            )
            agency_sums[orgnr, agency] = empty_raw()
        else:  # an agency whose versions name it or its kind differently: the greatest
            counts.provider_name = max(counts.provider_name, provider_name)
            counts.provider_kind = max(counts.provider_kind, kind)
            counts.agency_name = max(counts.agency_name, agency_name)
        counts.levels[level] += n
        add_raw(agency_sums[orgnr, agency], values)
    ordered = sorted(agencies.values(), key=_by_agency)
    return Pyramid(kinds, ordered, _resources(by_level_kind, ordered, agency_sums))


@dataclass
class Coverage:
    """Offers by risk group, diagnosis group and age band, against the level; and their
    resources, in all and by risk group and statutory duty (an offer in full in each row)."""

    levels: dict[int, int]
    risk_groups: dict[str, dict[int, int]]
    diagnosis_groups: dict[str, dict[int, int]]
    age_bands: dict[str, dict[int, int]]
    resources: Sums = field(default_factory=Sums)
    risk_group_resources: dict[str, Sums] = field(default_factory=dict)
    duty_resources: dict[str, Sums] = field(default_factory=dict)

    @staticmethod
    def gaps(matrix: dict[str, dict[int, int]]) -> list[str]:
        """The rows without any offer on any level."""
        return [code for code, counts in matrix.items() if not any(counts.values())]


def _band_columns() -> dict[str, Any]:
    return {
        band_code(band): func.sum(
            case(
                (
                    (OfferVersion.age_min <= band[1]) & (OfferVersion.age_max >= band[0]),
                    1,
                ),
                else_=0,
            )
        )
        for band in AGE_BANDS
    }


def _levels_and_ages(
    session: Session, scope: Scope
) -> tuple[dict[int, int], dict[str, dict[int, int]], Sums]:
    """Offers per level and per age band and level, and their resources in all (one row a
    level; a band's sum is 0, never NULL, as it counts ``ELSE 0`` for every offer)."""
    bands = _band_columns()
    levels = _by_level()
    age_bands = {code: _by_level() for code in bands}
    total = Sums()
    rows = session.execute(
        select(OfferVersion.level, *bands.values(), *sum_columns())
        .where(*scoped(scope))
        .group_by(OfferVersion.level)
    )
    for level, *values in rows:
        in_bands, spent = values[: len(bands)], values[len(bands) :]
        for code, n in zip(bands, in_bands, strict=True):
            age_bands[code][int(level)] = int(n)
        levels[int(level)] = int(spent[0])
        total.add(sums_of(spent))
    return levels, age_bands, total


TERM_FACETS = {RISK_GROUP: vocab.RISK_GROUPS.codes, DIAGNOSIS_GROUP: vocab.DIAGNOSIS_GROUPS.codes}


def coverage(session: Session, scope: Scope) -> Coverage:
    """The scope's offers by risk group, diagnosis group and age band, against the level,
    with their resources (in all, per risk group and per statutory duty): two statements."""
    levels, age_bands, total = _levels_and_ages(session, scope)
    matrices = {f: {code: _by_level() for code in codes} for f, codes in TERM_FACETS.items()}
    raw: dict[str, dict[str, list[Any]]] = {RISK_GROUP: {}, DUTY: {}}
    rows = session.execute(
        select(VersionTerm.facet, VersionTerm.code, OfferVersion.level, *sum_columns())
        .join(OfferVersion)  # by the one foreign key, version_pk
        .where(VersionTerm.facet.in_([RISK_GROUP, DIAGNOSIS_GROUP, DUTY]), *scoped(scope))
        .group_by(VersionTerm.facet, VersionTerm.code, OfferVersion.level)
    )
    for facet, code, level, *values in rows:
        if code in matrices.get(facet, {}):
            matrices[facet][code][int(level)] = int(values[0])
        if facet in raw:
            add_raw(raw[facet].setdefault(code, empty_raw()), values)
    return Coverage(
        levels=levels,
        risk_groups=matrices[RISK_GROUP],
        diagnosis_groups=matrices[DIAGNOSIS_GROUP],
        age_bands=age_bands,
        resources=total,
        risk_group_resources={code: sums_of(v) for code, v in raw[RISK_GROUP].items()},
        duty_resources={code: sums_of(v) for code, v in raw[DUTY].items()},
    )


MAX_TREND_MONTHS = 60


def month_points(at: dt.date, months: int) -> list[dt.date]:
    """The ends of the ``months`` months up to ``at``'s, oldest first; the last is ``at``
    itself when its month has not ended by then."""
    points = [at]
    day = at.replace(day=1)
    for _ in range(months - 1):
        day = (day - dt.timedelta(days=1)).replace(day=1)
        points.append(month_end(day))
    return sorted(points)


def trend(session: Session, scope: Scope, months: int) -> list[tuple[dt.date, dict[int, int]]]:
    """Offers per level at each month end: the scope's counts as of each of those days.

    One pass over the scope's versions, counting each into every day it was in force on (by
    the same :func:`valid_at` as every report), rather than a query per day. A day's sum is 0,
    never NULL: each version counts ``ELSE 0`` on the days it was not in force.
    """
    points = month_points(scope.at, months)
    columns = [func.sum(case((and_(*valid_at(end_of(point))), 1), else_=0)) for point in points]
    counts = {point: _by_level() for point in points}
    rows = session.execute(
        select(OfferVersion.level, *columns)
        .where(*placed(scope), OfferVersion.valid_from < end_of(points[-1]))
        .group_by(OfferVersion.level)
    )
    for level, *sums in rows:
        for point, n in zip(points, sums, strict=True):
            counts[point][int(level)] = int(n)
    return [(point, counts[point]) for point in points]
