"""The public site of national search: the front page, the search, offers, and overviews of a
municipality, a county, a region and an organisation. Server-rendered HTML that needs no
JavaScript."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext
from markupsafe import Markup

from services.search import present
from services.search.api.schemas import MAX_DEPTH
from services.search.index import keyset
from services.search.index import query as index
from services.search.index.query import OfferQuery, SearchPage
from services.search.site import address, labels, overview
from services.search.site.params import (
    CHECKBOX_FACETS,
    LABELS,
    PANEL,
    PARAM_OF,
    PER_PAGE,
    YES_NO_FACETS,
    InvalidSearch,
    SearchParams,
    number_text,
    parse,
)
from shared import vocab
from shared.areas import AreaKind
from shared.i18n import current_language
from shared.web import db_session

bp = Blueprint("site", __name__, template_folder="templates")
# From this page on, "next page" links by a cursor (keyset pagination) instead of a number.
KEYSET_FROM_PAGE = 10


def search_url(params: SearchParams | None = None, **changes: Any) -> str:
    """The address of a search (``params`` with ``changes``; none: every offer)."""
    params = params or SearchParams()
    if changes:
        params = params.replace(**changes)
    query = params.query_string()
    return url_for("site.search") + (f"?{query}" if query else "")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {
        "search_url": search_url,
        "source_text": labels.source_text,
        "level_label": lambda level: present.label(
            vocab.PYRAMID_LEVELS, str(level), current_language()
        ),
        "area_name": lambda code: present.area_name(code, current_language()),
        "municipality_groups": overview.municipalities_by_county,
        "regions": overview.regions,
        "param_labels": LABELS,
        "yes_no": labels.yes_no,
        "no_contact_reason": labels.no_contact_reason,
        "offer_text": offer_text_language,
        "point_text": labels.point_text,
        "km_text": labels.number_text,
        "param_number": number_text,
        "timetable_of": lambda offer: labels.timetable_of(offer, current_language()),
    }


def offer_text_language() -> Markup:
    """A ``lang`` attribute for what offers say in their own words: nodes publish their text
    in Norwegian, so on English pages it is marked as such (WCAG 3.1.2, language of parts)."""
    return Markup(' lang="no"') if current_language() == "en" else Markup("")


@bp.get("/")
def front() -> str:
    """Choose a municipality and search; what Nettungen is; every municipality by county."""
    return render_template("site/front.html", total=overview.everything(db_session()))


@bp.get("/sok")
def search() -> str | tuple[str, int]:
    """Results with the filters and their counts; 400 naming what cannot be used. A point
    typed as words is looked up as an address first (see ``site.address``)."""
    args, located = address.locate(request.args)
    try:
        params = parse(args)
    except InvalidSearch as invalid:
        return render_template(
            "site/invalid_search.html",
            problems=invalid.problems,
            valid=invalid.valid,
            located=located,
        ), 400
    query = params.query()
    session = db_session()
    page = index.search(session, query, params.page, PER_PAGE, after=params.after)
    if params.after is None and params.page > page.pages:
        return render_template("site/no_such_page.html", params=params, page=page), 404
    return render_template("site/search.html", **_search_page(params, query, page, located))


def _search_page(
    params: SearchParams,
    query: OfferQuery,
    page: SearchPage,
    located: address.Located | None = None,
) -> dict[str, Any]:
    lang = current_language()
    session = db_session()
    facets = present.facets(page, lang, present.chosen(query))

    def organisation_name(orgnr: str) -> str | None:
        offer = overview.organisation(session, orgnr)
        return offer.provider_name if offer else None

    found = located.address if located else None

    def describe(name: str, value: Any) -> dict[str, Any]:
        shown = labels.filter_value(name, value, lang, organisation_name)
        return {
            "name": name,
            "value": found.label() if name == "near" and found else shown,
            "url": search_url(params.without(name, value)),
        }

    return {
        "params": params,
        "page": page,
        "first": (page.page - 1) * page.per_page + 1,
        "checkbox_facets": [(f, labels.facet_legend(f), facets[f]) for f in CHECKBOX_FACETS],
        "yes_no_facets": [
            (f, PARAM_OF.get(f, f), labels.facet_legend(f), facets[f]) for f in YES_NO_FACETS
        ],
        "chosen": [describe(name, value) for name, value in params.filters()],
        "filtered": sum(1 for name, _ in params.filters() if name in PANEL),
        "widening": [
            {**describe(name, value), "count": count}
            for name, value, count in (overview.widening(session, params) if not page.total else ())
        ],
        "pages": page_numbers(page.page, page.pages),
        "next_url": _next_url(params, query, page),
        "last_numbered": MAX_DEPTH // PER_PAGE,
        "weekdays": [(c.code, c.label(lang)) for c in vocab.WEEKDAYS],
        "json_url": url_for("offers.Offers") + f"?{params.query_string()}",
        "count_limit": index.EXACT_COUNT_LIMIT,
        "located": located,
        "other_addresses": [
            (a.label(), search_url(params, near=(a.latitude, a.longitude)))
            for a in (located.found[1:] if located else ())
        ],
    }


def _next_url(params: SearchParams, query: OfferQuery, page: SearchPage) -> str | None:
    """The next page's address: by its number up to ``KEYSET_FROM_PAGE``, after it (and once
    a page came by a cursor) by the cursor after this page's last offer, which reaches any
    depth and never repeats or skips an offer."""
    if page.next_cursor is None:
        return None
    if params.after is None and page.page < KEYSET_FROM_PAGE:
        return search_url(params, page=page.page + 1)
    return search_url(params, cursor=keyset.encode(query, page.next_cursor))


def page_numbers(current: int, last: int, around: int = 2) -> list[int | None]:
    """The pages a pager links to: the first, the last, and a few around the current one;
    ``None`` stands for the pages left out between them."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@bp.get("/tilbud/<offer_id>")
def offer(offer_id: str) -> str | tuple[str, int]:
    """One offer as its node published it. ``?municipality=`` (from a search there) says
    where it comes from seen from that municipality; a code that names none is ignored, as
    the offer itself is still there to show."""
    municipality = request.args.get("municipality") or None
    if municipality and overview.area(municipality, AreaKind.MUNICIPALITY) is None:
        municipality = None
    found = index.find(db_session(), offer_id)
    if found is None:
        return not_found(gettext("No offer with this address is published now.")), 404
    return render_template(
        "site/offer.html",
        offer=found,
        facts=labels.offer_facts(found, current_language()),
        municipality=municipality,
    )


@bp.get("/kommune/<code>")
def municipality(code: str) -> str | tuple[str, int]:
    """Every offer available in a municipality, by level and by source."""
    area = overview.area(code, AreaKind.MUNICIPALITY)
    if area is None:
        return not_found(gettext("There is no municipality with this number.")), 404
    return _overview("site/municipality.html", {"municipality": code}, area=area)


@bp.get("/fylke/<code>")
def county(code: str) -> str | tuple[str, int]:
    """Every offer available in a county or its municipalities, by level and source."""
    area = overview.area(code, AreaKind.COUNTY)
    if area is None:
        return not_found(gettext("There is no county with this number.")), 404
    return _overview(
        "site/county.html",
        {"county": code},
        area=area,
        municipalities=overview.municipalities_of(area),
        regions=overview.regions_with(code),
    )


@bp.get("/region/<code>")
def region(code: str) -> str | tuple[str, int]:
    """Every offer available somewhere in a region (a set of counties), by level and source."""
    area = overview.area(code, AreaKind.REGION)
    if area is None:
        return not_found(gettext("There is no region with this code.")), 404
    return _overview(
        "site/region.html", {"region": code}, area=area, counties=overview.counties_of(code)
    )


@bp.get("/organisasjon/<orgnr>")
def organisation(orgnr: str) -> str | tuple[str, int]:
    """Every offer an organisation publishes now, by level."""
    newest = overview.organisation(db_session(), orgnr)
    if newest is None:
        return not_found(gettext("No organisation with this number has offers published now.")), 404
    return _overview(
        "site/organisation.html",
        {"organisation": orgnr},
        provider=newest,
        home=labels.area_link(newest.provider_home_area, current_language()),
        kind=present.label(vocab.ORGANISATION_KINDS, newest.provider_kind, current_language()),
    )


def _overview(template: str, place: dict[str, str], **context: Any) -> str:
    """An overview of the offers of a place (``{"municipality": "3301"}``) or a provider, by
    level and source; its links lead on to the search for the same place."""
    params = SearchParams(place)
    query = params.query()
    municipality = place.get("municipality")
    session = db_session()
    groups = overview.pyramid(session, query)
    return render_template(
        template,
        groups=groups,
        total=sum(g.total for g in groups),
        sources=overview.sources(session, query, municipality),
        source_rows=labels.source_rows(municipality),
        params=params,
        municipality=municipality,
        **context,
    )


def not_found(message: str) -> str:
    return render_template("site/not_found.html", message=message)
