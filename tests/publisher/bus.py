"""Helpers for tests of the relay and the bus: publish offers, declare queues, drain them."""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
from contextlib import closing

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.publisher.relay import Relay, RelaySettings
from shared.bus import IncomingMessage, open_consumer, open_publisher
from shared.publication.models import LogEntry
from tests.publisher.node import NodeBuilder

# How the tests stop and start RabbitMQ. CI restarts the only broker on its machine with the
# default; whoever shares a broker with others points the tests at a private node instead, e.g.
# NETTUNGEN_TEST_RABBITMQCTL="rabbitmqctl -n faults@localhost".
RABBITMQCTL = shlex.split(os.environ.get("NETTUNGEN_TEST_RABBITMQCTL", "rabbitmqctl"))


def publish(engine, count: int, kind: str = "municipality", **content) -> list[str]:
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        builder = NodeBuilder(session)
        return [builder.publish(kind, name=f"Tilbud {i}", **content) for i in range(count)]


def drain(bus_url: str, queue: str, bindings=("#",)) -> list[IncomingMessage]:
    received: list[IncomingMessage] = []
    consumer = open_consumer(bus_url, queue, bindings)
    consumer.drain(received.append, timeout=1.0)
    consumer.close()
    return received


def declare(bus_url: str, queue: str, bindings=("#",)) -> None:
    consumer = open_consumer(bus_url, queue, bindings)
    consumer.connect()
    consumer.close()


def relay_for(engine, bus_url: str, **settings) -> Relay:
    return Relay(engine, open_publisher(bus_url), RelaySettings(**settings))


def log_ids(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.scalars(select(LogEntry.event_id).order_by(LogEntry.seq)))


def dead_letter_ids(bus_url: str, queue: str) -> list[str]:
    """The ids of the messages in ``queue``'s dead letters (taken off a RabbitMQ queue)."""
    if not bus_url.startswith("embedded://"):
        from kombu import Connection

        ids = []
        with Connection(bus_url) as conn:
            channel = conn.channel()
            while (message := channel.basic_get(f"{queue}.dead", no_ack=True)) is not None:
                ids.append(message.properties["message_id"])
        return ids
    with closing(sqlite3.connect(bus_url.removeprefix("embedded://"))) as db:
        rows = db.execute("SELECT message_id FROM dead_letters WHERE queue = ?", (queue,))
        return [row[0] for row in rows]


def rabbitmqctl(*args: str) -> None:
    """Run ``rabbitmqctl`` (``NETTUNGEN_TEST_RABBITMQCTL``) with ``args``: stop_app, start_app."""
    subprocess.run([*RABBITMQCTL, *args], check=True, capture_output=True, timeout=180)  # noqa: S603
