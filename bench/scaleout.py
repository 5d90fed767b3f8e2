"""Search ingest scaled out: one and two consumer processes on one queue, beside a raw insert.

A node's log of ``scale.ingest_events`` signed versions (built in bulk, see :mod:`bench.nodes`)
is relayed into search's durable queue (not timed). Then N processes, each search's bus
consumer (``BusIngest`` with the search sink, as ``nettungen search ingest --no-feeds`` builds
it), connect to the same queue, wait for each other, and drain it until it has been empty for
a while. The figure is events per second from the first message any of them took to the last
commit any of them made. Each run checks that the index holds exactly one row per event and
that the consumers applied every event once between them (none refused, none lost, none
applied twice). The raw baseline is :mod:`bench.ingest`'s: the sink's rows for the same
versions, bulk-inserted in one transaction.

    BENCH_DATABASE_URL=... BENCH_BROKER_URL=amqp://... python -m bench.scaleout
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.common import Databases, Result, Scale, Unsupported, rss_result, run_module
from bench.ingest import raw_insert, sink_rows
from bench.nodes import build_node, forget_index, forget_relay, log_size, purge, relay_all, trust
from bench.processes import own_peak_rss_mb
from services.search.index.models import IndexedOffer
from shared.bus import IncomingMessage, open_consumer
from shared.ingest.consumer import BINDINGS

CONSUMERS = (1, 2)
IDLE_SECONDS = 3.0  # a consumer stops once the queue has been empty this long


def consume(search_url: str, broker: str, queue: str, ready: Any, results: Any) -> None:
    """One consumer process: connect, wait for the others, drain the queue; report
    (applied, ignored, refused, first message at, last commit at, peak RSS)."""
    from sqlalchemy.orm import sessionmaker

    from services.search.index.sink import SearchSink
    from shared.db import create_engine
    from shared.ingest.consumer import BusIngest
    from shared.ingest.directory import DirectoryCache
    from shared.ingest.verifier import Verifier

    try:
        engine = create_engine(search_url)
        sessions = sessionmaker(engine, expire_on_commit=False)
        bus = open_consumer(broker, queue, BINDINGS)
        consumer = BusIngest(
            sessions, bus, SearchSink(), Verifier(sessions, DirectoryCache(sessions), None)
        )
        times: list[float] = []

        def handle(messages: list[IncomingMessage]) -> dict[int, str]:
            if not times:
                times.append(time.time())
            refused = consumer.handle_batch(messages)
            times[1:] = [time.time()]
            return dict(refused)

        bus.connect()
        ready.wait()
        bus.drain_batches(handle, timeout=IDLE_SECONDS, size=consumer.batch_size)
        bus.close()
        engine.dispose()
        stats = consumer.stats
        first, last = (times[0], times[-1]) if times else (0.0, 0.0)
        results.put(
            ("ok", (stats.applied, stats.ignored, stats.rejected, first, last, own_peak_rss_mb()))
        )
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def scaled_out(search_url: str, broker: str, queue: str, n: int) -> tuple[float, float, str, int]:
    """Drain the queue with ``n`` consumer processes: (events/s, largest peak RSS, notes,
    events applied in all)."""
    context = multiprocessing.get_context("spawn")
    ready, results = context.Barrier(n), context.Queue()
    processes = [
        context.Process(target=consume, args=(search_url, broker, queue, ready, results))
        for _ in range(n)
    ]
    for process in processes:
        process.start()
    try:
        reports = [results.get(timeout=1200) for _ in processes]
    finally:
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    errors = [value for status, value in reports if status != "ok"]
    if errors:
        raise RuntimeError(f"a consumer failed: {errors[0]}")
    values = [value for _, value in reports]
    applied = sum(v[0] for v in values)
    ignored, refused = sum(v[1] for v in values), sum(v[2] for v in values)
    busy = [v for v in values if v[3]]
    seconds = max(v[4] for v in busy) - min(v[3] for v in busy)
    shares = "/".join(f"{v[0]:,}" for v in values)
    note = f"applied {shares}, ignored {ignored}, refused {refused}"
    return applied / seconds, max(v[5] for v in values), note, applied


def _indexed(search: Any) -> tuple[int, int]:
    with Session(search) as session:
        rows = session.scalar(select(func.count()).select_from(IndexedOffer)) or 0
        offers = session.scalar(select(func.count(func.distinct(IndexedOffer.offer_uri)))) or 0
    return int(rows), int(offers)


def run(databases: Databases, scale: Scale) -> list[Result]:
    if not databases.broker.startswith("amqp"):
        raise Unsupported("it measures consumers sharing a RabbitMQ queue: set BENCH_BROKER_URL")
    node_engine, node_url = databases.node()
    node = build_node(node_engine, node_url, "https://scaleout.bench.test", scale.ingest_events)
    events = log_size(node_engine)
    search_engine, search_url = databases.search_with_url()
    trust(search_engine, node)
    queue = f"bench.scaleout.{uuid.uuid4().hex[:8]}"
    bus = open_consumer(databases.broker, queue, BINDINGS)
    bus.connect()
    bus.close()
    rows = sink_rows(node_engine)
    rates: dict[int, list[float]] = {n: [] for n in CONSUMERS}
    peaks: dict[int, list[float]] = {n: [] for n in CONSUMERS}
    notes: dict[int, str] = {}
    raw = []
    try:
        for _ in range(scale.runs):
            for n in CONSUMERS:
                forget_index(search_engine)
                forget_relay(node_engine)
                purge(databases.broker, queue)
                relay_all(node_url, databases.broker)
                rate, peak, note, applied = scaled_out(search_url, databases.broker, queue, n)
                indexed = _indexed(search_engine)
                if applied != events or indexed != (events, events):
                    raise RuntimeError(
                        f"{n} consumer(s) applied {applied} of {events} events; the index "
                        f"holds {indexed[0]} rows of {indexed[1]} offers ({note})"
                    )
                rates[n].append(rate)
                peaks[n].append(peak)
                notes[n] = note
            forget_index(search_engine)
            raw.append(raw_insert(search_engine, rows))
    finally:
        databases.drop_queue(databases.broker, queue)
    raw_median = statistics.median(raw)
    results = []
    for n in CONSUMERS:
        median = statistics.median(rates[n])
        results.append(
            Result(
                f"search ingest, {n} consumer{'s' if n > 1 else ''} on one queue (events/s)",
                median,
                raw_median,
                "events/s",
                lower=False,
                target="every event applied once, none lost",
                met=True,  # a run that lost, duplicated or refused one raised above
                notes=f"{events:,} events, {scale.runs} runs (min {min(rates[n]):,.0f}, max "
                f"{max(rates[n]):,.0f}); last run {notes[n]}; raw: the sink's rows bulk-inserted",
            )
        )
    one, two = statistics.median(rates[1]), statistics.median(rates[CONSUMERS[-1]])
    results.append(
        Result(
            f"search ingest scale-out: {CONSUMERS[-1]} consumers vs 1 (events/s)",
            two,
            one,
            "events/s",
            lower=False,
            target="grows with N until the database is the limit",
            met=two > 1.1 * one,  # more than noise
            notes="raw = 1 consumer in the same runs; ratio is the speed-up",
        )
    )
    results.append(
        rss_result(
            "search bus consumer of 2",
            max(peaks[CONSUMERS[-1]]),
            f"applying its share of {events:,} events",
        )
    )
    return results


def main() -> None:
    run_module(run)


if __name__ == "__main__":
    main()
