"""Versions seen on the bus but absent from the node's feed are flagged: whoever can publish on
the bus with a key of the node gets its version applied for a moment at most unnoticed. Runs on
the embedded bus, and on RabbitMQ when TEST_BROKER_URL is set."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.cli import main
from services.publisher.relay import Relay, RelaySettings
from services.search.index.sink import SearchSink
from shared.bus import OutgoingMessage, event_body, open_consumer, open_publisher
from shared.ingest.bus_only import absent_from_feed
from shared.ingest.consumer import BINDINGS, BusIngest
from shared.ingest.metrics import ingest_gauges
from shared.ingest.models import BusVersion
from tests.publisher.node import ORGANISATIONS


@pytest.fixture
def consumer(index, bus_url, queue_name) -> Iterator[BusIngest]:
    bus = open_consumer(bus_url, queue_name, BINDINGS)
    ingest = BusIngest(index.sessions, bus, SearchSink(), index.verifier())
    bus.connect()
    yield ingest
    bus.close()


def _send(bus_url: str, event: dict) -> None:
    publisher = open_publisher(bus_url)
    publisher.connect()
    publisher.publish_batch(
        [OutgoingMessage(event["id"], ["published.33.3301"], event_body(event))], timeout=10
    )
    publisher.close()


def test_a_version_on_the_bus_but_not_in_the_feed_is_flagged(
    federation, index, consumer, bus_url, monkeypatch, tmp_path
):
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    index.trust(node)
    with node.builder() as b:
        offer = b.publish(name="Helsestasjon")
    Relay(node.engine, open_publisher(bus_url), RelaySettings(idle_seconds=0.05)).run(
        threading.Event(), until_caught_up=True
    )
    [v1] = node.events()
    # Signed with the node's key, but never in its log: sequence 2 there is another offer's.
    forged = node.resign(
        v1, id=str(uuid.uuid4()), sequence=f"{2:020d}", data_version=2, data_name="Forfalsket"
    )
    _send(bus_url, forged)
    consumer.drain(timeout=1.0)
    assert consumer.stats.applied == 2
    with node.builder() as b:
        b.publish(name="Et annet tilbud")
        b.revise(offer, name="Helsestasjon, ny")
    with Session(index.engine) as session:
        assert session.scalar(select(func.count()).select_from(BusVersion)) == 2
        assert absent_from_feed(session) == []  # not read past them yet
    index.harvester().harvest_all()
    with Session(index.engine) as session:
        # The genuine version was found in the feed; the forged one was read past.
        [flagged] = absent_from_feed(session)
        assert (flagged.event_id, flagged.sequence, flagged.version) == (forged["id"], 2, 2)
        assert session.scalar(select(func.count()).select_from(BusVersion)) == 1
        gauges = {name: value for name, _, value in ingest_gauges(session)}
    assert gauges["nettungen_ingest_bus_versions_absent_from_feed"] == 1
    monkeypatch.setenv("DATABASE_URL", index.url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["search", "nodes", "bus-only"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert forged["id"] in result.output
