"""Searching the index: a page of offers in order, its total and its facet counts.

What a search finds is :mod:`services.search.index.conditions`'s; its order and the keyset
after a page (cursors) :mod:`services.search.index.keyset`'s.

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

from sqlalchemy import ColumnElement, String, func, literal, select, union_all
from sqlalchemy.orm import Session

from services.search.index import changes, distance, keyset
from services.search.index.conditions import FACETS as FACETS
from services.search.index.conditions import MULTI_FACETS as MULTI_FACETS
from services.search.index.conditions import SCALAR_FACETS as SCALAR_FACETS
from services.search.index.conditions import TS_CONFIG as TS_CONFIG
from services.search.index.conditions import OfferQuery as OfferQuery
from services.search.index.conditions import dialect as _dialect
from services.search.index.conditions import has_term as has_term
from services.search.index.conditions import where_clauses as where_clauses
from services.search.index.keyset import Cursor as Cursor
from services.search.index.models import IndexedOffer
from shared import timetable

# Counts are exact up to this many matches; beyond, "more than" it (see the module's text).
EXACT_COUNT_LIMIT = 10_000


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
    # Where the page after this one starts (None: this is the last), for a keyset cursor.
    next_cursor: Cursor | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


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
    session: Session,
    query: OfferQuery,
    page: int = 1,
    per_page: int = 20,
    facets: bool = True,
    after: Cursor | None = None,
) -> SearchPage:
    """One page of the offers that match, with the total and (unless asked not to) facets,
    each counted up to ``EXACT_COUNT_LIMIT``: page ``page`` by offset, or with ``after`` the
    page after the cursor's (keyset pagination, :mod:`services.search.index.keyset`)."""
    offset = (page - 1) * per_page
    if after is not None:
        page, offset = after.page + 1, 0
    counted: tuple[int, bool] | None = None
    if _counted_with_the_page(query) and after is None and not facets:
        rows, order, counted = _ranked_page(session, query, offset, per_page + 1)
    else:
        conditions = where_clauses(session, query)
        statement = select(IndexedOffer).where(*conditions)
        radius_km = query.radius_km
        if query.near is not None and radius_km is None:
            # Nearest first over the whole country: within the distance that holds this
            # page's offers and the one after them (which says whether another page
            # follows), when the database can say it (see distance.reach_km).
            radius_km = distance.reach_km(session, *query.near, conditions, page * per_page + 1)
        statement, order = keyset.ordered(session, query, statement, radius_km)
        statement = statement.add_columns(*order.key_columns)
        if after is not None:
            statement = statement.where(
                keyset.after(order.terms, order.values(after.key), order.key_columns[-2:])
            )
        # One row more than the page says whether another page follows.
        rows = list(session.execute(statement.offset(offset).limit(per_page + 1)).all())
    following = len(rows) > per_page
    rows = rows[:per_page]
    counts: dict[str, dict[str, int]] = {}
    facets_exact = True
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
        distances={row[0].id: float(row[1]) for row in rows if row[1] is not None}
        if query.near is not None
        else {},
        next_cursor=Cursor(page, order.key_of(rows[-1])) if following else None,
    )


def _counted_with_the_page(query: OfferQuery) -> bool:
    """Whether a search is counted in the pass that ranks its page: one by words within a
    place or an organisation. The page ranks every match anyway, and a separate count would
    read every offer of the place again (it stops early only at 10,001 matches, which a place
    seldom has). A national search by words is counted on its own: its count stops at the
    10,001st match, long before the ranking has seen the country's, and counting with the
    ranking would cost more (every match held for the count)."""
    place = query.municipality or query.county or query.region or query.organisation
    return bool(query.terms()) and query.near is None and bool(place)


def _ranked_page(
    session: Session, query: OfferQuery, offset: int, limit: int
) -> tuple[list[Any], keyset.Order, tuple[int, bool] | None]:
    """A page of a search by words, its rows ending with their keys, and its capped total: the
    matches are ranked once, in narrow rows (id and key), which count themselves in the same
    pass (the page must rank every match anyway, so counting them costs no second scan); the
    whole rows are read for the page's offers only. No total when the page is past the end."""
    narrow = select(IndexedOffer.id.label("offer_pk")).where(*where_clauses(session, query))
    narrow, order = keyset.ordered(session, query, narrow)
    keys = [f"key_{i}" for i in range(len(order.key_columns))]
    # OFFSET 0 keeps the keys computed in the scan (PostgreSQL would otherwise compute the rank
    # after the count, carrying every match's vector through it).
    matched = (
        narrow.order_by(None)
        .add_columns(*(c.label(k) for c, k in zip(order.key_columns, keys, strict=True)))
        .offset(0)
        .subquery("matched")
    )

    def in_order(source: Any) -> list[Any]:
        leading = [
            source.c[keys[i]].desc() if descending else source.c[keys[i]]
            for i, (_, descending) in enumerate(order.terms)
        ]
        return [*leading, *(source.c[k] for k in keys[len(order.terms) :])]

    ranked = (
        select(
            matched.c.offer_pk, func.count().over().label("found"), *(matched.c[k] for k in keys)
        )
        .order_by(*in_order(matched))
        .offset(offset)
        .limit(limit)
        .subquery("ranked")
    )
    statement = (
        select(IndexedOffer, ranked.c.found, *(ranked.c[k] for k in keys))
        .join(ranked, ranked.c.offer_pk == IndexedOffer.id)
        .order_by(*in_order(ranked))
    )
    rows = list(session.execute(statement).all())
    if not rows:
        return rows, order, None
    found = int(rows[0][1])
    return rows, order, (min(found, EXACT_COUNT_LIMIT), found <= EXACT_COUNT_LIMIT)


def answer_tag(session: Session) -> str:
    """A (weak) ETag for the answers of the index as it is now
    (:meth:`shared.change_count.ChangeCount.answer_tag`): its epoch and count of changes (read
    before the search, so never newer than what the search reads), the application's build
    (labels, the answer's form), the counting limit and today's date in Oslo (which opening
    hours are still valid)."""
    return changes.COUNT.answer_tag(session, EXACT_COUNT_LIMIT, timetable.today())


def find(session: Session, offer_id: str) -> IndexedOffer | None:
    return session.scalar(select(IndexedOffer).where(IndexedOffer.offer_id == offer_id))


def grouped_counts(session: Session, query: OfferQuery, *columns: Any) -> list[tuple[Any, ...]]:
    """How many offers match, for each combination of the values of ``columns`` (the
    overview pages count by level and by where offers come from)."""
    statement = (
        select(*columns, func.count()).where(*where_clauses(session, query)).group_by(*columns)
    )
    return [tuple(row) for row in session.execute(statement)]
