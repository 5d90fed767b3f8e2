"""Keyset pagination: the page after an offer, by the search's own order, at any depth.

A page read by offset makes the database walk every offer before it; a page read after a key
starts where the last one ended. The search's order is always total (it ends with the name's
sort key and the row id), so "the offers after this key" never repeats an offer of an earlier
page nor skips one, even when offers are published or withdrawn between two pages (an offer
that moves is where it now is).

A cursor is what a client hands back for the next page: opaque to it (base64url of a short JSON
array), and validated here: its form, the types of the key for the search's order, and a digest
of the search it was given for, so a cursor is refused for any other search. It holds nothing
that is not in the answer it came with, so it needs no signature: a forged one can only start
a page somewhere else in the same order.

The key of an offer, by the order (:mod:`services.search.index.query`):
- ``name``: no words, no point: (name sort key, id);
- ``words``: (relevance, name sort key, id): ``ts_rank`` (a ``real``, descending) on
  PostgreSQL, ``bm25`` (ascending) on SQLite;
- ``near``: (no distance, distance or -1, name sort key, id).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    REAL,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from services.search.index import distance
from services.search.index.conditions import (
    FTS,
    OfferQuery,
    dialect,
    fts_match,
    text_words,
    tsquery,
)
from services.search.index.models import FTS_TABLE, IndexedOffer

VERSION = 1
MAX_CURSOR = 1_000
# A page number a cursor may reach: far past any search's offers, short of overflowing.
MAX_PAGE = 10_000_000
_NAME_SORT_LENGTH = 200
_MAX_ID = 2**63 - 1
# The magnitudes a key's number may have: well inside a ``real``'s normal range (about 1.2e-38
# to 3.4e38), which every rank and distance is (ts_rank's floor is 1e-20).
_SMALLEST, _LARGEST = 1e-30, 1e30
# bm25 weights of the FTS5 columns: name, description, keywords.
_BM25 = "bm25(offer_fts, 10.0, 1.0, 2.0)"


# How many terms lead each order's key before the name sort key and the id; the last of them
# is the order's number (rank or distance).
_LEADING = {"name": 0, "words": 1, "near": 2}


class BadCursor(ValueError):
    """Not a cursor this search gave: malformed, of another search or of another order."""


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the offer with ``key``, which ended page ``page``."""

    page: int
    key: tuple[Any, ...]


def kind(query: OfferQuery) -> str:
    """The order a search's pages follow: ``near``, ``words`` or ``name``."""
    if query.near is not None:
        return "near"
    return "words" if query.terms() else "name"


def digest(query: OfferQuery) -> str:
    """A short digest of what the search asks, which a cursor carries to be refused by others."""
    described = json.dumps(dataclasses.astuple(query), default=str, ensure_ascii=True)
    return hashlib.sha256(described.encode()).hexdigest()[:16]


def encode(query: OfferQuery, cursor: Cursor) -> str:
    body = [VERSION, cursor.page, digest(query), kind(query), list(cursor.key)]
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(query: OfferQuery, text: str) -> Cursor:
    """The cursor ``text`` names, if it is one ``query`` gave; else :class:`BadCursor`."""
    if not text or len(text) > MAX_CURSOR:
        raise BadCursor("length")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        body = json.loads(raw.decode("ascii"))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise BadCursor("form") from error
    if not isinstance(body, list) or len(body) != 5:
        raise BadCursor("form")
    version, page, searched, order, key = body
    if version != VERSION or searched != digest(query) or order != kind(query):
        raise BadCursor("another search")
    if not _whole(page, 1, MAX_PAGE) or not isinstance(key, list):
        raise BadCursor("page")
    if not _valid_key(order, key):
        raise BadCursor("key")
    # The rank or distance as the float it was (JSON may give a whole number as an int).
    numbers = _LEADING[order]
    return Cursor(page, tuple(float(v) if 0 < i + 1 == numbers else v for i, v in enumerate(key)))


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _number(value: Any) -> bool:
    """A number every backend binds and compares as it is: a rank (PostgreSQL's ``real``,
    SQLite's bm25) or a distance in km, never one past what a ``real`` holds (that cast
    fails) nor an integer past what SQLite binds."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        number = float(value)
    except OverflowError:
        return False
    return number == 0 or _SMALLEST <= abs(number) <= _LARGEST


def _text(value: Any) -> bool:
    """A name sort key the databases can take: no NUL (PostgreSQL's text has none) and no
    lone surrogate (it is not UTF-8)."""
    if not isinstance(value, str) or len(value) > _NAME_SORT_LENGTH or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _valid_key(order: str, key: list[Any]) -> bool:
    leading = _LEADING[order]
    if len(key) != leading + 2:
        return False
    name_sort, row_id = key[leading:]
    tail = _text(name_sort) and _whole(row_id, 0, _MAX_ID)
    if order == "words":
        return tail and _number(key[0])
    if order == "near":
        return tail and isinstance(key[0], bool) and _number(key[1])
    return tail


def after(
    terms: Sequence[tuple[Any, bool]], values: Sequence[Any], tail: Sequence[Any]
) -> ColumnElement[bool]:
    """The rows after ``values`` in the order of ``terms`` (each an expression and whether it
    descends), which ends in the ascending ``tail`` (name sort key, id): compared as a row, so
    an index on those two serves a search without other terms."""
    condition: ColumnElement[bool] = tuple_(*tail) > tuple_(*values[len(terms) :])
    for (expression, descending), value in reversed(list(zip(terms, values, strict=False))):
        beyond = expression < value if descending else expression > value
        condition = or_(beyond, and_(expression == value, condition))
    return condition


@dataclass(frozen=True)
class Order:
    """A search's order: its leading terms (expression, descending) before the name sort key
    and the id, and the columns that make an offer's key."""

    terms: tuple[tuple[Any, bool], ...]
    key_columns: tuple[Any, ...]
    postgresql_rank: bool = False

    def values(self, key: Sequence[Any]) -> list[Any]:
        """A key as the comparison binds it: the ``real`` rank of PostgreSQL as its decimal
        text cast to ``real`` (the same float, never rounded twice through a double)."""
        values = [int(v) if isinstance(v, bool) else v for v in key]
        if self.postgresql_rank:
            values[0] = cast(literal(repr(float(values[0]))), REAL)
        return values

    def key_of(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """The key of a row that ends with the key columns, in the cursor's JSON types."""
        values = list(row[len(row) - len(self.key_columns) :])
        leading = len(self.terms)
        if leading == 2:  # by distance: whether it has none, and the distance or -1
            values[0], values[1] = bool(values[0]), float(values[1])
        elif leading == 1:
            values[0] = float(values[0])
        return (*values[:leading], str(values[leading]), int(values[leading + 1]))


def ordered(
    session: Session, query: OfferQuery, statement: Select[Any], radius_km: float | None = None
) -> tuple[Select[Any], Order]:
    """``statement`` in the search's order and the :class:`Order` it follows: nearest first
    from a point (within ``radius_km`` if given, else the query's radius; offers without a
    point last when there is no radius); else relevance first when there are words; then
    the name, then the id."""
    tail = (IndexedOffer.name_sort, IndexedOffer.id)
    if query.near is not None:
        radius = query.radius_km if radius_km is None else radius_km
        return _by_distance(session, query.near, radius, statement)
    if not query.terms():
        return statement.order_by(*tail), Order((), tail)
    if dialect(session) == "postgresql":
        relevance: Any = func.ts_rank(
            literal_column("indexed_offers.search_vector"), tsquery(text_words(query))
        )
        return statement.order_by(relevance.desc(), *tail), Order(
            ((relevance, True),), (relevance, *tail), postgresql_rank=True
        )
    ranked = (
        select(FTS.c.rowid.label("offer_pk"), literal_column(_BM25).label("score"))
        .where(text(f"{FTS_TABLE} MATCH :fts_rank").bindparams(fts_rank=fts_match(query.terms())))
        .subquery()
    )
    score = ranked.c.score
    statement = statement.join(ranked, ranked.c.offer_pk == IndexedOffer.id)
    return statement.order_by(score, *tail), Order(((score, False),), (score, *tail))


def _by_distance(
    session: Session, near: tuple[float, float], radius_km: float | None, statement: Select[Any]
) -> tuple[Select[Any], Order]:
    """Nearest first (offers without a point last), then the name, then the id; each row
    with its distance."""
    nearest = distance.nearest(session, *near, radius_km).subquery()
    missing = nearest.c.distance.is_(None)
    # Whether it has no distance as 0 or 1, ordered as the test itself (false first).
    missing_key = case((missing, 1), else_=0)
    known = func.coalesce(nearest.c.distance, -1.0)
    tail = (IndexedOffer.name_sort, IndexedOffer.id)
    statement = (
        statement.add_columns(nearest.c.distance)
        .join(nearest, nearest.c.offer_pk == IndexedOffer.id, isouter=radius_km is None)
        .order_by(missing, nearest.c.distance, *tail)
    )
    return statement, Order(((missing_key, False), (known, False)), (missing_key, known, *tail))
