"""Publish → searchable latency through the bus, beside a raw kombu round trip.

A node publishes offers one by one through the registry's service layer (each its own
transaction, as a publisher's click is); the relay puts the log on the bus; search's consumer
verifies and indexes. A watcher sees each offer appear in the index, and the latency is from
the publishing commit to that moment. The raw baseline sends messages of the same size through
the same broker with kombu alone (publish with confirm, consume, ack): what the bus itself costs.

    BENCH_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// \\
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
    python -m bench.propagation --publications 1000
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bench.common import Databases, percentile, print_table
from services.publisher.relay import Relay, RelaySettings
from services.search.index.models import IndexedOffer
from services.search.index.sink import SearchSink
from shared.bus import open_consumer, open_publisher
from shared.ingest import directory
from shared.ingest.consumer import BINDINGS, BusIngest
from shared.ingest.directory import DirectoryCache
from shared.ingest.verifier import Verifier
from shared.publication.keys import verification_keys
from tests.publisher.node import NodeBuilder  # the registry service layer, as tests drive it


@dataclass
class Run:
    latencies: list[float]
    baseline: list[float]


def _watch(engine, seen: dict[str, float], stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
    last = 0
    with Session(engine) as session:
        while not stop.is_set():
            rows = session.execute(
                select(IndexedOffer.id, IndexedOffer.offer_uri).where(IndexedOffer.id > last)
            ).all()
            now = time.monotonic()
            for row_id, uri in rows:
                seen.setdefault(uri, now)
                last = max(last, row_id)
            session.rollback()  # a fresh snapshot for the next look
            time.sleep(0.002)


def measure(publications: int, broker: str, databases: Databases) -> Run:
    node_engine, node_url = databases.node()
    search_engine = databases.search()
    sessions = sessionmaker(search_engine, expire_on_commit=False)
    with Session(node_engine) as session, session.begin():
        builder = NodeBuilder(session, base_url="https://bench.node.test")
        builder.provider("municipality")
        keys = list(verification_keys(session).values())
        orgnr = builder.providers["municipality"].organisation.organisation_number
    with sessions.begin() as session:
        directory.add_node(
            session,
            node_id="bench",
            name="bench",
            url="https://bench.node.test",
            keys=keys,
            organisations=[orgnr],
        )
    queue = f"bench.search.{uuid.uuid4().hex[:8]}"
    bus = open_consumer(broker, queue, BINDINGS)
    bus.connect()
    consumer = BusIngest(
        sessions, bus, SearchSink(), Verifier(sessions, DirectoryCache(sessions), None)
    )
    relay = Relay(node_engine, open_publisher(broker), RelaySettings())
    stop, seen = threading.Event(), {}
    threads = [
        threading.Thread(target=relay.run, args=(stop,)),
        threading.Thread(target=consumer.run, args=(stop, 0.2)),
        threading.Thread(target=_watch, args=(search_engine, seen, stop)),
    ]
    for thread in threads:
        thread.start()
    committed: dict[str, float] = {}
    try:
        for i in range(publications):
            with Session(node_engine) as session, session.begin():
                builder = NodeBuilder(session, base_url="https://bench.node.test")
                offer = builder.publish(name=f"Tilbud {i}")
            committed[f"https://bench.node.test/offers/{offer}"] = time.monotonic()
            time.sleep(0.02)  # people publish one at a time
        deadline = time.monotonic() + 60
        while len(seen) < publications and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        databases.drop_queue(broker, queue)
    latencies = [seen[uri] - at for uri, at in committed.items() if uri in seen]
    if len(latencies) < publications:
        raise SystemExit(f"only {len(latencies)} of {publications} offers became searchable")
    body_size = len(json.dumps({"x": "y" * 2500}))
    return Run(latencies, raw_round_trips(broker, publications, body_size))


def raw_round_trips(broker: str, count: int, size: int) -> list[float]:
    """kombu alone: publish one persistent message with a confirm, consume it, ack it."""
    from kombu import Connection, Exchange, Queue

    exchange = Exchange(f"bench.raw.{uuid.uuid4().hex[:6]}", "topic", durable=False)
    queue = Queue(f"bench.raw.{uuid.uuid4().hex[:6]}", exchange, routing_key="#", durable=False)
    body = b"x" * size
    times = []
    with Connection(broker) as conn:
        channel = conn.channel()
        channel.confirm_select()
        bound = queue(channel)
        bound.declare()
        producer = conn.Producer(channel, exchange=exchange)
        for _ in range(count):
            started = time.monotonic()
            producer.publish(body, routing_key="a.b.c", delivery_mode=2)
            message = None
            while message is None:
                message = bound.get(no_ack=False)
            message.ack()
            times.append(time.monotonic() - started)
        bound.delete()
        exchange(channel).delete()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--publications", type=int, default=1000)
    args = parser.parse_args()
    databases = Databases.from_environment()
    if not databases.broker.startswith("amqp"):
        raise SystemExit("BENCH_BROKER_URL must name a RabbitMQ broker (amqp://...)")
    try:
        run = measure(args.publications, databases.broker, databases)
    finally:
        databases.close()
    rows = []
    for name, values in (
        ("publish → searchable", run.latencies),
        ("raw kombu round trip", run.baseline),
    ):
        rows.append(
            (
                name,
                f"{statistics.median(values) * 1000:.1f} ms",
                f"{percentile(values, 95) * 1000:.1f} ms",
                f"{max(values) * 1000:.1f} ms",
                str(len(values)),
            )
        )
    print_table(("measure", "p50", "p95", "max", "n"), rows)


if __name__ == "__main__":
    main()
