"""Tables of the resources behind the offers: staff (årsverk) and yearly budget, in the pyramid
report (by level, kind of provider, agency) and the coverage report (by risk group and
statutory duty). How resources are attributed is said in services.reporting.reports.resources;
the tables say it to their readers in their notes."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from services.reporting.present.model import Cell, Column, Table, count, label
from services.reporting.reports import resources as sums
from services.reporting.reports.duties import catalogue
from services.reporting.reports.pyramid import Coverage
from services.reporting.reports.scope import LEVELS, Scope
from shared import vocab


def area_note() -> str:
    return _(
        "An offer's whole staff and budget count in every area it covers; they are not split "
        "between the municipalities it covers."
    )


def overlap_note() -> str:
    return _(
        "An offer for several rows counts in full in each of them, so the rows need not add "
        "up to the last row, which counts each offer once."
    )


def resource_columns() -> list[Column]:
    return [
        Column("offers", _("Offers"), True),
        Column("staff_fte", _("Staff (full-time equivalents)"), True),
        Column("budget_nok", _("Yearly budget (NOK)"), True),
        Column("without_staff", _("Offers without staff registered"), True),
        Column("without_budget", _("Offers without budget registered"), True),
    ]


def sums_cells(scope: Scope, s: sums.Sums, **offers: Any) -> list[Cell]:
    """The cells of one row of sums; the count of offers drills down to the offers summed."""
    return [
        count(scope, s.offers, **offers),
        Cell(s.staff),
        Cell(s.budget),
        Cell(s.without_staff),
        Cell(s.without_budget),
    ]


def summary(total: sums.Sums) -> dict[str, Any]:
    """The true totals (each offer once), for a report's summary."""
    return {
        "offers": total.offers,
        "staff_fte": total.staff,
        "budget_nok": total.budget,
        "offers_without_staff": total.without_staff,
        "offers_without_budget": total.without_budget,
    }


def pyramid_tables(result: sums.Resources, scope: Scope, lang: str) -> list[Table]:
    """Resources by level, by kind of provider and by agency (the pyramid's ``resources``)."""
    levels = Table(
        "resources_levels",
        _("Resources per level"),
        [Column("level", _("Level")), Column("name", _("Name")), *resource_columns()],
        header_cells=2,
        note=area_note(),
    )
    for level in sorted(LEVELS, reverse=True):
        name = label(vocab.PYRAMID_LEVELS, str(level), lang)
        levels.add(str(level), level, name, *sums_cells(scope, result.levels[level], level=level))
    levels.add("total", _("All levels"), "", *sums_cells(scope, result.total), total=True)
    kinds = Table(
        "resources_kinds",
        _("Resources per kind of provider"),
        [Column("provider_kind", _("Kind of provider")), *resource_columns()],
        note=area_note(),
    )
    for kind in vocab.ORGANISATION_KINDS:
        cells = sums_cells(scope, result.kinds[kind.code], provider_kind=kind.code)
        kinds.add(kind.code, kind.label(lang), *cells)
    kinds.add("total", _("All offers"), *sums_cells(scope, result.total), total=True)
    return [levels, kinds, _agencies(result, scope, lang)]


def _agencies(result: sums.Resources, scope: Scope, lang: str) -> Table:
    agencies = Table(
        "resources_agencies",
        _("Resources per agency"),
        [
            Column("provider", _("Provider")),
            Column("agency", _("Agency")),
            Column("provider_kind", _("Kind of provider")),
            *resource_columns(),
        ],
        header_cells=2,
        note=area_note(),
    )
    for a in result.agencies:
        agencies.add(
            f"{a.provider}/{a.agency}",
            a.provider_name,
            a.agency_name,
            label(vocab.ORGANISATION_KINDS, a.provider_kind, lang),
            *sums_cells(scope, a.sums, provider=a.provider, agency=a.agency),
        )
    agencies.add("total", _("All offers"), "", "", *sums_cells(scope, result.total), total=True)
    return agencies


def coverage_tables(result: Coverage, scope: Scope, lang: str) -> list[Table]:
    """Resources by risk group (every group) and by statutory duty (those with offers), each
    closed by the true total."""
    total = result.resources
    note = f"{overlap_note()} {area_note()}"
    risk = Table(
        "resources_risk_groups",
        _("Resources per risk group"),
        [Column("risk_group", _("Risk group")), *resource_columns()],
        note=note,
    )
    for code in vocab.RISK_GROUPS.codes:
        s = result.risk_group_resources.get(code, sums.Sums())
        risk.add(code, label(vocab.RISK_GROUPS, code, lang), *sums_cells(scope, s, risk_group=code))
    duties = Table(
        "resources_duties",
        _("Resources per statutory duty"),
        [Column("duty", _("Statutory duty")), *resource_columns()],
        note=note,
    )
    titles = {duty.code: duty.label(lang) for duty in catalogue()}
    for code in titles:
        s = result.duty_resources.get(code, sums.Sums())
        if s.offers:
            duties.add(code, titles[code], *sums_cells(scope, s, duty=code))
    for table in (risk, duties):
        table.add(
            "total", _("All offers, each counted once"), *sums_cells(scope, total), total=True
        )
    return [risk, duties]
