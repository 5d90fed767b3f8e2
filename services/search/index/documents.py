"""From an offer version document to what the index stores about it.

Pure functions: the sink writes what they return. Coverage is brought to the index's grain by
:func:`shared.areas.coverage_grain`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from services.search.index.models import AUDIENCE, DIAGNOSIS_GROUP, LANGUAGE, RISK_GROUP
from shared import hsds, text, timetable, vocab
from shared.ingest.documents import offer_columns

_MULTI_FIELDS = {
    RISK_GROUP: ("risk_groups", vocab.RISK_GROUPS),
    AUDIENCE: ("audiences", vocab.AUDIENCES),
    LANGUAGE: ("languages", vocab.OFFER_LANGUAGES),
    DIAGNOSIS_GROUP: ("diagnosis_groups", vocab.DIAGNOSIS_GROUPS),
}


def term_rows(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(facet, code) for every value of the multi-valued facets."""
    for facet, (name, _vocabulary) in _MULTI_FIELDS.items():
        for code in dict.fromkeys(document.get(name) or []):
            yield facet, code


def place_rows(document: Mapping[str, Any]) -> Iterator[tuple[int, float, float, bool]]:
    """(position, latitude, longitude, linked) of every place of the version that has a point;
    ``linked``: the place is the one of its HSDS location that ``hsds.places`` keeps (a place
    given twice is one location, one link of ``/service_at_locations``)."""
    kept = {id(place) for _, place in hsds.places(document)}
    for position, place in enumerate(document.get("locations") or []):
        if place.get("latitude") is not None and place.get("longitude") is not None:
            point = float(place["latitude"]), float(place["longitude"])
            yield position, *point, id(place) in kept


Hours = tuple[int, int, int, dt.date | None, dt.date | None]


def hours_rows(document: Mapping[str, Any]) -> list[Hours]:
    """(day, opens, closes, valid from, valid to) of the weekly periods within single days,
    Monday 0; the part of a period past midnight holds from one day after the period's first
    day to one day after its last. Two parts on the same day and times (Monday 22:00–02:00
    and Tuesday 00:00–02:00) are one row that holds from the earlier first day to the later
    last day (None, open-ended, wins either way). A part that would start after the last day
    the calendar has is left out; one that would end after it holds until further notice."""
    found = document.get("timetable") or {}
    first, last = _date(found.get("valid_from")), _date(found.get("valid_to"))
    rows: dict[tuple[int, int, int], tuple[dt.date | None, dt.date | None]] = {}
    for period in found.get("weekly") or []:
        parts = timetable.weekly_minutes({"weekly": [period]})
        for part, (day, opens, closes) in enumerate(parts):
            try:
                valid_from = first + dt.timedelta(days=part) if first is not None else None
            except OverflowError:
                continue  # it never starts
            valid_to = _later(last, part)
            key = (timetable.DAY_CODES.index(day), opens, closes)
            if key in rows:
                before_from, before_to = rows[key]
                valid_from = _min_open(before_from, valid_from)
                valid_to = (
                    None if before_to is None or valid_to is None else max(before_to, valid_to)
                )
            rows[key] = (valid_from, valid_to)
    return [(*key, valid_from, valid_to) for key, (valid_from, valid_to) in rows.items()]


def _later(day: dt.date | None, days: int) -> dt.date | None:
    try:
        return day + dt.timedelta(days=days) if day is not None else None
    except OverflowError:
        return None


def _min_open(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return None if a is None or b is None else min(a, b)


def facet_terms(terms: Iterable[tuple[str, str]]) -> str:
    """The ``facet_terms`` column: every (facet, code) as ``facet:code``, in sorted order."""
    return " ".join(sorted(f"{facet}:{code}" for facet, code in terms))


def keywords(document: Mapping[str, Any]) -> str:
    """Words that describe the offer without being its text: who provides it and the labels
    of its classification, in bokmål and nynorsk, so "mobbing" finds offers for bullied
    children and "helsestasjon" finds the health centre's offers."""
    labels: list[str] = [document["provider"]["name"], document["agency"]["name"]]
    classified = [
        (vocab.OFFER_CATEGORIES, [document["category"]]),
        (vocab.PYRAMID_LEVELS, [str(document["level"])]),
        *(
            (vocabulary, document.get(name) or [])
            for name, vocabulary in (v for v in _MULTI_FIELDS.values())
        ),
    ]
    for vocabulary, codes in classified:
        for code in codes:
            if code in vocabulary:
                concept = vocabulary.get(code)
                labels.extend(dict.fromkeys((concept.label("nb"), concept.label("nn"))))
    return "\n".join(labels)


def fts_text(value: str) -> str:
    """Text as the SQLite FTS5 table holds it: the analysed terms (see shared.text)."""
    return " ".join(text.terms(value))


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _moment(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def offer_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """The ``indexed_offers`` columns for a version document (as the contract loads it)."""
    return {
        **offer_columns(document),
        "keywords": keywords(document),
        "provider_id": hsds.organization_id(document["provider"]["organisation_number"]),
        "access": document["access"],
        "free_of_charge": document["free_of_charge"],
        "statutory": bool(document["statutory_duties"]),
        "published_at": _moment(document["published_at"]),
        "last_reviewed": _date(document.get("last_reviewed")),
    }
