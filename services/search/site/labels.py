"""Words of the site that depend on the data: where an offer comes from, what a chosen filter
is called, and an offer's facts in the reader's language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask_babel import gettext, lazy_gettext
from flask_babel.speaklater import LazyString

from services.search import present
from services.search.index.models import IndexedOffer
from services.search.site.params import LABELS, PARAM_OF
from services.search.site.params import number_text as param_number
from shared import timetable_view, vocab
from shared.areas import AreaKind, UnknownAreaError, reference_data
from shared.db import utcnow
from shared.i18n import current_language
from shared.timetable_view import TimetableView

# One offer, seen from the municipality searched in ...
SOURCE_FROM_HERE = {
    "own_municipality": lazy_gettext("The municipality's own offer"),
    "municipality": lazy_gettext("From another municipality"),
    "county": lazy_gettext("From the county"),
    "region": lazy_gettext("From a region"),
    "state": lazy_gettext("From the state"),
    "voluntary": lazy_gettext("From a voluntary or private organisation"),
}
# ... or from nowhere in particular.
SOURCE_ANYWHERE = {
    **SOURCE_FROM_HERE,
    "municipality": lazy_gettext("From a municipality"),
    "county": lazy_gettext("From a county"),
}
# Rows of the count tables on the overview pages.
SOURCE_ROWS = {
    "own_municipality": lazy_gettext("The municipality itself"),
    "municipality": lazy_gettext("Other municipalities"),
    "county": lazy_gettext("The county"),
    "region": lazy_gettext("Regions"),
    "state": lazy_gettext("The state"),
    "voluntary": lazy_gettext("Voluntary and private organisations"),
}
SOURCE_ROWS_ANYWHERE = {
    **SOURCE_ROWS,
    "municipality": lazy_gettext("Municipalities"),
    "county": lazy_gettext("Counties"),
}


def source_text(offer: IndexedOffer, municipality: str | None) -> str:
    """Where ``offer`` comes from, seen from ``municipality`` (if one is chosen)."""
    source = present.source(offer, municipality)
    if municipality and source == "county":
        own_county = reference_data().get(municipality).county_code
        if offer.provider_home_area != own_county:
            return str(SOURCE_ANYWHERE["county"])
    labels = SOURCE_FROM_HERE if municipality else SOURCE_ANYWHERE
    return str(labels[source])


def source_rows(municipality: str | None) -> Mapping[str, LazyString]:
    return SOURCE_ROWS if municipality else SOURCE_ROWS_ANYWHERE


def facet_legend(facet: str) -> str:
    """The heading of a facet's filter group (facets are named as the query names them)."""
    return str(LABELS[PARAM_OF.get(facet, facet)])


def no_contact_reason(reason: str) -> tuple[str, bool]:
    """Why an offer has no way to get in touch, as the reader knows it, and whether it is in
    the offer's own words (a version from before the reasons were codes) rather than ours."""
    if reason in vocab.NO_CONTACT_REASONS:
        return vocab.NO_CONTACT_REASONS.get(reason).label(current_language()), False
    return reason, True


def yes_no(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def filter_value(
    name: str, value: Any, lang: str, organisation_name: Callable[[str], str | None]
) -> str:
    """A chosen value of a search parameter, as the reader knows it."""
    if name in present.FACET_VOCABULARIES:
        return present.label(present.FACET_VOCABULARIES[name], str(value), lang)
    if name in ("municipality", "county", "region"):
        return present.area_name(value, lang)
    if name == "organisation":
        return organisation_name(value) or str(value)
    if name == "age":
        return gettext("%(age)s years", age=value)
    if name == "near":
        return point_text(value)
    if name == "radius":
        return gettext("within %(km)s km", km=number_text(value))
    if name == "open_on":
        return present.label(vocab.WEEKDAYS, str(value), lang)
    if name == "open_at":
        return str(value)
    if isinstance(value, bool):
        return yes_no(value)
    return f"«{value}»"


def point_text(point: Any) -> str:
    """A point as the search's address writes it: ``59.7441,10.2045``."""
    return ",".join(param_number(float(part)) for part in point)


def number_text(value: float, decimals: int = 1) -> str:
    """A number of km as the reader writes it (a decimal comma in Norwegian)."""
    text = f"{value:.{decimals}f}".removesuffix(".0")
    return text if current_language() == "en" else text.replace(".", ",")


def _labels(vocabulary: vocab.Vocabulary, codes: Any, lang: str) -> list[str]:
    return [present.label(vocabulary, code, lang) for code in codes or ()]


_AREA_PAGES = {
    AreaKind.MUNICIPALITY: "municipality",
    AreaKind.COUNTY: "county",
    AreaKind.REGION: "region",
}


def area_link(code: str, lang: str) -> dict[str, str | None]:
    """An area as the offer page shows it: its name, and the kind of page it has here."""
    try:
        page = _AREA_PAGES.get(reference_data().get(code).kind)
    except UnknownAreaError:
        page = None  # retired by a newer classification: named by its code, not linked
    return {"code": code, "name": present.area_name(code, lang), "page": page}


def timetable_of(offer: IndexedOffer, lang: str) -> TimetableView | None:
    """Open now or when next, and the hours and dates, from the offer's published timetable."""
    return timetable_view.view(present.document(offer).get("timetable"), utcnow(), lang)


def offer_facts(offer: IndexedOffer, lang: str) -> dict[str, Any]:
    """Everything the offer page tells, from the version its node published."""
    doc = present.document(offer)
    return {
        "doc": doc,
        "timetable": timetable_of(offer, lang),
        "level": present.label(vocab.PYRAMID_LEVELS, str(offer.level), lang),
        "category": present.label(vocab.OFFER_CATEGORIES, offer.category, lang),
        "provider_kind": present.label(vocab.ORGANISATION_KINDS, offer.provider_kind, lang),
        "access": present.label(vocab.ACCESS, offer.access, lang),
        "audiences": _labels(vocab.AUDIENCES, doc["audiences"], lang),
        "risk_groups": _labels(vocab.RISK_GROUPS, doc["risk_groups"], lang),
        "diagnosis_groups": _labels(vocab.DIAGNOSIS_GROUPS, doc.get("diagnosis_groups"), lang),
        "languages": _labels(vocab.OFFER_LANGUAGES, doc["languages"], lang),
        "measure_status": present.label(
            vocab.MEASURE_STATUSES, doc.get("measure_status") or "", lang
        ),
        "coverage": [area_link(area["code"], lang) for area in present.coverage(offer, lang)],
        "locations": [
            {**place, "area": present.area_name(place["municipality"], lang)}
            if place.get("municipality")
            else dict(place)
            for place in doc["locations"]
        ],
        "duties": [
            {**duty, "title": duty["title"].get(lang) or duty["title"].get("nb") or duty["code"]}
            for duty in doc["statutory_duties"]
        ],
    }
