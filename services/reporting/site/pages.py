"""The report pages: choose an area or an organisation and a day, then read every report, each
number a link to the offers behind it, every table downloadable. Server-rendered, without
scripts, in bokmål, nynorsk or English, and printable."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, make_response, render_template, request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.sansio.response import Response as ResponseBase

from services.reporting.api.schemas import ARGUMENTS
from services.reporting.context import API_PREFIX, answer_tag, language_vary, public_answer, query
from services.reporting.history.models import OfferVersion
from services.reporting.norway_time import today
from services.reporting.present.build import REPORTS, build
from services.reporting.present.drawing import pyramid_drawing, trend_chart
from services.reporting.present.model import Drill, Report
from shared import vocab
from shared.areas import AreaKind, reference_data
from shared.errors import DomainError
from shared.i18n import current_language, init_i18n
from shared.ingest.status_web import status_pages
from shared.messages import translate
from shared.web import Api, db_session
from shared.web.caching import cacheable, not_modified

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
bp = Blueprint("site", __name__, template_folder="templates")
FILTER_VOCABULARIES = {
    "provider_kind": vocab.ORGANISATION_KINDS,
    "category": vocab.OFFER_CATEGORIES,
    "risk_group": vocab.RISK_GROUPS,
    "diagnosis_group": vocab.DIAGNOSIS_GROUPS,
    "measure_status": vocab.MEASURE_STATUSES,
}


def _organisations() -> list[tuple[str, str]]:
    rows = db_session().execute(
        select(OfferVersion.provider_orgnr, func.max(OfferVersion.provider_name)).group_by(
            OfferVersion.provider_orgnr
        )
    )
    return sorted(((orgnr, name) for orgnr, name in rows), key=lambda row: row[1])


def _areas(lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    areas = reference_data()
    groups = [
        (_("The whole country"), AreaKind.NATIONAL),
        (_("Municipalities"), AreaKind.MUNICIPALITY),
        (_("Counties"), AreaKind.COUNTY),
        (_("Regions"), AreaKind.REGION),
    ]
    return [
        (
            title,
            sorted(((a.code, a.label(lang)) for a in areas.of_kind(kind)), key=lambda a: a[1]),
        )
        for title, kind in groups
    ]


@bp.get("/")
def index() -> ResponseBase:
    lang = current_language()
    # Public (services.reporting.context): the organisations listed change with the history,
    # the form's day at midnight in Oslo.
    return public_answer(
        {"lang": lang},
        "text/html",
        lambda: make_response(
            render_template(
                "index.html",
                areas=_areas(lang),
                organisations=_organisations(),
                today=today(),
                reports=REPORTS,
                titles=report_titles(),
            )
        ),
    )


def report_titles() -> dict[str, str]:
    return {
        "pyramid": _("Pyramid"),
        "coverage": _("Coverage"),
        "duties": _("Statutory duties"),
        "overlaps": _("Overlaps"),
        "quality": _("Quality"),
        "trend": _("Trend"),
        "comparison": _("Comparison"),
        "offers": _("Offers"),
    }


def page_link(drill: Drill) -> str:
    return f"/offers?{query(drill.params())}"


def filter_labels(report: Report, lang: str) -> list[tuple[str, str]]:
    """The chosen filter of an offer list, in words."""
    names = {
        "level": _("Level"),
        "provider_kind": _("Kind of provider"),
        "provider": _("Provider"),
        "agency": _("Agency"),
        "category": _("Category"),
        "risk_group": _("Risk group"),
        "diagnosis_group": _("Diagnosis group"),
        "duty": _("Statutory duty"),
        "age_band": _("Age"),
        "quality": _("Quality mark"),
        "overdue": _("Past the review date"),
        "outside_home": _("Coverage outside the provider's home area"),
        "measure_status": _("Status"),
    }
    labels = []
    for name, value in report.summary.get("filter", {}).items():
        vocabulary = FILTER_VOCABULARIES.get(name)
        if vocabulary is not None and value in vocabulary:
            value = vocabulary.get(value).label(lang)
        elif name == "level":
            value = vocab.PYRAMID_LEVELS.get(value).label(lang)
        labels.append((names[name], value))
    return labels


@bp.get("/<kind>")
def report(kind: str) -> Any:
    schema = ARGUMENTS.get(kind)
    if schema is None:
        abort(404)
    try:
        args = schema().load(request.args.to_dict())
    except ValidationError as exc:
        return error_page(422, _("The report cannot be drawn for this request."), exc.messages)
    args["lang"] = current_language()
    # Public (services.reporting.context); the page's form also offers days up to today.
    etag, vary = answer_tag(args, today()), language_vary()
    # "*" matches any page there is (RFC 9110, 13.1.2): drawn first, an error page is none.
    star = request.if_none_match.star_tag
    unchanged = not_modified(etag, vary, "text/html")
    if unchanged is not None and not star:
        return unchanged
    try:
        result = build(db_session(), kind, args)
    except DomainError as exc:
        return error_page(exc.status_code, exc.message, exc.errors)
    if unchanged is not None:
        return unchanged
    return cacheable(make_response(_report_page(kind, args, result)), etag, vary)


def _report_page(kind: str, args: dict[str, Any], result: Report) -> str:
    lang = args["lang"]
    schema = ARGUMENTS[kind]
    return render_template(
        "report.html",
        report=result,
        kind=kind,
        args=args,
        lang=lang,
        reports=REPORTS,
        titles=report_titles(),
        page_link=page_link,
        drawing=pyramid_drawing(result.data) if kind == "pyramid" else None,
        chart=trend_chart(result.data) if kind == "trend" else None,
        filters=filter_labels(result, lang) if kind == "offers" else [],
        api=f"{API_PREFIX}/{kind}?{_known_query(schema)}",
        downloads=f"{API_PREFIX}/{kind}",
        query=_known_query(schema),
        today=today(),
        areas=_areas(lang) if kind == "comparison" else [],
    )


def _known_query(schema: type[Schema]) -> str:
    """This page's query string for its links to the API: without the parameters the report
    does not take, which the page ignores and the API refuses."""
    known = schema().fields
    return urlencode([(k, v) for k, v in request.args.items(multi=True) if k in known])


def error_page(status: int, message: str, errors: Any = None) -> tuple[str, int]:
    lang = current_language()
    details: list[str] = []
    if isinstance(errors, dict):
        for field, problems in errors.items():
            texts = problems if isinstance(problems, list) else [problems]
            details.extend(f"{field}: {translate(text, lang)}" for text in texts)
    message = translate(message, lang)
    return render_template("error.html", status=status, message=message, details=details), status


def init_site(app: Flask, api: Api) -> None:
    """The pages, in three languages; an address outside the API that matches nothing gets
    the HTML 404 page, one inside it the API's JSON error."""
    init_i18n(app, TRANSLATIONS)
    app.register_blueprint(bp)
    app.register_blueprint(status_pages("base.html"))

    def not_found(error: NotFound) -> Response | tuple[str, int]:
        if request.path.startswith("/api/"):
            return api.handle_http_exception(error)
        return error_page(404, _("There is no page at this address."))

    def method_not_allowed(error: HTTPException) -> Response:
        return api.handle_http_exception(error)

    app.register_error_handler(NotFound, not_found)
    app.register_error_handler(405, method_not_allowed)
