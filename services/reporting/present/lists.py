"""Tables of the reports that list things: statutory duties, overlaps, the offers behind a
number, and the comparison of two scopes."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from services.reporting.norway_time import local_date
from services.reporting.present.model import Cell, Column, Drill, Report, Table, count, label
from services.reporting.reports.comparison import PERCENT, comparison
from services.reporting.reports.duties import duties
from services.reporting.reports.offers import OfferPage
from services.reporting.reports.overlaps import Candidate, Overlaps, overlaps
from services.reporting.reports.scope import OfferFilter, Scope
from shared import vocab
from shared.ages import age_range


def status_label(status: str) -> str:
    return {
        "covered": _("Covered"),
        "partly": _("Partly covered"),
        "missing": _("No offer"),
    }[status]


def duties_report(session: Session, scope: Scope, lang: str) -> Report:
    """The statutory-duty report: every applicable duty and its offers."""
    statuses = duties(session, scope)
    table = Table(
        "duties",
        _("Statutory duties and the offers that fulfil them"),
        [
            Column("duty", _("Duty")),
            Column("law", _("Law and section")),
            Column("carried_by", _("Carried by")),
            Column("offers", _("Offers"), True),
            Column("municipalities_covered", _("Municipalities covered"), True),
            Column("municipalities", _("Municipalities"), True),
            Column("status", _("Status")),
        ],
    )
    for s in statuses:
        table.add(
            s.duty.code,
            Cell(s.duty.label(lang), link=s.duty.url),
            f"{s.duty.law} {s.duty.section}",
            ", ".join(label(vocab.ORGANISATION_KINDS, k, lang) for k in s.duty.applies_to),
            count(scope, s.offers, duty=s.duty.code),
            s.municipalities_covered,
            s.municipalities,
            status_label(s.status),
            gap=s.status == "missing",
        )
    summary = {
        status: sum(1 for s in statuses if s.status == status)
        for status in ("covered", "partly", "missing")
    }
    summary["duties"] = len(statuses)
    return Report("duties", _("Statutory duties"), scope, [table], summary, data=statuses)


def _offer(c: Candidate, lang: str) -> list[Cell | str]:
    return [
        Cell(c.name, link=c.offer_uri),
        f"{c.provider_name}, {c.agency_name}",
        age_range(c.age_min, c.age_max, lang),
    ]


def overlaps_report(session: Session, scope: Scope, lang: str, limit: int) -> Report:
    """The overlap report: overlapping and near-identical pairs, ``limit`` of each."""
    result = overlaps(session, scope, limit)
    tables = [_overlapping(result, lang), _similar(result, lang)]
    summary = {
        "offers_compared": result.offers,
        "overlapping": result.overlapping_total,
        "similar": result.similar_total,
        "limit": limit,
    }
    return Report("overlaps", _("Overlaps"), scope, tables, summary, data=result)


def _pair_columns() -> list[Column]:
    """The columns of the two offers of a pair."""
    described = [
        ("offer", _("Name")),
        ("provider", _("Provider and agency")),
        ("ages", _("Ages")),
    ]
    return [
        Column(f"{which}_{key}", f"{heading}: {title}")
        for which, heading in (("first", _("First offer")), ("second", _("Second offer")))
        for key, title in described
    ]


def _overlapping(result: Overlaps, lang: str) -> Table:
    both = Table(
        "overlapping",
        _("Offers that overlap"),
        [
            Column("level", _("Level")),
            Column("category", _("Category")),
            *_pair_columns(),
            Column("risk_groups", _("Shared risk groups")),
        ],
        header_cells=0,
    )
    for pair in result.overlapping:
        both.add(
            f"{pair.first.id}-{pair.second.id}",
            pair.first.level,
            label(vocab.OFFER_CATEGORIES, pair.first.category, lang),
            *_offer(pair.first, lang),
            *_offer(pair.second, lang),
            "; ".join(label(vocab.RISK_GROUPS, r, lang) for r in pair.risk_groups)
            or _("None (offers for all)"),
        )
    return both


def _similar(result: Overlaps, lang: str) -> Table:
    alike = Table(
        "similar",
        _("Offers with near-identical names or descriptions"),
        [
            *_pair_columns(),
            Column("name_similarity", _("Name similarity"), True),
            Column("description_similarity", _("Description similarity"), True),
        ],
        header_cells=0,
    )
    for pair in result.similar:
        alike.add(
            f"{pair.first.id}-{pair.second.id}",
            *_offer(pair.first, lang),
            *_offer(pair.second, lang),
            pair.name_similarity,
            pair.description_similarity,
        )
    return alike


def offers_table(page: OfferPage, lang: str) -> Table:
    """A list of offers as a table."""
    table = Table(
        "offers",
        _("Offers"),
        [
            Column("name", _("Name")),
            Column("provider", _("Provider")),
            Column("agency", _("Agency")),
            Column("provider_kind", _("Kind of provider")),
            Column("level", _("Level"), True),
            Column("category", _("Category")),
            Column("ages", _("Ages")),
            Column("version", _("Version"), True),
            Column("valid_from", _("In force since")),
            Column("review_due", _("Review due")),
        ],
    )
    for offer in page.offers:
        table.add(
            offer.offer_uri,
            Cell(offer.name, link=offer.offer_uri),
            offer.provider_name,
            offer.agency_name,
            label(vocab.ORGANISATION_KINDS, offer.provider_kind, lang),
            offer.level,
            label(vocab.OFFER_CATEGORIES, offer.category, lang),
            age_range(offer.age_min, offer.age_max, lang),
            offer.version,
            local_date(offer.valid_from).isoformat(),
            offer.review_due.isoformat(),
        )
    return table


def offers_report(scope: Scope, offer_filter: OfferFilter, page: OfferPage, lang: str) -> Report:
    """The offers behind a number, one page of them."""
    summary = {
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
    }
    report = Report("offers", _("Offers"), scope, [offers_table(page, lang)], summary, data=page)
    report.summary["filter"] = offer_filter.params()
    return report


def _figure_names(lang: str) -> dict[str, str]:
    names = {
        "offers": _("Offers"),
        "risk-group-gaps": _("Risk groups without any offer"),
        "age-band-gaps": _("Age bands without any offer"),
        "duties-covered": _("Statutory duties covered"),
        "duties-missing": _("Statutory duties without any offer"),
        "user_participation": _("User participation (%)"),
        "evaluated": _("Evaluated (%)"),
        "good_practice": _("Good practice (%)"),
        "evidence_based": _("Evidence-based (%)"),
        "overdue": _("Past the review date"),
        "outside_home": _("Coverage outside the provider's home area"),
    }
    for concept in vocab.PYRAMID_LEVELS:
        names[f"level-{concept.code}"] = _("Level %(level)s", level=concept.code)
    for concept in vocab.ORGANISATION_KINDS:
        names[f"provider-{concept.code}"] = _("Provided by: %(kind)s", kind=concept.label(lang))
    return names


def comparison_report(session: Session, first: Scope, second: Scope, lang: str) -> Report:
    """The key figures of two areas side by side."""
    figures = comparison(session, first, second)
    names = _figure_names(lang)
    table = Table(
        "comparison",
        _("Key figures side by side"),
        [
            Column("measure", _("Measure")),
            Column("first", first.name(lang), True),
            Column("second", second.name(lang), True),
        ],
    )
    for f in figures:
        offers = f.offers if f.unit != PERCENT else None
        table.add(
            f.key,
            names[f.key],
            Cell(f.first, Drill(first, offers) if offers is not None else None),
            Cell(f.second, Drill(second, offers) if offers is not None else None),
        )
    summary = {"first": first.code, "second": second.code}
    return Report(
        "comparison", _("Comparison"), first, [table], summary, other=second, data=figures
    )
