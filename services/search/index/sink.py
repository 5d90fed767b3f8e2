"""Applying verified events to the search index (the search service's ingest sink).

A newer published version replaces the offer's row, its coverage and terms, and its full-text
entry; a withdrawal deletes them. Both run inside the ingest transaction, so a reader sees an
offer either before or after a change, never half of it.
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select, text
from sqlalchemy.orm import Session

from services.search.index import documents
from services.search.index.models import FTS_TABLE, IndexedOffer, OfferCoverage, OfferTerm
from shared.areas import coverage_grain
from shared.db import utcnow
from shared.ingest.apply import VerifiedEvent


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


class SearchSink:
    """The search index as an ingest :class:`~shared.ingest.apply.Sink`."""

    def record(self, session: Session, event: VerifiedEvent) -> None:
        """The index keeps no history."""

    def publish(self, session: Session, event: VerifiedEvent) -> None:
        # The public id is a UUID of the offer URI (shared.hsds.service_id), which lies under
        # the node's own base URL: no other node's offer can claim it.
        fields = documents.offer_fields(event.document)
        row = session.scalar(select(IndexedOffer).where(IndexedOffer.offer_uri == event.offer_uri))
        values = {
            **fields,
            "node_id": event.node.id,
            "document": documents.stored_document(event.event),
            "indexed_at": utcnow(),
        }
        if row is None:
            row = IndexedOffer(**values)
            session.add(row)
            session.flush()
        else:
            for name, value in values.items():
                setattr(row, name, value)
            self._forget_details(session, row.id)
        coverage = coverage_grain(event.document["coverage"])
        if coverage:
            session.execute(
                insert(OfferCoverage),
                [{"area": a, "county": c, "offer_pk": row.id} for a, c in coverage.items()],
            )
        terms = list(documents.term_rows(event.document))
        if terms:
            session.execute(
                insert(OfferTerm),
                [{"facet": f, "code": c, "offer_pk": row.id} for f, c in terms],
            )
        if _is_sqlite(session):
            session.execute(
                text(
                    f"INSERT INTO {FTS_TABLE} (rowid, name, description, keywords) "  # noqa: S608
                    "VALUES (:id, :name, :description, :keywords)"
                ),
                {
                    "id": row.id,
                    "name": documents.fts_text(row.name),
                    "description": documents.fts_text(row.description),
                    "keywords": documents.fts_text(row.keywords),
                },
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
