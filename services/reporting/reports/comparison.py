"""Two scopes side by side: the key figures of every report, each from the same functions."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from services.reporting.reports.duties import duties
from services.reporting.reports.pyramid import Coverage, coverage, pyramid
from services.reporting.reports.quality import QUALITY_FIELDS, quality
from services.reporting.reports.scope import LEVELS, OfferFilter, Scope
from shared import vocab

COUNT = "count"
PERCENT = "percent"


@dataclass(frozen=True)
class Figure:
    """One measure for both scopes; ``offers`` is the filter of the offers counted, if any."""

    key: str
    unit: str
    first: int
    second: int
    offers: OfferFilter | None = None


def _figures(session: Session, scope: Scope) -> dict[str, tuple[str, int, OfferFilter | None]]:
    figures: dict[str, tuple[str, int, OfferFilter | None]] = {}
    shape = pyramid(session, scope)
    figures["offers"] = (COUNT, shape.total, OfferFilter())
    for level in LEVELS:
        figures[f"level-{level}"] = (COUNT, shape.level_total(level), OfferFilter(level=level))
    for kind in vocab.ORGANISATION_KINDS.codes:
        total = sum(shape.kinds[level][kind] for level in LEVELS)
        figures[f"provider-{kind}"] = (COUNT, total, OfferFilter(provider_kind=kind))
    matrices = coverage(session, scope)
    figures["risk-group-gaps"] = (COUNT, len(Coverage.gaps(matrices.risk_groups)), None)
    figures["age-band-gaps"] = (COUNT, len(Coverage.gaps(matrices.age_bands)), None)
    statuses = duties(session, scope)
    covered = sum(1 for s in statuses if s.status == "covered")
    figures["duties-covered"] = (COUNT, covered, None)
    figures["duties-missing"] = (COUNT, sum(1 for s in statuses if s.status == "missing"), None)
    marks = quality(session, scope).overall
    for name in QUALITY_FIELDS:
        figures[name] = (PERCENT, marks.share(name), OfferFilter(quality=name))
    figures["overdue"] = (COUNT, marks.marks["overdue"], OfferFilter(overdue=True))
    return figures


def comparison(session: Session, first: Scope, second: Scope) -> list[Figure]:
    """The key figures of ``first`` and ``second``, in one order."""
    a, b = _figures(session, first), _figures(session, second)
    return [Figure(key, unit, value, b[key][1], offers) for key, (unit, value, offers) in a.items()]
