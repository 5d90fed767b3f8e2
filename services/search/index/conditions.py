"""What a search finds: the query a person builds and the conditions on ``indexed_offers`` it
makes (places, filters, words, opening hours, a radius). The order and the counting are
:mod:`services.search.index.query`'s; the keyset after a page is
:mod:`services.search.index.keyset`'s.

Filters combine with AND; the values chosen within one facet combine with OR (level 1 or 2).
Words match by their stems and as prefixes ("foreldre" finds "foreldrekurs"), and all of them
must match.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from services.search.index import distance
from services.search.index.models import (
    AUDIENCE,
    DIAGNOSIS_GROUP,
    FTS_TABLE,
    LANGUAGE,
    RISK_GROUP,
    IndexedOffer,
    OfferCoverage,
    OfferHours,
    OfferTerm,
)
from shared import text as norwegian
from shared import timetable
from shared.areas import NATIONAL, reference_data

TS_CONFIG = "nettungen_norwegian"
FTS = table(FTS_TABLE, column("rowid"))

SCALAR_FACETS = {
    "level": IndexedOffer.level,
    "category": IndexedOffer.category,
    "provider_kind": IndexedOffer.provider_kind,
    "free_of_charge": IndexedOffer.free_of_charge,
    "statutory": IndexedOffer.statutory,
}
MULTI_FACETS = (RISK_GROUP, DIAGNOSIS_GROUP, AUDIENCE, LANGUAGE)
FACETS = (*SCALAR_FACETS, *MULTI_FACETS)


@dataclass(frozen=True)
class OfferQuery:
    """What a person searches for; every part is optional."""

    text: str | None = None
    municipality: str | None = None
    county: str | None = None
    region: str | None = None
    organisation: str | None = None
    level: tuple[int, ...] = ()
    category: tuple[str, ...] = ()
    provider_kind: tuple[str, ...] = ()
    risk_group: tuple[str, ...] = ()
    diagnosis_group: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    age: int | None = None
    free_of_charge: bool | None = None
    statutory: bool | None = None
    # A point (latitude, longitude): results in order of distance from it, each with its
    # distance; with a radius (km), only offers with a place that near.
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    # Open on a day of the week (a WEEKDAYS code) and/or at a time of day (minutes after
    # midnight), by the offer's weekly hours.
    open_on: str | None = None
    open_at: int | None = None

    def terms(self) -> list[str]:
        return norwegian.query_terms(self.text or "")

    def without(self, facet: str) -> OfferQuery:
        """The same search with nothing chosen of ``facet`` (its field's default)."""
        return dataclasses.replace(self, **{facet: _UNCHOSEN[facet]})


# Each field's default: what a search without that part holds.
_UNCHOSEN: dict[str, Any] = {field.name: field.default for field in dataclasses.fields(OfferQuery)}


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def tsquery(words: Sequence[str]) -> ColumnElement[Any]:
    # Words are \w+ only, so nothing in them is tsquery syntax; each is analysed by the
    # configuration and matched as a prefix.
    expression = " & ".join(f"'{word}':*" for word in words)
    return func.to_tsquery(literal_column(f"'{TS_CONFIG}'"), literal(expression))


def text_words(query: OfferQuery) -> list[str]:
    """The query's words that are not stop words (PostgreSQL analyses them itself)."""
    return [w for w in dict.fromkeys(norwegian.words(query.text or "")) if norwegian.terms(w)][:16]


def fts_match(terms: Sequence[str]) -> str:
    return " AND ".join(f'"{term}"*' for term in terms)


def has_term(facet: str, codes: Sequence[str]) -> ColumnElement[bool]:
    """The offer has one of ``codes`` among the values of the multi-valued ``facet``."""
    return IndexedOffer.id.in_(
        select(OfferTerm.offer_pk).where(OfferTerm.facet == facet, OfferTerm.code.in_(codes))
    )


def where_clauses(session: Session, query: OfferQuery) -> list[ColumnElement[bool]]:
    """The conditions on ``indexed_offers`` that select what ``query`` finds."""
    conditions = _place_conditions(query)
    if query.organisation:
        conditions.append(IndexedOffer.provider_orgnr == query.organisation)
    conditions += _facet_conditions(query)
    if query.age is not None:
        conditions.append(
            and_(IndexedOffer.age_min <= query.age, IndexedOffer.age_max >= query.age)
        )
    if query.open_on is not None or query.open_at is not None:
        conditions.append(_open_condition(query))
    if query.terms():
        conditions.append(_words_condition(session, query))
    if query.near is not None and query.radius_km is not None:
        conditions.append(
            IndexedOffer.id.in_(distance.within(session, *query.near, query.radius_km))
        )
    return conditions


def _open_condition(query: OfferQuery) -> ColumnElement[bool]:
    """Open on the day and/or at the time by a weekly period in force today: from its
    opening minute up to, not at, its closing minute (shared.timetable's periods)."""
    today = timetable.today()
    hours = select(OfferHours.offer_pk).where(
        or_(OfferHours.valid_from.is_(None), OfferHours.valid_from <= today),
        or_(OfferHours.valid_to.is_(None), OfferHours.valid_to >= today),
    )
    if query.open_on is not None:
        hours = hours.where(OfferHours.day == timetable.DAY_CODES.index(query.open_on))
    if query.open_at is not None:
        hours = hours.where(OfferHours.opens <= query.open_at, OfferHours.closes > query.open_at)
    return IndexedOffer.id.in_(hours)


def _place_conditions(query: OfferQuery) -> list[ColumnElement[bool]]:
    """Offers available in the chosen municipality, county or region (a region is its
    counties; see the index's models)."""
    conditions: list[ColumnElement[bool]] = []
    if query.municipality:
        county = reference_data().get(query.municipality).county_code or ""
        conditions.append(
            IndexedOffer.id.in_(
                select(OfferCoverage.offer_pk).where(
                    OfferCoverage.area.in_([query.municipality, county, NATIONAL])
                )
            )
        )
    if query.county:
        conditions.append(_in_counties((query.county,)))
    if query.region:
        conditions.append(_in_counties(reference_data().region_counties[query.region]))
    return conditions


def _in_counties(counties: Sequence[str]) -> ColumnElement[bool]:
    """Offers available somewhere in one of ``counties``: covering one of them, one of their
    municipalities or a region they belong to (stored as its counties), or the country."""
    return IndexedOffer.id.in_(
        select(OfferCoverage.offer_pk).where(
            or_(OfferCoverage.county.in_(counties), OfferCoverage.area == NATIONAL)
        )
    )


def _facet_conditions(query: OfferQuery) -> list[ColumnElement[bool]]:
    """The values chosen of each facet, scalar and multi-valued."""
    conditions: list[ColumnElement[bool]] = []
    for facet, column_ in SCALAR_FACETS.items():
        chosen = getattr(query, facet)
        if isinstance(chosen, tuple) and chosen:
            conditions.append(column_.in_(chosen))
        elif isinstance(chosen, bool):
            conditions.append(column_.is_(chosen))
    for facet in MULTI_FACETS:
        codes = getattr(query, facet)
        if codes:
            conditions.append(has_term(facet, codes))
    return conditions


def _words_condition(session: Session, query: OfferQuery) -> ColumnElement[bool]:
    """Every word matches: the weighted vector on PostgreSQL, the FTS5 table on SQLite."""
    if dialect(session) == "postgresql":
        return literal_column("indexed_offers.search_vector").op("@@")(tsquery(text_words(query)))
    return IndexedOffer.id.in_(
        select(FTS.c.rowid).where(
            text(f"{FTS_TABLE} MATCH :fts_match").bindparams(fts_match=fts_match(query.terms()))
        )
    )
