"""Search's ingest throughput from the bus, beside a raw bulk insert of the same rows.

A node's log of ``scale.ingest_events`` signed versions (built in bulk, see :mod:`bench.nodes`)
is relayed onto the bus into search's durable queue (not timed). Search's bus consumer
(``shared.ingest.consumer.BusIngest`` with the search sink, as ``nettungen search ingest``
builds it) then drains the queue in its own process, verifying, applying and acknowledging
every event; the figure is events per second from its first message to its last. The raw
baseline writes the rows the sink writes for the same versions (offers, coverage, facet terms,
full-text entries on SQLite, the ingest bookkeeping) with one bulk insert per table in one
transaction, computed beforehand. Every run starts from an empty index.

    BENCH_DATABASE_URL=... BENCH_BROKER_URL=... python -m bench.ingest
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from bench.common import Databases, Result, Scale, rss_result, run_module
from bench.nodes import (
    NODE_ID,
    build_node,
    forget_index,
    forget_relay,
    log_size,
    purge,
    relay_all,
    trust,
)
from bench.processes import in_process
from services.search.index import documents
from services.search.index.models import FTS_TABLE, IndexedOffer, OfferCoverage, OfferTerm
from shared.areas import coverage_grain
from shared.bus import IncomingMessage, open_consumer
from shared.db import utcnow
from shared.ingest.consumer import BINDINGS, PREFETCH
from shared.ingest.documents import stored_document
from shared.ingest.models import IngestedOffer
from shared.publication.keys import entry_event
from shared.publication.models import LogEntry
from shared.publication.schema import load_offer_version

TARGET = 2_500  # events/s


def consume(
    url: str, broker: str, queue: str, count: int, service: str = "search"
) -> tuple[int, float]:
    """In the consumer's own process: drain ``count`` events into the database of
    ``service`` (search's index or reporting's history); (applied, seconds)."""
    from sqlalchemy.orm import sessionmaker

    from services.reporting.history.sink import HistorySink
    from services.search.index.sink import SearchSink
    from shared.db import create_engine
    from shared.ingest.consumer import BusIngest
    from shared.ingest.directory import DirectoryCache
    from shared.ingest.verifier import Verifier

    engine = create_engine(url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    bus = open_consumer(broker, queue, BINDINGS, PREFETCH)
    sink = SearchSink() if service == "search" else HistorySink()
    consumer = BusIngest(sessions, bus, sink, Verifier(sessions, DirectoryCache(sessions), None))
    first: list[float] = []

    def handle(messages: list[IncomingMessage]) -> dict[int, str]:
        # The clock starts with the first event: not with the connection or the queue's setup.
        if not first:
            first.append(time.perf_counter())
        return consumer.handle_batch(messages)

    bus.connect()
    bus.drain_batches(handle, timeout=30, size=consumer.batch_size, limit=count)
    seconds = time.perf_counter() - first[0]
    bus.close()
    engine.dispose()
    if consumer.stats.rejected:
        raise RuntimeError(f"the consumer refused {consumer.stats.rejected} events")
    return consumer.stats.applied, seconds * count / max(1, count - 1)


def sink_rows(node: Engine) -> dict[str, list[dict[str, Any]]]:
    """What the search sink writes for every version in the node's log, table by table."""
    offers, coverage, terms, ingested, fts = [], [], [], [], []
    now = utcnow()
    with Session(node) as session:
        for pk, row in enumerate(session.scalars(select(LogEntry).order_by(LogEntry.seq)), 1):
            event = entry_event(row)
            document = load_offer_version(row.snapshot)
            fields = documents.offer_fields(document)
            offers.append(
                {
                    **fields,
                    "id": pk,
                    "node_id": NODE_ID,
                    "indexed_at": now,
                    "document": stored_document(event),
                }
            )
            coverage += [
                {"area": a, "county": c, "offer_pk": pk}
                for a, c in coverage_grain(document["coverage"]).items()
            ]
            terms += [
                {"facet": f, "code": c, "offer_pk": pk} for f, c in documents.term_rows(document)
            ]
            fts.append(
                {
                    "id": pk,
                    "name": documents.fts_text(fields["name"]),
                    "description": documents.fts_text(fields["description"]),
                    "keywords": documents.fts_text(fields["keywords"]),
                }
            )
            ingested.append(
                {
                    "offer_uri": row.offer_uri,
                    "node_id": NODE_ID,
                    "version": row.version,
                    "withdrawn": False,
                    "event_id": row.event_id,
                    "sequence": row.seq,
                    "applied_at": now,
                }
            )
    return {
        "offers": offers,
        "coverage": coverage,
        "terms": terms,
        "ingested": ingested,
        "fts": fts,
    }


def raw_insert(search: Engine, rows: dict[str, list[dict[str, Any]]]) -> float:
    """One bulk insert per table, in one transaction: rows (offers) per second."""
    started = time.perf_counter()
    with Session(search) as session, session.begin():
        session.execute(insert(IngestedOffer), rows["ingested"])
        session.execute(insert(IndexedOffer), rows["offers"])
        session.execute(insert(OfferCoverage), rows["coverage"])
        session.execute(insert(OfferTerm), rows["terms"])
        if search.dialect.name == "sqlite":
            session.execute(
                text(
                    f"INSERT INTO {FTS_TABLE} (rowid, name, description, keywords) "  # noqa: S608
                    "VALUES (:id, :name, :description, :keywords)"
                ),
                rows["fts"],
            )
    return len(rows["offers"]) / (time.perf_counter() - started)


def run(databases: Databases, scale: Scale) -> list[Result]:
    node_engine, node_url = databases.node()
    node = build_node(node_engine, node_url, "https://ingest.bench.test", scale.ingest_events)
    events = log_size(node_engine)
    search_engine, search_url = databases.search_with_url()
    trust(search_engine, node)
    queue = f"bench.search.{uuid.uuid4().hex[:8]}"
    bus = open_consumer(databases.broker, queue, BINDINGS)
    bus.connect()
    bus.close()
    rows = sink_rows(node_engine)
    return bus_ingest(
        databases,
        scale,
        node_url,
        node_engine,
        queue,
        events,
        service="search",
        url=search_url,
        forget=lambda: forget_index(search_engine),
        raw=lambda: raw_insert(search_engine, rows),
        label="search ingest from the bus (events/s)",
        raw_note="the sink's rows for the same versions, bulk-inserted",
        process="search bus consumer",
    )


def bus_ingest(
    databases: Databases,
    scale: Scale,
    node_url: str,
    node_engine: Engine,
    queue: str,
    events: int,
    *,
    service: str,
    url: str,
    forget: Callable[[], None],
    raw: Callable[[], float],
    label: str,
    raw_note: str,
    process: str,
) -> list[Result]:
    """A service's consumer applying the node's relayed events from the bus, run by run,
    beside ``raw`` (the same rows bulk-inserted) after each; its rate and peak RSS."""
    ours, raws, rss = [], [], []
    try:
        for _ in range(scale.runs):
            forget()
            forget_relay(node_engine)
            purge(databases.broker, queue)
            relay_all(node_url, databases.broker)
            (applied, seconds), peak = in_process(
                consume, url, databases.broker, queue, events, service
            )
            if applied != events:
                raise RuntimeError(f"the consumer applied {applied} of {events} events")
            ours.append(applied / seconds)
            rss.append(peak)
            forget()
            raws.append(raw())
    finally:
        databases.drop_queue(databases.broker, queue)
    median = statistics.median(ours)
    notes = f"{events:,} events, {scale.runs} runs (min {min(ours):,.0f}, max {max(ours):,.0f})"
    return [
        Result(
            label,
            median,
            statistics.median(raws),
            "events/s",
            lower=False,
            target=f"≥ {TARGET:,} events/s",
            met=median >= TARGET,
            notes=f"{notes}; raw: {raw_note}",
        ),
        rss_result(process, max(rss), f"applying {events:,} events"),
    ]


def main() -> None:
    run_module(run)


if __name__ == "__main__":
    main()
