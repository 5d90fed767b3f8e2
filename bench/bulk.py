"""The bulk path: published events written straight into a search index and a reporting
history, many at a time (COPY on PostgreSQL, executemany on SQLite).

Each row is built by the sinks' own code (:func:`services.search.index.sink.index_rows`,
:func:`services.reporting.history.sink.version_values` and ``detail_rows``) from the same event
and loaded document the ingest path hands them, so the two cannot drift;
tests/bench/test_national.py proves they give the identical state. What it skips is what makes
ingest safe for one event at a time from untrusted nodes: signature checks, the per-offer lock,
the look-up of an existing row. So it loads first publications only (one published version per
offer, each offer once), which is what :func:`bench.national.published_events` makes, and it
refuses anything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Engine, insert, text

from bench.national import Publication
from services.reporting.history import changes as history_changes
from services.reporting.history import sink as history
from services.reporting.history.models import OfferVersion, VersionCoverage, VersionTerm
from services.search.index import changes
from services.search.index import sink as search
from services.search.index.models import (
    FTS_TABLE,
    IndexedOffer,
    OfferCoverage,
    OfferPlace,
    OfferTerm,
)
from shared.db import utcnow
from shared.ingest.documents import stored_document
from shared.ingest.models import IngestedOffer
from shared.publication import EVENT_PUBLISHED
from shared.publication.events import sequence_of

BATCH = 5_000
Stored = tuple[Publication, str]
SEARCH_TABLES = ("indexed_offers", "offer_coverage", "offer_terms", "ingested_offers")
HISTORY_TABLES = ("offer_versions", "version_coverage", "version_terms", "ingested_offers")


@dataclass
class Target:
    """One database being loaded: its connection and the next row id of its main table."""

    connection: Connection
    next_id: int = 1

    @property
    def postgresql(self) -> bool:
        return self.connection.dialect.name == "postgresql"

    def write(self, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        if not self.postgresql:
            self.connection.execute(insert(table), rows)
            return
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])

    def drop_indexes(self, tables: Sequence[str]) -> list[str]:
        """On PostgreSQL, drop the tables' plain indexes (built once at the end, far faster
        than row by row); returns their definitions. Keys and unique constraints stay."""
        if not self.postgresql:
            return []
        rows = self.connection.execute(
            text(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(:t) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            ),
            {"t": list(tables)},
        ).all()
        for name, _ in rows:
            self.connection.execute(text(f'DROP INDEX "{name}"'))
        return [definition for _, definition in rows]

    def finish(self, table: str, indexes: Sequence[str]) -> None:
        for definition in indexes:
            self.connection.execute(text(definition))
        if self.postgresql:
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )


def _ingested(publication: Publication, applied_at: Any) -> dict[str, Any]:
    return {
        "offer_uri": publication.document["uri"],
        "node_id": publication.node,
        "version": publication.document["version"],
        "withdrawn": False,
        "event_id": str(publication.event["id"]),
        "sequence": sequence_of(publication.event),
        "applied_at": applied_at,
        # The node's time of the version, as the ingest path keeps it (the order check).
        "published_at": publication.document["published_at"],
    }


def _index_batch(target: Target, batch: Sequence[Stored]) -> None:
    offers, coverage, terms, places, fts = [], [], [], [], []
    for publication, stored in batch:
        rows = search.index_rows(publication.node, publication.event, publication.document, stored)
        offer_pk = target.next_id
        target.next_id += 1
        offers.append({"id": offer_pk, **rows.offer})
        coverage.extend(rows.coverage_rows(offer_pk))
        terms.extend(rows.term_rows(offer_pk))
        places.extend(rows.place_rows(offer_pk))
        if not target.postgresql:
            fts.append({"id": offer_pk, **rows.fts()})
    target.write(IndexedOffer.__table__, offers)
    target.write(OfferCoverage.__table__, coverage)
    target.write(OfferTerm.__table__, terms)
    target.write(OfferPlace.__table__, places)
    if not target.postgresql:
        target.connection.execute(
            text(
                f"INSERT INTO {FTS_TABLE} (rowid, name, description, keywords) "  # noqa: S608
                "VALUES (:id, :name, :description, :keywords)"
            ),
            fts,
        )
    target.write(IngestedOffer.__table__, [_ingested(p, utcnow()) for p, _ in batch])


def _history_batch(target: Target, batch: Sequence[Stored]) -> None:
    versions, coverage, terms = [], [], []
    for publication, _stored in batch:
        version_pk = target.next_id
        target.next_id += 1
        values = history.version_values(publication.node, publication.document, False)
        versions.append({"id": version_pk, "valid_to": None, **values})
        covers, classified = history.detail_rows(publication.document, version_pk)
        coverage.extend(covers)
        terms.extend(classified)
    target.write(OfferVersion.__table__, versions)
    target.write(VersionCoverage.__table__, coverage)
    target.write(VersionTerm.__table__, terms)
    target.write(IngestedOffer.__table__, [_ingested(p, utcnow()) for p, _ in batch])


def _checked(publications: Iterable[Publication]) -> Iterator[Stored]:
    seen: set[str] = set()
    for publication in publications:
        uri = publication.document["uri"]
        if publication.event["type"] != EVENT_PUBLISHED or publication.document["version"] != 1:
            raise ValueError(f"the bulk path loads first publications only, not {uri} as it is")
        if uri in seen:
            raise ValueError(f"{uri} twice: the bulk path loads each offer once")
        seen.add(uri)
        # The canonical JSON both sinks store, made once.
        yield publication, stored_document(publication.event)


def _next_id(connection: Connection, table: str) -> int:
    """The first row id after those of an earlier load into the same database."""
    query = f"SELECT coalesce(max(id), 0) + 1 FROM {table}"  # noqa: S608 - our own table name
    return int(connection.execute(text(query)).scalar_one())


def load(
    publications: Iterable[Publication],
    search_engine: Engine | None = None,
    reporting_engine: Engine | None = None,
    batch_size: int = BATCH,
) -> int:
    """Write ``publications`` into a migrated search index and/or reporting history, in one
    transaction each; returns how many were loaded. The offers must be new to the databases
    (a first load, or another federation's offers after it)."""
    loaded = 0
    with (
        search_engine.begin() if search_engine else nullcontext() as search_conn,
        reporting_engine.begin() if reporting_engine else nullcontext() as history_conn,
    ):
        for conn in (search_conn, history_conn):
            if conn is not None and conn.dialect.name == "postgresql":
                # Rows made here reference only rows made here: no foreign-key trigger per row.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                # The indexes dropped below are built at the end: sorted in memory, not on disk.
                conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        targets = [
            (Target(conn, _next_id(conn, tables[0])), write, tables)
            for conn, write, tables in (
                (search_conn, _index_batch, SEARCH_TABLES),
                (history_conn, _history_batch, HISTORY_TABLES),
            )
            if conn is not None
        ]
        indexes = [target.drop_indexes(tables) for target, _, tables in targets]
        stream = _checked(publications)
        while batch := list(islice(stream, batch_size)):
            for target, write, _ in targets:
                write(target, batch)
            loaded += len(batch)
        for (target, _, tables), dropped in zip(targets, indexes, strict=True):
            target.finish(tables[0], dropped)
        if search_conn is not None:
            # A new epoch: the index is rebuilt, its answers named anew.
            changes.count_change(search_conn, renew_epoch=True)
        if history_conn is not None:
            history_changes.COUNT.count_change(history_conn, renew_epoch=True)
    for engine in (search_engine, reporting_engine):
        if engine is not None and engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # As autovacuum leaves a table that has stopped growing: statistics, and the
                # visibility map that lets counts be answered from an index alone.
                conn.execute(text("VACUUM (ANALYZE)"))
    return loaded
