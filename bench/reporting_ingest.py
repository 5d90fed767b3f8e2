"""Reporting's ingest throughput from the bus, beside a raw bulk insert of the same rows.

As :mod:`bench.ingest` for search: a node's log of ``scale.ingest_events`` signed versions is
relayed into reporting's durable queue (not timed), and reporting's bus consumer
(``BusIngest`` with the history sink, as ``nettungen reporting ingest`` builds it) drains it
in its own process, verifying, keeping every version with its coverage and terms, computing
the offers' intervals and acknowledging. The raw baseline writes the rows the history sink
writes for the same versions (versions, coverage, terms, the ingest bookkeeping) with one bulk
insert per table in one transaction, computed beforehand. Every run starts from an empty
history.

    BENCH_DATABASE_URL=... BENCH_BROKER_URL=... python -m bench.reporting_ingest
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

from bench.common import Databases, Result, Scale, run_module
from bench.ingest import bus_ingest
from bench.nodes import NODE_ID, build_node, log_size, trust
from services.reporting.history import sink as history
from services.reporting.history.models import OfferVersion, VersionCoverage, VersionTerm
from shared.bus import open_consumer
from shared.db import utcnow
from shared.ingest.consumer import BINDINGS
from shared.ingest.models import HarvestCursor, IngestedOffer
from shared.publication.models import LogEntry
from shared.publication.schema import load_offer_version


def forget_history(engine: Engine) -> None:
    """Empty the history and the ingest state, keeping the directory: a fresh run."""
    with Session(engine) as session, session.begin():
        for model in (VersionCoverage, VersionTerm, OfferVersion, IngestedOffer, HarvestCursor):
            session.execute(delete(model))


def history_rows(node: Engine) -> dict[str, list[dict[str, Any]]]:
    """What the history sink writes for every version in the node's log, table by table."""
    versions, coverage, terms, ingested = [], [], [], []
    now = utcnow()
    with Session(node) as session:
        for pk, row in enumerate(session.scalars(select(LogEntry).order_by(LogEntry.seq)), 1):
            document = load_offer_version(row.snapshot)
            versions.append(
                {"id": pk, "valid_to": None, **history.version_values(NODE_ID, document, False)}
            )
            covers, classified = history.detail_rows(document, pk)
            coverage += covers
            terms += classified
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
    return {"versions": versions, "coverage": coverage, "terms": terms, "ingested": ingested}


def raw_insert(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> float:
    """One bulk insert per table, in one transaction: rows (versions) per second."""
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        session.execute(insert(IngestedOffer), rows["ingested"])
        session.execute(insert(OfferVersion), rows["versions"])
        session.execute(insert(VersionCoverage), rows["coverage"])
        session.execute(insert(VersionTerm), rows["terms"])
    return len(rows["versions"]) / (time.perf_counter() - started)


def run(databases: Databases, scale: Scale) -> list[Result]:
    node_engine, node_url = databases.node()
    node = build_node(node_engine, node_url, "https://ingest.bench.test", scale.ingest_events)
    events = log_size(node_engine)
    engine = databases.reporting()
    url = engine.url.render_as_string(hide_password=False)
    trust(engine, node)
    queue = f"bench.reporting.{uuid.uuid4().hex[:8]}"
    bus = open_consumer(databases.broker, queue, BINDINGS)
    bus.connect()
    bus.close()
    rows = history_rows(node_engine)
    return bus_ingest(
        databases,
        scale,
        node_url,
        node_engine,
        queue,
        events,
        service="reporting",
        url=url,
        forget=lambda: forget_history(engine),
        raw=lambda: raw_insert(engine, rows),
        label="reporting ingest from the bus (events/s)",
        raw_note="the history sink's rows for the same versions, bulk-inserted",
        process="reporting bus consumer",
    )


def main() -> None:
    run_module(run)


if __name__ == "__main__":
    main()
