"""Applying verified events to the search index (the search service's ingest sink).

A newer published version replaces the offer's row, its coverage, terms, places' points and
weekly hours, and its full-text entry; a withdrawal deletes them, and keeps the withdrawal version
(without its contact details) in ``withdrawn_offers`` until the offer is published again. Both
run inside the ingest transaction, so a reader sees an offer either before or after a change,
never half of it, and mark it changed, so it counts one change to the index when it commits
(:mod:`services.search.index.changes`). A batch of offers costs a fixed number of statements,
however many offers it holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm import Session

from services.search.index import documents
from services.search.index.changes import mark_changed
from services.search.index.models import (
    FTS_TABLE,
    IndexedOffer,
    OfferCoverage,
    OfferHours,
    OfferPlace,
    OfferTerm,
    WithdrawnOffer,
)
from shared import hsds
from shared.areas import coverage_grain
from shared.db import utcnow
from shared.db_copy import copy_rows, is_postgresql, next_ids
from shared.ingest.apply import VerifiedEvent
from shared.ingest.documents import stored_document
from shared.publication.redaction import redact_json
from shared.publication.schema import canonical_json


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@dataclass(frozen=True)
class IndexRows:
    """What the index holds about one published version, before it has a row id."""

    offer: dict[str, Any]
    coverage: dict[str, str | None]
    terms: list[tuple[str, str]]
    places: list[tuple[int, float, float, bool]]
    hours: list[documents.Hours] = field(default_factory=list)

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

    def place_rows(self, offer_pk: int) -> list[dict[str, Any]]:
        return [
            {
                "offer_pk": offer_pk,
                "position": p,
                "latitude": lat,
                "longitude": lon,
                "linked": linked,
            }
            for p, lat, lon, linked in self.places
        ]

    def hours_rows(self, offer_pk: int) -> list[dict[str, Any]]:
        return [
            {
                "offer_pk": offer_pk,
                "day": d,
                "opens": o,
                "closes": c,
                "valid_from": first,
                "valid_to": last,
            }
            for d, o, c, first, last in self.hours
        ]


def index_rows(
    node_id: str,
    event: Mapping[str, Any],
    document: Mapping[str, Any],
    stored: str | None = None,
) -> IndexRows:
    """The rows of the published version ``document`` carried by ``event`` (the sink writes
    them a batch at a time, as the benchmarks' bulk loader does). ``stored`` is the event's
    :func:`~shared.ingest.documents.stored_document` when the caller has made it already."""
    fields = documents.offer_fields(document)
    terms = list(documents.term_rows(document))
    return IndexRows(
        offer={
            **fields,
            "facet_terms": documents.facet_terms(terms),
            "place_count": len(hsds.places(document)),
            "node_id": node_id,
            "document": stored_document(event) if stored is None else stored,
            "indexed_at": utcnow(),
        },
        coverage=coverage_grain(document["coverage"]),
        terms=terms,
        places=list(documents.place_rows(document)),
        hours=documents.hours_rows(document),
    )


def _indexed(session: Session, events: Sequence[VerifiedEvent]) -> dict[str, int]:
    """The row ids of the events' offers already in the index, by offer URI."""
    uris = [event.offer_uri for event in events]
    rows = session.execute(
        select(IndexedOffer.offer_uri, IndexedOffer.id).where(IndexedOffer.offer_uri.in_(uris))
    )
    return {uri: offer_pk for uri, offer_pk in rows}


def withdrawn_row(event: VerifiedEvent) -> dict[str, Any]:
    """The ``withdrawn_offers`` row of a withdrawal: its version without contact details."""
    columns = documents.offer_fields(event.document)
    return {
        "offer_uri": event.offer_uri,
        "offer_id": columns["offer_id"],
        "node_id": event.node.id,
        "provider_id": columns["provider_id"],
        "name_sort": columns["name_sort"],
        "withdrawn_at": event.published_at,
        "document": canonical_json({**event.event["data"], "contact": {}}),
    }


def _insert_offers(session: Session, new: list[dict[str, Any]]) -> dict[str, int]:
    """Insert the rows of offers new to the index; their row ids, by offer URI. On
    PostgreSQL the ids are drawn from the sequence in one statement and the rows copied."""
    if not new:
        return {}
    if not is_postgresql(session):
        inserted = session.execute(
            insert(IndexedOffer).returning(IndexedOffer.offer_uri, IndexedOffer.id), new
        )
        return {uri: offer_pk for uri, offer_pk in inserted}
    table = IndexedOffer.__table__
    ids = next_ids(session, table, len(new))  # type: ignore[arg-type]
    copy_rows(session, table, [{**row, "id": pk} for row, pk in zip(new, ids, strict=True)])  # type: ignore[arg-type]
    return {row["offer_uri"]: pk for row, pk in zip(new, ids, strict=True)}


def write_details(
    session: Session, rows: Mapping[str, IndexRows], offer_pks: Mapping[str, int]
) -> None:
    """The coverage, terms, places and hours of the offers' rows, a table at a time
    (``COPY`` on PostgreSQL, :func:`shared.db_copy.copy_rows`)."""
    for table, make in (
        (OfferCoverage.__table__, IndexRows.coverage_rows),
        (OfferTerm.__table__, IndexRows.term_rows),
        (OfferPlace.__table__, IndexRows.place_rows),
        (OfferHours.__table__, IndexRows.hours_rows),
    ):
        batch = [r for uri, row in rows.items() for r in make(row, offer_pks[uri])]
        copy_rows(session, table, batch)  # type: ignore[arg-type]


class SearchSink:
    """The search index as an ingest :class:`~shared.ingest.apply.Sink`."""

    def record_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """The index keeps no history."""

    def publish_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """Each offer's row replaced (or made) from its event, with its coverage, terms and
        full-text entry."""
        if not events:
            return
        mark_changed(session)
        # The public id is a UUID of the offer URI (shared.hsds.service_id), which lies under
        # the node's own base URL: no other node's offer can claim it.
        rows = {
            event.offer_uri: index_rows(event.node.id, event.event, event.document, event.stored)
            for event in events
        }
        self._forget_withdrawals(session, events)
        offer_pks = _indexed(session, events)
        self._forget_details(session, list(offer_pks.values()))
        if offer_pks:
            session.execute(
                update(IndexedOffer),
                [{**rows[uri].offer, "id": offer_pk} for uri, offer_pk in offer_pks.items()],
            )
        new = [row.offer for uri, row in rows.items() if uri not in offer_pks]
        offer_pks.update(_insert_offers(session, new))
        write_details(session, rows, offer_pks)
        if _is_sqlite(session):
            session.execute(
                text(
                    f"INSERT INTO {FTS_TABLE} (rowid, name, description, keywords) "  # noqa: S608
                    "VALUES (:id, :name, :description, :keywords)"
                ),
                [{"id": offer_pks[uri], **row.fts()} for uri, row in rows.items()],
            )

    def withdraw_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """The offers' rows deleted, with everything hanging from them; their withdrawals
        kept."""
        if not events:
            return
        mark_changed(session)
        self._forget_withdrawals(session, events)
        session.execute(insert(WithdrawnOffer), [withdrawn_row(event) for event in events])
        offer_pks = list(_indexed(session, events).values())
        if not offer_pks:
            return
        self._forget_details(session, offer_pks)
        session.execute(delete(IndexedOffer).where(IndexedOffer.id.in_(offer_pks)))

    def redact_many(self, session: Session, through: Mapping[str, int]) -> None:
        """The stored document of each offer's current version (what the API and HSDS answers
        are made of) without the personal contact fields, if the redaction covers it. The
        index keeps no other version and no contact in any column."""
        if not through:
            return
        rows = session.execute(
            select(
                IndexedOffer.id, IndexedOffer.offer_uri, IndexedOffer.version, IndexedOffer.document
            ).where(IndexedOffer.offer_uri.in_(list(through)))
        )
        changed = [
            {"id": offer_pk, "document": redacted}
            for offer_pk, uri, version, document in rows
            if version <= through[uri] and (redacted := redact_json(document)) is not None
        ]
        if changed:
            mark_changed(session)
            session.execute(update(IndexedOffer), changed)

    @staticmethod
    def _forget_withdrawals(session: Session, events: Sequence[VerifiedEvent]) -> None:
        uris = [event.offer_uri for event in events]
        session.execute(delete(WithdrawnOffer).where(WithdrawnOffer.offer_uri.in_(uris)))

    @staticmethod
    def _forget_details(session: Session, offer_pks: list[int]) -> None:
        if not offer_pks:
            return
        session.execute(delete(OfferCoverage).where(OfferCoverage.offer_pk.in_(offer_pks)))
        session.execute(delete(OfferTerm).where(OfferTerm.offer_pk.in_(offer_pks)))
        session.execute(delete(OfferPlace).where(OfferPlace.offer_pk.in_(offer_pks)))
        session.execute(delete(OfferHours).where(OfferHours.offer_pk.in_(offer_pks)))
        if _is_sqlite(session):
            session.execute(
                text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN :ids").bindparams(  # noqa: S608
                    bindparam("ids", expanding=True)
                ),
                {"ids": offer_pks},
            )
