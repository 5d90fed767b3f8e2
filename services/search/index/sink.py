"""Applying verified events to the search index (the search service's ingest sink).

A newer published version replaces the offer's row, its coverage and terms, and its full-text
entry; a withdrawal deletes them. Both run inside the ingest transaction, so a reader sees an
offer either before or after a change, never half of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from services.search.index import documents
from services.search.index.models import FTS_TABLE, IndexedOffer, OfferCoverage, OfferTerm
from shared.areas import coverage_grain
from shared.db import utcnow
from shared.ingest.apply import VerifiedEvent


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@dataclass(frozen=True)
class IndexRows:
    """What the index holds about one published version, before it has a row id."""

    offer: dict[str, Any]
    coverage: dict[str, str | None]
    terms: list[tuple[str, str]]

    def fts(self) -> dict[str, str]:
        """The SQLite full-text row's columns (PostgreSQL computes its own vector)."""
        return {
            name: documents.fts_text(self.offer[name])
            for name in ("name", "description", "keywords")
        }

    def coverage_rows(self, offer_pk: int) -> list[dict[str, Any]]:
        return [{"area": a, "county": c, "offer_pk": offer_pk} for a, c in self.coverage.items()]

    def term_rows(self, offer_pk: int) -> list[dict[str, Any]]:
        return [{"facet": f, "code": c, "offer_pk": offer_pk} for f, c in self.terms]


def index_rows(
    node_id: str,
    event: Mapping[str, Any],
    document: Mapping[str, Any],
    stored: str | None = None,
) -> IndexRows:
    """The rows of the published version ``document`` carried by ``event`` (the sink writes
    them one event at a time; the benchmarks' bulk loader writes many at once). ``stored`` is
    the event's :func:`~documents.stored_document` when the caller has made it already."""
    fields = documents.offer_fields(document)
    return IndexRows(
        offer={
            **fields,
            "node_id": node_id,
            "document": documents.stored_document(event) if stored is None else stored,
            "indexed_at": utcnow(),
        },
        coverage=coverage_grain(document["coverage"]),
        terms=list(documents.term_rows(document)),
    )


class SearchSink:
    """The search index as an ingest :class:`~shared.ingest.apply.Sink`."""

    def record(self, session: Session, event: VerifiedEvent) -> None:
        """The index keeps no history."""

    def publish(self, session: Session, event: VerifiedEvent) -> None:
        # The public id is a UUID of the offer URI (shared.hsds.service_id), which lies under
        # the node's own base URL: no other node's offer can claim it.
        rows = index_rows(event.node.id, event.event, event.document)
        row = session.scalar(select(IndexedOffer).where(IndexedOffer.offer_uri == event.offer_uri))
        if row is None:
            row = IndexedOffer(**rows.offer)
            session.add(row)
            session.flush()
        else:
            for name, value in rows.offer.items():
                setattr(row, name, value)
            self._forget_details(session, row.id)
        if rows.coverage:
            session.execute(insert(OfferCoverage), rows.coverage_rows(row.id))
        if rows.terms:
            session.execute(insert(OfferTerm), rows.term_rows(row.id))
        if _is_sqlite(session):
            session.execute(
                text(
                    f"INSERT INTO {FTS_TABLE} (rowid, name, description, keywords) "  # noqa: S608
                    "VALUES (:id, :name, :description, :keywords)"
                ),
                {"id": row.id, **rows.fts()},
            )

    def withdraw(self, session: Session, event: VerifiedEvent) -> None:
        offer_pk = session.scalar(
            select(IndexedOffer.id).where(IndexedOffer.offer_uri == event.offer_uri)
        )
        if offer_pk is None:
            return
        self._forget_details(session, offer_pk)
        session.execute(delete(IndexedOffer).where(IndexedOffer.id == offer_pk))

    def _forget_details(self, session: Session, offer_pk: int) -> None:
        session.execute(delete(OfferCoverage).where(OfferCoverage.offer_pk == offer_pk))
        session.execute(delete(OfferTerm).where(OfferTerm.offer_pk == offer_pk))
        if _is_sqlite(session):
            session.execute(
                text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"),  # noqa: S608
                {"id": offer_pk},
            )
