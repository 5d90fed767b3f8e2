"""Tables of the counting reports: the pyramid, the coverage matrices, quality and the trend."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from services.reporting.present import resources
from services.reporting.present.model import Cell, Column, Report, Table, count, label
from services.reporting.reports import pyramid as counts
from services.reporting.reports.quality import MEASURES, Quality, UnreachableOffer, quality
from services.reporting.reports.scope import AGE_BANDS, LEVELS, Scope, band_code
from shared import vocab


def level_columns() -> list[Column]:
    return [
        *(Column(f"level_{level}", _("Level %(level)s", level=level), True) for level in LEVELS),
        Column("total", _("Total"), True),
    ]


def pyramid_report(session: Session, scope: Scope, lang: str) -> Report:
    """The pyramid report: offers per level and kind of provider, and per agency."""
    shape = counts.pyramid(session, scope)
    spent = resources.pyramid_tables(shape.resources, scope, lang)
    tables = [_pyramid_levels(shape, scope, lang), _pyramid_agencies(shape, scope, lang), *spent]
    summary = {
        "offers": shape.total,
        "base_is_widest": shape.base_is_widest,
        "resources": resources.summary(shape.resources.total),
    }
    return Report("pyramid", _("Pyramid"), scope, tables, summary, data=shape)


def _pyramid_levels(shape: counts.Pyramid, scope: Scope, lang: str) -> Table:
    kinds = vocab.ORGANISATION_KINDS
    levels = Table(
        "levels",
        _("Offers per level and kind of provider"),
        [
            Column("level", _("Level")),
            Column("name", _("Name")),
            *(Column(kind.code, kind.label(lang), True) for kind in kinds),
            Column("total", _("Total"), True),
        ],
        header_cells=2,
    )
    for level in sorted(LEVELS, reverse=True):
        levels.add(
            str(level),
            level,
            label(vocab.PYRAMID_LEVELS, str(level), lang),
            *(
                count(scope, shape.kinds[level][k], level=level, provider_kind=k)
                for k in kinds.codes
            ),
            count(scope, shape.level_total(level), level=level),
            gap=not shape.level_total(level),
        )
    levels.add(
        "total",
        _("All levels"),
        "",
        *(
            count(scope, sum(shape.kinds[lv][k] for lv in LEVELS), provider_kind=k)
            for k in kinds.codes
        ),
        count(scope, shape.total),
        total=True,
    )
    return levels


def _pyramid_agencies(shape: counts.Pyramid, scope: Scope, lang: str) -> Table:
    agencies = Table(
        "agencies",
        _("Offers per agency"),
        [
            Column("provider", _("Provider")),
            Column("agency", _("Agency")),
            Column("provider_kind", _("Kind of provider")),
            *level_columns(),
        ],
        header_cells=2,
    )
    for a in shape.agencies:
        agencies.add(
            f"{a.provider}/{a.agency}",
            a.provider_name,
            a.agency_name,
            label(vocab.ORGANISATION_KINDS, a.provider_kind, lang),
            *(
                count(scope, a.levels[lv], provider=a.provider, agency=a.agency, level=lv)
                for lv in LEVELS
            ),
            count(scope, a.total, provider=a.provider, agency=a.agency),
        )
    return agencies


def _matrix(
    name: str,
    title: str,
    heading: str,
    scope: Scope,
    rows: dict[str, dict[int, int]],
    labels: dict[str, str],
    facet: str,
) -> Table:
    table = Table(name, title, [Column(facet, heading), *level_columns()])
    for code, by_level in rows.items():
        total = sum(by_level.values())
        table.add(
            code,
            labels[code],
            *(
                Cell(n, count(scope, n, level=lv, **{facet: code}).drill, gap=not n)
                for lv, n in by_level.items()
            ),
            Cell(total, count(scope, total, **{facet: code}).drill, gap=not total),
            gap=not total,
        )
    return table


def coverage_report(session: Session, scope: Scope, lang: str) -> Report:
    """The coverage report: risk groups, ages and diagnosis groups against the level."""
    result = counts.coverage(session, scope)
    risk = {c.code: c.label(lang) for c in vocab.RISK_GROUPS}
    diagnosis = {c.code: c.label(lang) for c in vocab.DIAGNOSIS_GROUPS}
    bands = {band_code(b): _("%(low)s–%(high)s years", low=b[0], high=b[1]) for b in AGE_BANDS}
    # (table, title, first column's heading, facet, counts by level, labels of the facet)
    matrices = [
        (
            "risk_groups",
            _("Risk groups and levels"),
            _("Risk group"),
            "risk_group",
            result.risk_groups,
            risk,
        ),
        ("age_bands", _("Ages and levels"), _("Age"), "age_band", result.age_bands, bands),
        (
            "diagnosis_groups",
            _("Diagnosis groups and levels"),
            _("Diagnosis group"),
            "diagnosis_group",
            result.diagnosis_groups,
            diagnosis,
        ),
    ]
    tables = [
        _matrix(name, title, heading, scope, rows, labels, facet)
        for name, title, heading, facet, rows, labels in matrices
    ]
    spent = resources.coverage_tables(result, scope, lang)
    summary = {**_coverage_summary(result), "resources": resources.summary(result.resources)}
    return Report("coverage", _("Coverage"), scope, [*tables, *spent], summary, data=result)


def _coverage_summary(result: counts.Coverage) -> dict[str, Any]:
    return {
        "offers": sum(result.levels.values()),
        "risk_group_gaps": counts.Coverage.gaps(result.risk_groups),
        "age_band_gaps": counts.Coverage.gaps(result.age_bands),
        "empty_cells": sum(
            1
            for matrix in (result.risk_groups, result.age_bands)
            for r in matrix.values()
            for n in r.values()
            if not n
        ),
    }


def quality_report(session: Session, scope: Scope, lang: str) -> Report:
    """The quality report: quality marks, measure statuses, and both per agency."""
    result = quality(session, scope)
    names = {
        "user_participation": _("User participation"),
        "evaluated": _("Evaluated"),
        "good_practice": _("Good practice"),
        "evidence_based": _("Evidence-based"),
        "overdue": _("Past the review date"),
        "outside_home": _("Coverage outside the provider's home area"),
    }
    tables = [
        _quality_shares(result, scope, names),
        _measure_statuses(result, scope, lang),
        _quality_agencies(result, scope, names),
        # Listed when there are any: no table is the good news.
        *([_unreachable(result)] if result.unreachable else []),
        *([_only_mobile(result)] if result.only_mobile else []),
    ]
    summary = {
        "offers": result.overall.offers,
        **{f"{m}_percent": result.overall.share(m) for m in MEASURES},
        "unreachable": len(result.unreachable),
    }
    return Report("quality", _("Quality"), scope, tables, summary, data=result)


def _measured(measure: str) -> dict[str, Any]:
    """The offer filter of a quality measure: past the review date, covering areas outside
    the home area, or holding the mark."""
    if measure in ("overdue", "outside_home"):
        return {measure: True}
    return {"quality": measure}


def _quality_shares(result: Quality, scope: Scope, names: dict[str, str]) -> Table:
    overall = Table(
        "shares",
        _("Quality marks"),
        [
            Column("measure", _("Measure")),
            Column("offers", _("Offers"), True),
            Column("share", _("Share (%)"), True),
        ],
    )
    for measure in MEASURES:
        overall.add(
            measure,
            names[measure],
            count(scope, result.overall.marks[measure], **_measured(measure)),
            result.overall.share(measure),
        )
    overall.add(
        "total",
        _("All offers"),
        count(scope, result.overall.offers),
        100 if result.overall.offers else 0,
        total=True,
    )
    return overall


def _measure_statuses(result: Quality, scope: Scope, lang: str) -> Table:
    statuses = Table(
        "measure_statuses",
        _("Status of the measures"),
        [Column("status", _("Status")), Column("offers", _("Offers"), True)],
    )
    for code, n in result.measure_statuses.items():
        statuses.add(
            code, label(vocab.MEASURE_STATUSES, code, lang), count(scope, n, measure_status=code)
        )
    return statuses


def _quality_agencies(result: Quality, scope: Scope, names: dict[str, str]) -> Table:
    agencies = Table(
        "agencies",
        _("Quality per organisation and agency"),
        [
            Column("provider", _("Provider")),
            Column("agency", _("Agency")),
            Column("offers", _("Offers"), True),
            *(Column(m, names[m], True) for m in MEASURES),
        ],
        header_cells=2,
    )
    for a in result.agencies:
        where = {"provider": a.provider, "agency": a.agency}
        agencies.add(
            f"{a.provider}/{a.agency}",
            a.provider_name,
            a.agency_name,
            count(scope, a.counts.offers, **where),
            *(count(scope, a.counts.marks[m], **_measured(m), **where) for m in MEASURES),
        )
    return agencies


def _unreachable(result: Quality) -> Table:
    return _listed_offers(
        "unreachable",
        _("Offers without a way to get in touch"),
        _(
            "Published offers with no phone, e-mail, web address or place with opening hours, "
            "and no reason given why. Offers published before this was recorded are not listed."
        ),
        result.unreachable,
    )


def _only_mobile(result: Quality) -> Table:
    return _listed_offers(
        "only_mobile",
        _("Offers reached only on a mobile number"),
        _(
            "Published offers whose only way in is a Norwegian mobile number: likely a staff "
            "member's own phone, which nobody answers when they are away. Offers published "
            "before this was recorded are not listed."
        ),
        result.only_mobile,
    )


def _listed_offers(key: str, title: str, note: str, offers: list[UnreachableOffer]) -> Table:
    table = Table(
        key,
        title,
        [
            Column("offer", _("Offer")),
            Column("provider", _("Provider")),
            Column("agency", _("Agency")),
        ],
        note=note,
    )
    for offer in offers:
        table.add(
            offer.offer_uri,
            Cell(offer.name, link=offer.offer_uri),
            offer.provider_name,
            offer.agency_name,
        )
    return table


def trend_report(session: Session, scope: Scope, lang: str, months: int) -> Report:
    """The trend report: offers per level at each of ``months`` month ends."""
    points = counts.trend(session, scope, months)
    table = Table(
        "trend",
        _("Offers per level at each month end"),
        [Column("date", _("Date")), *level_columns()],
    )
    for day, by_level in points:
        at = scope.on(day)
        table.add(
            day.isoformat(),
            day.isoformat(),
            *(count(at, n, level=lv) for lv, n in by_level.items()),
            count(at, sum(by_level.values())),
        )
    summary = {
        "months": months,
        "first": points[0][0].isoformat(),
        "last": points[-1][0].isoformat(),
    }
    return Report("trend", _("Trend"), scope, [table], summary, data=points)
