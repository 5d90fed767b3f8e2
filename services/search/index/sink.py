"""Applying verified events to the search index (the search service's ingest sink).

A newer published version replaces the offer's row, its coverage and terms, and its full-text
entry; a withdrawal deletes them. Both run inside the ingest transaction, so a reader sees an
offer either before or after a change, never half of it. A batch of offers costs a fixed
number of statements, however many offers it holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from services.search.index import documents
from services.search.index.models import FTS_TABLE, IndexedOffer, OfferCoverage, OfferTerm
from shared.areas import coverage_grain
from shared.db import utcnow
from shared.ingest.apply import VerifiedEvent


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _indexed(session: Session, events: Sequence[VerifiedEvent]) -> dict[str, int]:
    """The row ids of the events' offers already in the index, by offer URI."""
    uris = [event.offer_uri for event in events]
    rows = session.execute(
        select(IndexedOffer.offer_uri, IndexedOffer.id).where(IndexedOffer.offer_uri.in_(uris))
    )
    return {uri: offer_pk for uri, offer_pk in rows}


class SearchSink:
    """The search index as an ingest :class:`~shared.ingest.apply.Sink`."""

    def record_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """The index keeps no history."""

    def publish_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """Each offer's row replaced (or made) from its event, with its coverage, terms and
        full-text entry."""
        if not events:
            return
        # The public id is a UUID of the offer URI (shared.hsds.service_id), which lies under
        # the node's own base URL: no other node's offer can claim it.
        now = utcnow()
        values = {
            event.offer_uri: {
                **documents.offer_fields(event.document),
                "node_id": event.node.id,
                "document": documents.stored_document(event.event),
                "indexed_at": now,
            }
            for event in events
        }
        offer_pks = _indexed(session, events)
        self._forget_details(session, list(offer_pks.values()))
        if offer_pks:
            session.execute(
                update(IndexedOffer),
                [{**values[uri], "id": offer_pk} for uri, offer_pk in offer_pks.items()],
            )
        new = [row for uri, row in values.items() if uri not in offer_pks]
        if new:
            inserted = session.execute(
                insert(IndexedOffer).returning(IndexedOffer.offer_uri, IndexedOffer.id), new
            )
            offer_pks.update({uri: offer_pk for uri, offer_pk in inserted})
        self._details(session, events, offer_pks)
        if _is_sqlite(session):
            session.execute(
                text(
                    f"INSERT INTO {FTS_TABLE} (rowid, name, description, keywords) "  # noqa: S608
                    "VALUES (:id, :name, :description, :keywords)"
                ),
                [
                    {
                        "id": offer_pks[uri],
                        "name": documents.fts_text(row["name"]),
                        "description": documents.fts_text(row["description"]),
                        "keywords": documents.fts_text(row["keywords"]),
                    }
                    for uri, row in values.items()
                ],
            )

    def withdraw_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """The offers' rows deleted, with everything hanging from them."""
        offer_pks = list(_indexed(session, events).values()) if events else []
        if not offer_pks:
            return
        self._forget_details(session, offer_pks)
        session.execute(delete(IndexedOffer).where(IndexedOffer.id.in_(offer_pks)))

    @staticmethod
    def _details(
        session: Session, events: Sequence[VerifiedEvent], offer_pks: dict[str, int]
    ) -> None:
        coverage, terms = [], []
        for event in events:
            offer_pk = offer_pks[event.offer_uri]
            coverage += [
                {"area": a, "county": c, "offer_pk": offer_pk}
                for a, c in coverage_grain(event.document["coverage"]).items()
            ]
            terms += [
                {"facet": f, "code": c, "offer_pk": offer_pk}
                for f, c in documents.term_rows(event.document)
            ]
        if coverage:
            session.execute(insert(OfferCoverage), coverage)
        if terms:
            session.execute(insert(OfferTerm), terms)

    @staticmethod
    def _forget_details(session: Session, offer_pks: list[int]) -> None:
        if not offer_pks:
            return
        session.execute(delete(OfferCoverage).where(OfferCoverage.offer_pk.in_(offer_pks)))
        session.execute(delete(OfferTerm).where(OfferTerm.offer_pk.in_(offer_pks)))
        if _is_sqlite(session):
            session.execute(
                text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN :ids").bindparams(  # noqa: S608
                    bindparam("ids", expanding=True)
                ),
                {"ids": offer_pks},
            )
