"""The pyramid, the coverage matrices and the trend: offers counted by level, in SQL.

Level 1 (offers for all) is the base of the pyramid (DOMAIN.md). Each count is of offers (one
version each, the one in force at the scope's instant); an offer for several risk groups or
ages is counted once in each row it belongs to, so a matrix's rows need not add up to the total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from services.reporting.history.models import (
    DIAGNOSIS_GROUP,
    RISK_GROUP,
    OfferVersion,
    VersionTerm,
)
from services.reporting.norway_time import end_of
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
    """Offers per level, split by the kind of provider and by agency."""

    kinds: dict[int, dict[str, int]]
    agencies: list[AgencyCounts]

    def level_total(self, level: int) -> int:
        return sum(self.kinds[level].values())

    @property
    def total(self) -> int:
        return sum(self.level_total(level) for level in LEVELS)

    @property
    def base_is_widest(self) -> bool:
        return all(self.level_total(1) >= self.level_total(level) for level in LEVELS)


def level_counts(session: Session, scope: Scope) -> dict[int, int]:
    """How many offers of the scope are on each level."""
    rows = session.execute(
        select(OfferVersion.level, func.count()).where(*scoped(scope)).group_by(OfferVersion.level)
    )
    counts = _by_level()
    counts.update({int(level): int(n) for level, n in rows})
    return counts


def pyramid(session: Session, scope: Scope) -> Pyramid:
    """The scope's offers per level, by kind of provider and by agency."""
    kinds = {level: dict.fromkeys(vocab.ORGANISATION_KINDS.codes, 0) for level in LEVELS}
    rows = session.execute(
        select(OfferVersion.level, OfferVersion.provider_kind, func.count())
        .where(*scoped(scope))
        .group_by(OfferVersion.level, OfferVersion.provider_kind)
    )
    for level, kind, n in rows:
        kinds[int(level)][kind] = int(n)
    agencies: dict[tuple[str, str], AgencyCounts] = {}
    by_agency = session.execute(
        select(
            OfferVersion.provider_orgnr,
            OfferVersion.agency_id,
            OfferVersion.level,
            func.count(),
            func.max(OfferVersion.provider_name),
            func.max(OfferVersion.provider_kind),
            func.max(OfferVersion.agency_name),
        )
        .where(*scoped(scope))
        .group_by(OfferVersion.provider_orgnr, OfferVersion.agency_id, OfferVersion.level)
    )
    for orgnr, agency, level, n, provider_name, kind, agency_name in by_agency:
        counts = agencies.setdefault(
            (orgnr, agency), AgencyCounts(orgnr, provider_name, kind, agency, agency_name)
        )
        counts.levels[int(level)] = int(n)
    ordered = sorted(agencies.values(), key=lambda a: (a.provider_name, a.agency_name, a.agency))
    return Pyramid(kinds, ordered)


@dataclass
class Coverage:
    """Offers by risk group, diagnosis group and age band, against the level."""

    levels: dict[int, int]
    risk_groups: dict[str, dict[int, int]]
    diagnosis_groups: dict[str, dict[int, int]]
    age_bands: dict[str, dict[int, int]]

    @staticmethod
    def gaps(matrix: dict[str, dict[int, int]]) -> list[str]:
        """The rows without any offer on any level."""
        return [code for code, counts in matrix.items() if not any(counts.values())]


def _term_matrix(
    session: Session, scope: Scope, facet: str, codes: tuple[str, ...]
) -> dict[str, dict[int, int]]:
    matrix = {code: _by_level() for code in codes}
    rows = session.execute(
        select(VersionTerm.code, OfferVersion.level, func.count())
        .join(OfferVersion, OfferVersion.id == VersionTerm.version_pk)
        .where(VersionTerm.facet == facet, *scoped(scope))
        .group_by(VersionTerm.code, OfferVersion.level)
    )
    for code, level, n in rows:
        if code in matrix:
            matrix[code][int(level)] = int(n)
    return matrix


def coverage(session: Session, scope: Scope) -> Coverage:
    """The scope's offers by risk group, diagnosis group and age band, against the level."""
    bands = {
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
    age_bands = {code: _by_level() for code in bands}
    rows = session.execute(
        select(OfferVersion.level, *bands.values())
        .where(*scoped(scope))
        .group_by(OfferVersion.level)
    )
    for level, *sums in rows:
        for code, n in zip(bands, sums, strict=True):
            age_bands[code][int(level)] = int(n or 0)
    return Coverage(
        levels=level_counts(session, scope),
        risk_groups=_term_matrix(session, scope, RISK_GROUP, vocab.RISK_GROUPS.codes),
        diagnosis_groups=_term_matrix(
            session, scope, DIAGNOSIS_GROUP, vocab.DIAGNOSIS_GROUPS.codes
        ),
        age_bands=age_bands,
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
    the same :func:`valid_at` as every report), rather than a query per day.
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
            counts[point][int(level)] = int(n or 0)
    return [(point, counts[point]) for point in points]
