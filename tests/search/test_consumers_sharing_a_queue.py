"""Search's ingest scaled out: several consumers on one queue apply every event once, and a
version never replaces a newer one, whichever consumer brings which. Runs on the embedded bus,
and on RabbitMQ with PostgreSQL when TEST_BROKER_URL and TEST_DATABASE_URL are set."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.search.index.models import IndexedOffer
from services.search.index.sink import SearchSink
from shared.bus import OutgoingMessage, event_body, open_consumer, open_publisher
from shared.ingest.consumer import BINDINGS, BusIngest
from shared.ingest.models import IngestedOffer, RejectedEvent
from tests.search.conftest import MUNICIPAL_NODE


def _send(bus_url: str, events: list[dict]) -> None:
    publisher = open_publisher(bus_url)
    publisher.connect()
    publisher.publish_batch(
        [OutgoingMessage(e["id"], ["published.33.3301"], event_body(e)) for e in events],
        timeout=30,
    )
    publisher.close()


@pytest.fixture
def consumers(index, bus_url, queue_name) -> Iterator[list[BusIngest]]:
    """Two of search's consumers on one queue, each taking two messages at a time."""
    made = []
    for _ in range(2):
        bus = open_consumer(bus_url, queue_name, BINDINGS, prefetch=2)
        made.append(BusIngest(index.sessions, bus, SearchSink(), index.verifier(), batch_size=2))
        bus.connect()
    yield made
    for consumer in made:
        consumer.bus.close()


def _rows(index) -> tuple[int, dict[str, int]]:
    with Session(index.engine) as session:
        rows = session.scalar(select(func.count()).select_from(IndexedOffer))
        rows_ = session.execute(select(IngestedOffer.offer_uri, IngestedOffer.version))
        ingested = {uri: version for uri, version in rows_}
        assert session.scalar(select(func.count()).select_from(RejectedEvent)) == 0
    return rows, ingested


def test_an_older_version_from_the_other_consumer_changes_nothing(
    federation, index, consumers, bus_url
):
    node = federation.node("kommune", MUNICIPAL_NODE)
    index.trust(node)
    with node.builder() as b:
        offer = b.publish(name="Første")
        b.revise(offer, name="Andre")
        b.revise(offer, name="Tredje")
    v1, v2, v3 = node.events()
    first, second = consumers
    _send(bus_url, [v3])
    assert first.drain(timeout=1.0) == 1  # the newest, by the first consumer
    _send(bus_url, [v2, v1])
    assert second.drain(timeout=1.0) == 2  # the older ones, late, by the other
    assert (first.stats.applied, second.stats.applied, second.stats.ignored) == (1, 0, 2)
    assert index.indexed() == node.published() == {v3["subject"]: 3}
    assert _rows(index) == (1, {v3["subject"]: 3})


def test_two_consumers_draining_together_apply_every_event_once_and_end_current(
    federation, index, consumers, bus_url
):
    node = federation.node("kommune", MUNICIPAL_NODE)
    index.trust(node)
    with node.builder() as b:
        offers = [b.publish(name=f"Tilbud {i}") for i in range(6)]
        for round_ in range(3):
            for i, offer in enumerate(offers):
                b.revise(offer, name=f"Tilbud {i}, versjon {round_ + 2}")
        b.withdraw(offers[0])
    events = node.events()
    assert len(events) == 6 * 4 + 1
    # The bus may bring them in any order, the same event twice, an old one late.
    shuffled = random.Random(22).sample(events, len(events)) + events[:5]  # noqa: S311
    _send(bus_url, shuffled)
    errors: list[BaseException] = []

    def drain(consumer: BusIngest) -> None:
        try:
            consumer.drain(timeout=2.0)
        except BaseException as exc:  # noqa: BLE001 - reported by the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(c,)) for c in consumers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    stats = [c.stats for c in consumers]
    assert sum(s.rejected for s in stats) == 0
    assert sum(s.applied + s.ignored for s in stats) == len(shuffled)
    published = node.published()
    assert len(published) == 5 and all(version == 4 for version in published.values())
    assert index.indexed() == published
    rows, ingested = _rows(index)
    assert rows == 5
    withdrawn = events[-1]["subject"]
    assert ingested == {**published, withdrawn: 5}
