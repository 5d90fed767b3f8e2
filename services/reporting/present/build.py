"""From validated request arguments to a :class:`Report`: one place for the pages, the API and
the downloads, so all three show the same report for the same arguments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from services.reporting.norway_time import today
from services.reporting.present import counts, lists
from services.reporting.present.model import Report
from services.reporting.reports import offers as offer_list
from services.reporting.reports.scope import (
    OfferFilter,
    Scope,
    area_scope,
    organisation_scope,
)
from shared.errors import NotFound

# The reports of one scope, in the order pages list them.
REPORTS = ("pyramid", "coverage", "duties", "overlaps", "quality", "trend")
FILTER_FIELDS = tuple(OfferFilter.__dataclass_fields__)


def resolve_scope(session: Session, args: Mapping[str, Any]) -> Scope:
    """The area or organisation of validated arguments, as of their day (default today)."""
    at = args.get("at") or today()
    if args.get("area"):
        return area_scope(args["area"], at)
    scope = organisation_scope(session, args["organisation"], at)
    if scope is None:
        raise NotFound("report.organisation_unpublished", number=args["organisation"])
    return scope


def offer_filter(args: Mapping[str, Any]) -> OfferFilter:
    return OfferFilter(**{name: args.get(name) for name in FILTER_FIELDS})


def build(session: Session, kind: str, args: Mapping[str, Any]) -> Report:
    """The report ``kind`` for validated ``args`` (their schema is the kind's)."""
    lang = args["lang"]
    if kind == "comparison":
        at = args.get("at") or today()
        first, second = area_scope(args["area"], at), area_scope(args["other"], at)
        return lists.comparison_report(session, first, second, lang)
    scope = resolve_scope(session, args)
    if kind == "pyramid":
        return counts.pyramid_report(session, scope, lang)
    if kind == "coverage":
        return counts.coverage_report(session, scope, lang)
    if kind == "quality":
        return counts.quality_report(session, scope, lang)
    if kind == "trend":
        return counts.trend_report(session, scope, lang, args["months"])
    if kind == "duties":
        return lists.duties_report(session, scope, lang)
    if kind == "overlaps":
        return lists.overlaps_report(session, scope, lang, args["limit"])
    if kind == "offers":
        chosen = offer_filter(args)
        page = offer_list.offers(session, scope, chosen, args["page"], args["per_page"])
        return lists.offers_report(scope, chosen, page, lang)
    raise NotFound("report.not_found")


def build_all_rows(session: Session, kind: str, args: Mapping[str, Any]) -> Report:
    """As :func:`build`, but a list of offers is whole rather than a page (for downloads)."""
    if kind != "offers":
        return build(session, kind, args)
    return build(session, kind, {**args, "page": 1, "per_page": offer_list.MAX_LISTED})
