"""The national index as the HSDS API's data source; no Flask in here.

The index holds every offer published in the federation, hundreds of thousands of them, so
every filter is a condition on ``indexed_offers`` (and its ``offer_terms``), and the database
counts, orders (``name_sort``, then the service id: the order the node publishers use) and
pages the matches; only the documents of one page are read. ``search`` is the index's own
full-text search, words by their stems and as prefixes, as ``/api/v1/offers`` finds them.

Organizations are the providers of indexed offers, each as its newest version names it. The
database picks that version among an organisation's offers; the providers found (one small row
per organisation, never a document) are then filtered by name and ordered here, in Norwegian
order, as on every node.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from services.search.index import distance
from services.search.index.models import (
    AUDIENCE,
    DIAGNOSIS_GROUP,
    RISK_GROUP,
    IndexedOffer,
    OfferPlace,
    WithdrawnOffer,
)
from services.search.index.query import OfferQuery, has_term, where_clauses
from shared import vocab
from shared.errors import NotFound
from shared.hsds_api import lookups
from shared.hsds_api.paging import window
from shared.hsds_api.source import STREAM_BATCH, Document, Provider, ServiceFilter
from shared.vocab import Vocabulary

# Where the index keeps each taxonomy's codes (see shared.hsds.terms_of for the documents').
_COLUMNS: dict[str, tuple[InstrumentedAttribute[Any], Callable[[str], Any]]] = {
    vocab.PYRAMID_LEVELS.id: (IndexedOffer.level, int),
    vocab.OFFER_CATEGORIES.id: (IndexedOffer.category, str),
    vocab.ACCESS.id: (IndexedOffer.access, str),
    vocab.MEASURE_STATUSES.id: (IndexedOffer.measure_status, str),
}
_FACETS = {
    vocab.AUDIENCES.id: AUDIENCE,
    vocab.RISK_GROUPS.id: RISK_GROUP,
    vocab.DIAGNOSIS_GROUPS.id: DIAGNOSIS_GROUP,
}
_PROVIDER = (
    IndexedOffer.provider_orgnr,
    IndexedOffer.provider_name,
    IndexedOffer.provider_kind,
    IndexedOffer.provider_home_area,
)
_NEWEST_FIRST = (IndexedOffer.published_at.desc(), IndexedOffer.id.desc())
_BY_NAME = (IndexedOffer.name_sort, IndexedOffer.offer_id)


class IndexedOffers:
    """The :class:`~shared.hsds_api.source.HsdsSource` over the national search index."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def services_page(
        self, where: ServiceFilter, number: int, per_page: int
    ) -> tuple[list[Document], int]:
        """Page ``number`` of the matches by name then service id, and how many match."""
        clauses = self._clauses(where)
        counted = select(func.count()).select_from(IndexedOffer).where(*clauses)
        total = int(self.session.scalar(counted) or 0)
        shown = window(number, per_page)
        if shown.start >= total:
            return [], total  # no query for a page past the end, however far past
        documents = self.session.scalars(
            select(IndexedOffer.document)
            .where(*clauses)
            .order_by(*_BY_NAME)
            .offset(shown.start)
            .limit(per_page)
        )
        return [json.loads(d) for d in documents], total

    def stream_services(self, where: ServiceFilter) -> Iterator[Document]:
        """Every match in service-id order, which the unique index on it hands over as found."""
        query = (
            select(IndexedOffer.document)
            .where(*self._clauses(where))
            .order_by(IndexedOffer.offer_id)
            .execution_options(yield_per=STREAM_BATCH)
        )
        rows = self.session.scalars(query)
        try:
            for document in rows:
                yield json.loads(document)
        finally:
            rows.close()  # a reader that stops early leaves no cursor open

    def places_near(
        self,
        where: ServiceFilter,
        near: tuple[float, float],
        radius: float | None,
        start: int,
        stop: int,
    ) -> tuple[list[tuple[Document, int]], int, int]:
        """The places with a point of the matches, nearest first (then service id, then the
        place's order), from ``start`` up to ``stop``, as (document, index of the place);
        how many places with a point there are (within ``radius`` km if given); and how many
        places in all (the places without a point come after, in the usual order). Only the
        place each HSDS location keeps counts (``OfferPlace.linked``): a place given twice is
        one link, listed and counted once.

        The database measures, orders and pages (the search's distance); without a radius
        the page's places are found within the distance of the ``stop`` nearest linked
        places (``distance.reach_km``), so a first page reads about a page of places.
        """
        clauses = self._clauses(where)
        km = distance.distance_km(self.session, *near)
        placed = (
            select(func.count())
            .select_from(OfferPlace)
            .join(IndexedOffer, IndexedOffer.id == OfferPlace.offer_pk)
            .where(OfferPlace.linked, *clauses)
        )
        reach = radius
        if radius is not None:
            placed = placed.where(distance.place_within(self.session, *near, radius))
        elif stop > start:
            reach = distance.reach_km(self.session, *near, clauses, stop, links=True)
        pointed = int(self.session.scalar(placed) or 0)
        total = pointed if radius is not None else self._place_count(clauses)
        if start >= pointed:
            return [], pointed, total
        statement = (
            select(IndexedOffer.document, OfferPlace.position)
            .join(IndexedOffer, IndexedOffer.id == OfferPlace.offer_pk)
            .where(OfferPlace.linked, *clauses)
            .order_by(km, IndexedOffer.offer_id, OfferPlace.position)
            .offset(start)
            .limit(stop - start)
        )
        if reach is not None:
            statement = statement.where(distance.place_within(self.session, *near, reach))
        rows = self.session.execute(statement)
        return [(json.loads(document), position) for document, position in rows], pointed, total

    def _place_count(self, clauses: list[ColumnElement[bool]]) -> int:
        """How many places (HSDS locations) the matching versions have in all."""
        counted = select(func.coalesce(func.sum(IndexedOffer.place_count), 0)).where(*clauses)
        return int(self.session.scalar(counted) or 0)

    def withdrawn_services(self, where: ServiceFilter) -> list[Document]:
        """Offers withdrawn since ``modified_after`` (and not published again), by name then
        id; the words and taxonomy filters are applied to their withdrawal versions here."""
        query = (
            select(WithdrawnOffer.document)
            .where(WithdrawnOffer.withdrawn_at >= where.modified_after)
            .order_by(WithdrawnOffer.name_sort, WithdrawnOffer.offer_id)
        )
        if where.organization_id:
            query = query.where(WithdrawnOffer.provider_id == where.organization_id)
        found = map(json.loads, self.session.scalars(query))
        return [d for d in found if lookups.document_matches(where, d)]

    def service(self, service_id: str) -> Document:
        """The indexed version behind an HSDS service id (the offer id), or NotFound."""
        wanted = lookups.as_uuid(service_id)
        query = select(IndexedOffer.document).where(IndexedOffer.offer_id == wanted)
        document = self.session.scalar(query) if wanted else None
        if document is None:
            raise NotFound("hsds.no_service", id=service_id)
        return dict(json.loads(document))

    def providers(self, search: str | None) -> list[Provider]:
        """Each organisation's provider columns from its newest indexed version, by name."""
        rows = self.session.execute(_newest_of_each_provider())
        return lookups.matching_providers(map(_provider, rows), search)

    def provider(self, organization_id: str) -> Provider:
        """The provider an HSDS organization id names, as its newest version has it."""
        wanted = lookups.as_uuid(organization_id)
        query = (
            select(*_PROVIDER)
            .where(IndexedOffer.provider_id == wanted)
            .order_by(*_NEWEST_FIRST)
            .limit(1)
        )
        row = self.session.execute(query).first() if wanted else None
        if row is None:
            raise NotFound("hsds.no_organization", id=organization_id)
        return _provider(row)

    def services_of(self, organisation_numbers: Collection[str]) -> dict[str, list[Document]]:
        """The indexed versions of these organisations, each group by name then service id."""
        rows = self.session.execute(
            select(IndexedOffer.provider_orgnr, IndexedOffer.document)
            .where(IndexedOffer.provider_orgnr.in_(list(organisation_numbers)))
            .order_by(*_BY_NAME)
        )
        grouped: dict[str, list[Document]] = {}
        for orgnr, document in rows:
            grouped.setdefault(orgnr, []).append(json.loads(document))
        return grouped

    def _clauses(self, where: ServiceFilter) -> list[ColumnElement[bool]]:
        near, radius = (where.within[:2], where.within[2]) if where.within else (None, None)
        query = OfferQuery(text=where.search, near=near, radius_km=radius)
        clauses = where_clauses(self.session, query)
        if where.organization_id:
            clauses.append(IndexedOffer.provider_id == where.organization_id)
        if where.modified_after:
            clauses.append(IndexedOffer.published_at >= where.modified_after)
        if where.taxonomy_term_id:
            term = lookups.taxonomy_term(where.taxonomy_term_id)
            clauses.append(_classified(term[0], [term[1].code]) if term else false())
        if where.taxonomy_id:
            vocabulary = lookups.taxonomy(where.taxonomy_id)
            clauses.append(_classified(vocabulary, vocabulary.codes) if vocabulary else false())
        return clauses


def _newest_of_each_provider() -> Select[str, str, str, str]:
    """The provider columns of each organisation's newest offer, one row per organisation.

    A skip scan: the recursive part steps from one organisation number to the next through
    the index on (organisation, publication time, id), and each newest offer is one probe of
    the same index, so the work grows with the organisations, never with all their offers.
    """
    step, probe = aliased(IndexedOffer), aliased(IndexedOffer)
    numbers = select(func.min(IndexedOffer.provider_orgnr).label("orgnr")).cte(
        "provider_numbers", recursive=True
    )
    following = (
        select(step.provider_orgnr)
        .where(step.provider_orgnr > numbers.c.orgnr)
        .order_by(step.provider_orgnr)
        .limit(1)
        .scalar_subquery()
    )
    numbers = numbers.union_all(
        select(following.label("orgnr")).where(numbers.c.orgnr.is_not(None))
    )
    newest = (
        select(probe.id)
        .where(probe.provider_orgnr == numbers.c.orgnr)
        .order_by(probe.published_at.desc(), probe.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(*_PROVIDER).join(numbers, IndexedOffer.id == newest)


def _classified(vocabulary: Vocabulary, codes: Sequence[str]) -> ColumnElement[bool]:
    """Offers classified with one of ``codes`` of ``vocabulary``."""
    if vocabulary.id in _FACETS:
        return has_term(_FACETS[vocabulary.id], codes)
    column, convert = _COLUMNS[vocabulary.id]
    return column.in_([convert(code) for code in codes])


def _provider(row: Sequence[Any]) -> Provider:
    """A provider block as the version documents carry it."""
    orgnr, name, kind, home_area = row
    return {"organisation_number": orgnr, "name": name, "kind": kind, "home_area": home_area}
