"""Searching the index: words, filters, facet counts, relevance order, stable pages.

Filters combine with AND; the values chosen within one facet combine with OR (level 1 or 2).
Each facet is counted with every filter applied except its own, so the count beside a value
is how many offers the search would find with that value chosen too (the usual faceted
search, where choosing a second level adds offers instead of emptying the list).

Words match by their stems and as prefixes ("foreldre" finds "foreldrekurs"), all of them
must match, and the order is relevance (name before description before keywords), then the
name in Norwegian order, then the row id, so pages never overlap or skip.

Counts do not grow with the matches: a search counts its total and its facets among at most
``EXACT_COUNT_LIMIT`` offers (as Elasticsearch's ``track_total_hits`` does). Up to that many
matches every count is exact; beyond it the total is "more than" the limit and each facet count
is how many of the first ``EXACT_COUNT_LIMIT`` matches the database found have the value (a
lower bound), and the page says so (``total_exact``, ``facets_exact``). The facet values come
from one narrow index holding every facet of an offer (migration 0009), so the counting is one
bounded index scan, not a join per offer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.orm import Session

from services.search.index import changes, distance
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
# Counts are exact up to this many matches; beyond, "more than" it (see the module's text).
EXACT_COUNT_LIMIT = 10_000
# bm25 weights of the FTS5 columns: name, description, keywords.
_BM25 = "bm25(offer_fts, 10.0, 1.0, 2.0)"
_FTS = table(FTS_TABLE, column("rowid"))

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
        empty: Any = None if facet in ("free_of_charge", "statutory") else ()
        return dataclasses.replace(self, **{facet: empty})


@dataclass(frozen=True)
class SearchPage:
    total: int
    page: int
    per_page: int
    offers: list[IndexedOffer]
    facets: dict[str, dict[str, int]]
    # With a point searched from: each offer's distance in km (by row id), if it has a place.
    distances: dict[int, float] = dataclasses.field(default_factory=dict)
    # False when more offers match than are counted: ``total`` is then the limit, and
    # ``facets`` count the values among that many of them.
    total_exact: bool = True
    facets_exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _tsquery(words: Sequence[str]) -> ColumnElement[Any]:
    # Words are \w+ only, so nothing in them is tsquery syntax; each is analysed by the
    # configuration and matched as a prefix.
    expression = " & ".join(f"'{word}':*" for word in words)
    return func.to_tsquery(literal_column(f"'{TS_CONFIG}'"), literal(expression))


def _text_words(query: OfferQuery) -> list[str]:
    """The query's words that are not stop words (PostgreSQL analyses them itself)."""
    return [w for w in dict.fromkeys(norwegian.words(query.text or "")) if norwegian.terms(w)][:16]


def _fts_match(terms: Sequence[str]) -> str:
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
    if _dialect(session) == "postgresql":
        return literal_column("indexed_offers.search_vector").op("@@")(_tsquery(_text_words(query)))
    return IndexedOffer.id.in_(
        select(_FTS.c.rowid).where(
            text(f"{FTS_TABLE} MATCH :fts_match").bindparams(fts_match=_fts_match(query.terms()))
        )
    )


def _ordered(session: Session, query: OfferQuery, statement: Select[Any]) -> Select[Any]:
    """Relevance first when there are words, then the name, then the id."""
    terms = query.terms()
    if not terms:
        return statement.order_by(IndexedOffer.name_sort, IndexedOffer.id)
    if _dialect(session) == "postgresql":
        relevance: Any = func.ts_rank(
            literal_column("indexed_offers.search_vector"), _tsquery(_text_words(query))
        )
        return statement.order_by(relevance.desc(), IndexedOffer.name_sort, IndexedOffer.id)
    ranked = (
        select(_FTS.c.rowid.label("offer_pk"), literal_column(_BM25).label("score"))
        .where(text(f"{FTS_TABLE} MATCH :fts_rank").bindparams(fts_rank=_fts_match(terms)))
        .subquery()
    )
    return statement.join(ranked, ranked.c.offer_pk == IndexedOffer.id).order_by(
        ranked.c.score, IndexedOffer.name_sort, IndexedOffer.id
    )


def count(session: Session, query: OfferQuery) -> int:
    statement = select(func.count()).select_from(IndexedOffer).where(*where_clauses(session, query))
    return int(session.scalar(statement) or 0)


def _chosen(query: OfferQuery, facet: str) -> bool:
    value = getattr(query, facet)
    return value is not None and value != ()


def capped_count(session: Session, query: OfferQuery) -> tuple[int, bool]:
    """How many offers match, counted up to ``EXACT_COUNT_LIMIT``, and whether exactly."""
    matched = (
        select(IndexedOffer.id)
        .where(*where_clauses(session, query))
        .limit(EXACT_COUNT_LIMIT + 1)
        .subquery()
    )
    found = int(session.scalar(select(func.count()).select_from(matched)) or 0)
    return min(found, EXACT_COUNT_LIMIT), found <= EXACT_COUNT_LIMIT


def facet_counts(session: Session, query: OfferQuery) -> tuple[dict[str, dict[str, int]], bool]:
    """For every facet, how many offers each value would give, the facet's own filter lifted;
    and whether every count is exact (each is counted among at most ``EXACT_COUNT_LIMIT``
    matches).

    Facets not filtered on share one set of conditions, so they are counted together in one
    statement; a facet that is filtered on is counted on its own, without its filter.
    """
    counts, exact, _ = _facet_counts(session, query)
    return counts, exact


def _facet_counts(
    session: Session, query: OfferQuery
) -> tuple[dict[str, dict[str, int]], bool, tuple[int, bool] | None]:
    """:func:`facet_counts`, and the capped total of ``query`` itself when a batch counted it
    (the one of the facets not filtered on), so that the search need not count it again."""
    counts: dict[str, dict[str, int]] = {}
    exact = True
    total: tuple[int, bool] | None = None
    shared = [f for f in FACETS if not _chosen(query, f)]
    batches = [(query, shared)] if shared else []
    batches += [(query.without(f), [f]) for f in FACETS if _chosen(query, f)]
    for lifted, facets in batches:
        batch, found = _capped_facet_counts(session, where_clauses(session, lifted), facets)
        counts.update(batch)
        exact = exact and found <= EXACT_COUNT_LIMIT
        if lifted is query:
            total = (min(found, EXACT_COUNT_LIMIT), found <= EXACT_COUNT_LIMIT)
    return {facet: counts[facet] for facet in FACETS}, exact, total


def _capped_facet_counts(
    session: Session, conditions: list[ColumnElement[bool]], facets: Sequence[str]
) -> tuple[dict[str, dict[str, int]], int]:
    """The counts of ``facets`` among the first ``EXACT_COUNT_LIMIT`` offers that meet
    ``conditions``, and how many were found (up to one more than the limit, which says
    there are more): one bounded scan of the facet columns
    (on PostgreSQL an index-only scan of ``ix_indexed_offers_facet_counts``, counted by the
    database in the same statement)."""
    scalar = [f for f in facets if f in SCALAR_FACETS]
    multi = {f for f in facets if f not in SCALAR_FACETS}
    matched = (
        select(*(SCALAR_FACETS[f] for f in scalar), IndexedOffer.facet_terms)
        .where(*conditions)
        .limit(EXACT_COUNT_LIMIT + 1)
    )
    counts: dict[str, dict[str, int]] = {facet: {} for facet in facets}
    if _dialect(session) != "postgresql":
        rows = session.execute(matched).all()
        for row in rows[:EXACT_COUNT_LIMIT]:
            for facet, value in zip(scalar, row, strict=False):
                code = _code(value)
                counts[facet][code] = counts[facet].get(code, 0) + 1
            for facet, code in _terms(str(row[-1] or ""), multi):
                counts[facet][code] = counts[facet].get(code, 0) + 1
        return counts, len(rows)
    found = matched.cte("matched")
    counted = select(found).limit(EXACT_COUNT_LIMIT).cte("counted")
    parts: list[Any] = [
        select(literal("").label("facet"), literal("").label("code"), func.count()).select_from(
            found
        )
    ]
    parts += [
        select(literal(f), counted.c[f].cast(String), func.count()).group_by(counted.c[f])
        for f in scalar
    ]
    if multi:
        term = select(
            func.unnest(func.string_to_array(counted.c.facet_terms, " ")).label("term")
        ).subquery()
        parts.append(select(literal(":"), term.c.term, func.count()).group_by(term.c.term))
    found_count = 0
    for facet, code, n in session.execute(union_all(*parts)):
        if facet == "":
            found_count = int(n)
        elif facet == ":":
            for term_facet, term_code in _terms(code, multi):
                counts[term_facet][term_code] = int(n)
        else:
            counts[facet][code] = int(n)
    return counts, found_count


def _terms(words: str, facets: set[str]) -> list[tuple[str, str]]:
    """The (facet, code) pairs of ``facets`` in a ``facet_terms`` value."""
    pairs = [word.partition(":") for word in words.split(" ") if word]
    return [(facet, code) for facet, _, code in pairs if facet in facets]


def _code(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def search(
    session: Session, query: OfferQuery, page: int = 1, per_page: int = 20, facets: bool = True
) -> SearchPage:
    """One page of the offers that match, with the total and (unless asked not to) facets,
    each counted up to ``EXACT_COUNT_LIMIT``."""
    conditions = where_clauses(session, query)
    statement = select(IndexedOffer).where(*conditions)
    if query.near is not None:
        radius_km = query.radius_km
        if radius_km is None:
            # Nearest first over the whole country: within the distance that holds this
            # page's offers, when the database can say it (see distance.reach_km).
            radius_km = distance.reach_km(session, *query.near, conditions, page * per_page)
        statement = _by_distance(session, query.near, radius_km, statement)
    else:
        statement = _ordered(session, query, statement)
    rows: list[Any] = list(
        session.execute(statement.offset((page - 1) * per_page).limit(per_page)).all()
    )
    counts: dict[str, dict[str, int]] = {}
    facets_exact, counted = True, None
    if facets:
        counts, facets_exact, counted = _facet_counts(session, query)
    total, total_exact = counted or capped_count(session, query)
    return SearchPage(
        total=total,
        page=page,
        per_page=per_page,
        offers=[row[0] for row in rows],
        facets=counts,
        total_exact=total_exact,
        facets_exact=facets_exact,
        distances={row[0].id: float(row[1]) for row in rows if len(row) > 1 and row[1] is not None},
    )


def _by_distance(
    session: Session, near: tuple[float, float], radius_km: float | None, statement: Select[Any]
) -> Select[Any]:
    """Nearest first (offers without a point last), then the name, then the id; each row
    with its distance."""
    nearest = distance.nearest(session, *near, radius_km).subquery()
    return (
        statement.add_columns(nearest.c.distance)
        .join(nearest, nearest.c.offer_pk == IndexedOffer.id, isouter=radius_km is None)
        .order_by(
            nearest.c.distance.is_(None),
            nearest.c.distance,
            IndexedOffer.name_sort,
            IndexedOffer.id,
        )
    )


def answer_tag(session: Session) -> str:
    """A (weak) ETag for the answers of the index as it is now: its epoch and count of changes
    (read before the search, so never newer than what the search reads), the application's
    build (labels, the answer's form), the counting limit and today's date in Oslo (which
    opening hours are still valid)."""
    epoch, count = changes.current(session)
    today = timetable.today().isoformat()
    return f"{epoch}-{count}-{changes.build()}-{EXACT_COUNT_LIMIT}-{today}"


def find(session: Session, offer_id: str) -> IndexedOffer | None:
    return session.scalar(select(IndexedOffer).where(IndexedOffer.offer_id == offer_id))


def grouped_counts(session: Session, query: OfferQuery, *columns: Any) -> list[tuple[Any, ...]]:
    """How many offers match, for each combination of the values of ``columns`` (the
    overview pages count by level and by where offers come from)."""
    statement = (
        select(*columns, func.count()).where(*where_clauses(session, query)).group_by(*columns)
    )
    return [tuple(row) for row in session.execute(statement)]
