"""Relay throughput, beside raw kombu publishing of the same messages with batched confirms.

A node's log of ``scale.ingest_events`` signed versions (built in bulk, see :mod:`bench.nodes`)
is relayed from the start by the publisher's relay, in its own process, onto RabbitMQ, where a
consumer's durable queue bound to ``#`` receives every event (so no message is unroutable). The
raw baseline publishes the same bodies with the same routing keys and ``CC`` headers, persistent
and mandatory, in batches of the relay's size, waiting once per batch for the broker's
confirms: what the broker costs with no log to read, no signatures to check and no cursor to
move. Between runs the queue is purged and the relay's cursor reset.

    BENCH_DATABASE_URL=... BENCH_BROKER_URL=amqp://... python -m bench.relay
"""

from __future__ import annotations

import statistics
import time
import uuid

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bench.common import Databases, Result, Scale, rss_result, run_module
from bench.nodes import build_node, forget_relay, log_size, purge, relay_all
from bench.processes import in_process
from services.publisher.relay import RelaySettings
from shared.bus import OutgoingMessage, event_body, open_consumer, publish_options
from shared.ingest.consumer import BINDINGS
from shared.publication.events import routing_keys
from shared.publication.keys import entry_event
from shared.publication.models import LogEntry

TARGET = 0.5  # of the raw rate


def relay_messages(engine: Engine) -> list[OutgoingMessage]:
    """The messages the relay sends for the node's log, built as it builds them."""
    with Session(engine) as session:
        return [
            OutgoingMessage(
                row.event_id,
                routing_keys(row.event_type, entry_event(row)["data"]["coverage"]),
                event_body(entry_event(row)),
            )
            for row in session.scalars(select(LogEntry).order_by(LogEntry.seq))
        ]


def raw_publish(broker: str, messages: list[OutgoingMessage], batch: int) -> float:
    """kombu alone: the same messages in confirmed batches; messages per second."""
    from kombu import Connection

    from shared.bus.amqp import exchange

    confirmed = 0

    def on_ack(tag: int, multiple: bool) -> None:
        nonlocal confirmed
        confirmed = tag

    with Connection(broker) as connection:
        channel = connection.channel()
        channel.confirm_select()
        channel.events["basic_ack"].add(on_ack)
        producer = connection.Producer(channel, exchange=exchange(), auto_declare=False)
        started = time.perf_counter()
        for start in range(0, len(messages), batch):
            for message in messages[start : start + batch]:
                producer.publish(message.body, **publish_options(message), retry=False)
            while confirmed < min(start + batch, len(messages)):
                connection.drain_events(timeout=30)
        return len(messages) / (time.perf_counter() - started)


def run(databases: Databases, scale: Scale) -> list[Result]:
    node_engine, node_url = databases.node()
    node = build_node(node_engine, node_url, "https://relay.bench.test", scale.ingest_events)
    events = log_size(node.engine)
    queue = f"bench.relay.{uuid.uuid4().hex[:8]}"
    consumer = open_consumer(databases.broker, queue, BINDINGS)
    consumer.connect()
    consumer.close()
    amqp = databases.broker.startswith("amqp")
    messages = relay_messages(node_engine) if amqp else []
    ours, raw, rss = [], [], []
    try:
        for _ in range(scale.runs):
            forget_relay(node_engine)
            purge(databases.broker, queue)
            (relayed, seconds), peak = in_process(relay_all, node_url, databases.broker)
            if relayed != events:
                raise RuntimeError(f"the relay relayed {relayed} of {events} events")
            ours.append(relayed / seconds)
            rss.append(peak)
            purge(databases.broker, queue)
            if amqp:
                raw.append(raw_publish(databases.broker, messages, RelaySettings().batch_size))
    finally:
        databases.drop_queue(databases.broker, queue)
    median = statistics.median(ours)
    raw_median = statistics.median(raw) if raw else None
    notes = f"{events:,} events, {scale.runs} runs (min {min(ours):,.0f}, max {max(ours):,.0f})"
    return [
        Result(
            "relay throughput (events/s)",
            median,
            raw_median,
            "events/s",
            lower=False,
            target=f"≥ {TARGET:.0%} of raw",
            met=raw_median is not None and median >= TARGET * raw_median,
            notes=notes
            + (
                "; raw: kombu, the same messages, confirms per batch of 200"
                if amqp
                else "; no raw baseline: the embedded bus is not RabbitMQ"
            ),
        ),
        rss_result("relay", max(rss), f"relaying {events:,} events"),
    ]


def main() -> None:
    run_module(run)


if __name__ == "__main__":
    main()
