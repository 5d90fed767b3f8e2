"""The bus road: nodes' relays → the bus → search's consumer → the index, and both roads
converging on the published set after search was down. Runs on the embedded bus, and on
RabbitMQ when TEST_BROKER_URL is set."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.publisher.relay import Relay, RelaySettings
from services.search.index.sink import SearchSink
from shared.bus import OutgoingMessage, event_body, open_consumer, open_publisher
from shared.ingest.consumer import BINDINGS, BusIngest
from shared.ingest.models import RejectedEvent
from tests.conftest import TEST_BROKER_URL
from tests.search.conftest import COUNTY_NODE, MUNICIPAL_NODE, VOLUNTARY_NODE
from tests.search.federation import new_search_index


@pytest.fixture
def consumer(index, bus_url, queue_name) -> Iterator[BusIngest]:
    """Search's consumer on its own queue, declared (with its bindings) before anything is
    published."""
    bus = open_consumer(bus_url, queue_name, BINDINGS)
    ingest = BusIngest(index.sessions, bus, SearchSink(), index.verifier())
    bus.connect()
    yield ingest
    bus.close()


def _relay(node, bus_url: str, stop: threading.Event | None = None) -> None:
    relay = Relay(node.engine, open_publisher(bus_url), RelaySettings(idle_seconds=0.05))
    relay.run(stop or threading.Event(), until_caught_up=stop is None)


def _three_nodes(federation, index):
    nodes = [
        federation.node("kommune", MUNICIPAL_NODE),
        federation.node("fylke", COUNTY_NODE),
        federation.node("frivillig", VOLUNTARY_NODE),
    ]
    for node in nodes:
        index.trust(node)
    return nodes


def _published(nodes) -> dict[str, int]:
    published: dict[str, int] = {}
    for node in nodes:
        published.update(node.published())
    return published


def _found(api, offer_id: str, municipality: str) -> bool:
    answer = api.get(f"/api/v1/offers?municipality={municipality}&per_page=100").get_json()
    return any(item["id"] == offer_id for item in answer["items"])


def test_a_county_offer_reaches_a_municipality_search_through_the_bus(
    federation, index, consumer, bus_url, search_app
):
    _municipal, county, _voluntary = _three_nodes(federation, index)
    api = search_app.test_client()
    stop = threading.Event()
    workers = [
        threading.Thread(target=_relay, args=(node, bus_url, stop))
        for node in federation.nodes.values()
    ]
    workers.append(threading.Thread(target=consumer.run, args=(stop, 0.2)))
    for worker in workers:
        worker.start()
    latencies = []
    try:
        for round_ in range(3):
            with county.builder() as b:
                offer = county.public_id(
                    b.publish("county", name=f"Ungdomslos {round_}", coverage=["33"], level=2)
                )
            published = time.monotonic()
            while not _found(api, offer, "3301") and time.monotonic() - published < 10:
                time.sleep(0.01)
            assert _found(api, offer, "3301"), f"the county offer {offer} did not reach search"
            latencies.append(time.monotonic() - published)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
    print(
        f"publish → searchable via {bus_url.split(':')[0]}: "
        + ", ".join(f"{s:.3f} s" for s in latencies)
    )
    assert api.get(f"/api/v1/offers/{offer}").get_json()["summary"]["source"] == "county"
    # Found in Buskerud's municipalities, not in Oslo's.
    assert _found(api, offer, "3303") and not _found(api, offer, "0301")


def test_after_downtime_both_roads_give_exactly_the_published_set(
    federation, index, consumer, search_database_factory, bus_url
):
    nodes = _three_nodes(federation, index)
    consumer.bus.close()  # search goes down; its queue keeps what arrives
    kinds = {
        "kommune": ["municipality", "kongsberg"],
        "fylke": ["county", "state"],
        "frivillig": ["voluntary", "redcross"],
    }
    for i in range(100):
        node = nodes[i % 3]
        kind = kinds[node.id][i % 2]
        with node.builder() as b:
            offer = b.publish(kind, name=f"Tilbud nummer {i}")
            if i % 4 == 0:
                b.revise(offer, kind, schedule=f"Endret {i}")
            if i % 5 == 0:
                b.withdraw(offer, kind)
    for node in nodes:
        _relay(node, bus_url)
    expected = _published(nodes)
    assert len(expected) == 80

    # Back up: the bus backlog alone brings the index to the published set.
    consumer.bus.connect()
    handled = consumer.drain(timeout=1.0)
    assert handled == sum(len(node.events()) for node in nodes) == 145
    assert index.indexed() == expected
    assert (consumer.stats.applied, consumer.stats.ignored, consumer.stats.rejected) == (145, 0, 0)

    # A fresh index from the feeds alone comes to the same.
    fresh = new_search_index(search_database_factory, federation.client())
    try:
        for node in nodes:
            fresh.trust(node)
        reports = fresh.harvester().harvest_all()
        assert all(r.error is None for r in reports)
        assert fresh.indexed() == expected
    finally:
        fresh.engine.dispose()

    # And harvesting what the bus already brought changes nothing.
    again = index.harvester().harvest_all()
    assert sum(r.applied for r in again) == 0 and sum(r.ignored for r in again) == 145
    assert index.indexed() == expected


def test_garbage_on_the_bus_is_dead_lettered_and_recorded(federation, index, consumer, bus_url):
    [node, *_] = _three_nodes(federation, index)
    with node.builder() as b:
        b.publish()
    [event] = node.events()
    forged = json.loads(json.dumps(event))
    forged["data"]["name"] = "Forfalsket"
    deep = json.loads(json.dumps(event))
    deep["data"]["nested"] = json.loads("[" * 900 + "]" * 900)
    publisher = open_publisher(bus_url)
    publisher.connect()
    bodies = [
        b"not json",
        b"[1, 2]",
        json.dumps(forged).encode(),
        b"x" * (1024 * 1024 + 1),
        b"[" * 100_000,  # too deep to parse
        b"1" * 5000,  # a number too long to convert
        json.dumps(deep).encode(),  # parses, but too deep to canonicalise for the signature
    ]
    publisher.publish_batch(
        [OutgoingMessage(f"m{i}", ["published.33.3301"], body) for i, body in enumerate(bodies)],
        timeout=10,
    )
    publisher.close()
    _relay(node, bus_url)
    assert consumer.drain(timeout=1.0) == 8
    assert consumer.stats.rejected == 7 and consumer.stats.applied == 1
    assert index.indexed() == node.published()
    with Session(index.engine) as session:
        reasons = [
            r.reason for r in session.scalars(select(RejectedEvent).order_by(RejectedEvent.id))
        ]
    assert [r.split(":")[0] for r in reasons] == [
        "the message is not usable JSON",
        "an event is a JSON object",
        "the signature does not match the event",
        "the message is 1048577 bytes",
        "the message is not usable JSON",
        "the message is not usable JSON",
        "the event is nested more than 16 deep",
    ]


@pytest.mark.skipif(not TEST_BROKER_URL, reason="kombu's content decoding is RabbitMQ's road")
def test_content_types_kombu_would_refuse_to_decode_are_refused_as_messages(
    federation, index, consumer, bus_url, queue_name
):
    from kombu import Connection, Exchange

    [node, *_] = _three_nodes(federation, index)
    with node.builder() as b:
        b.publish()
    with Connection(bus_url) as conn:
        producer = conn.Producer(exchange=Exchange("nettungen.offers", "topic", durable=True))
        for content_type, body in (
            ("application/json", b"{not json"),
            ("application/x-python-serialize", b"\x80\x04K\x01."),
            ("application/x-yaml", b"!!python/object:os.system {}"),
        ):
            producer.publish(
                body,
                routing_key="published.33.3301",
                content_type=content_type,
                content_encoding="binary",
            )
    _relay(node, bus_url)
    assert consumer.drain(timeout=1.0) == 4
    assert (consumer.stats.rejected, consumer.stats.applied) == (3, 1)
    assert index.indexed() == node.published()


def test_the_consumer_loop_outlives_unexpected_errors(federation, index, consumer, bus_url):
    [node, *_] = _three_nodes(federation, index)
    with node.builder() as b:
        b.publish()
    _relay(node, bus_url)
    original, calls = consumer.sink.publish_many, []

    def fails_once(session, events):  # type: ignore[no-untyped-def]
        calls.append(events)
        if len(calls) == 1:
            raise RuntimeError("a passing fault")
        original(session, events)

    consumer.sink.publish_many = fails_once  # type: ignore[method-assign]
    stop = threading.Event()
    worker = threading.Thread(target=consumer.run, args=(stop, 0.2))
    worker.start()
    deadline = time.monotonic() + 15
    while index.indexed() != node.published() and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    worker.join(timeout=30)
    assert index.indexed() == node.published() and len(calls) == 2


def test_a_crash_after_commit_redelivers_and_changes_nothing(federation, index, consumer, bus_url):
    [node, *_] = _three_nodes(federation, index)
    with node.builder() as b:
        b.publish()
    _relay(node, bus_url)

    def crash_after_commit(message):  # type: ignore[no-untyped-def]
        consumer.handle(message)
        raise KeyboardInterrupt("killed before the acknowledgement")

    try:
        consumer.bus.drain(crash_after_commit, timeout=1.0)
    except KeyboardInterrupt:
        pass
    consumer.bus.close()
    consumer.bus.connect()
    assert consumer.drain(timeout=1.0) == 1
    assert (consumer.stats.applied, consumer.stats.ignored) == (1, 1)
    assert index.indexed() == node.published()


def _send(bus_url: str, events: list[dict]) -> None:
    publisher = open_publisher(bus_url)
    publisher.connect()
    publisher.publish_batch(
        [OutgoingMessage(e["id"], ["published.33.3301"], event_body(e)) for e in events],
        timeout=10,
    )
    publisher.close()


def test_a_run_with_a_refused_event_applies_the_others_and_refuses_that_one_alone(
    federation, index, consumer, bus_url
):
    [node, *_] = _three_nodes(federation, index)
    with node.builder() as b:
        offer = b.publish(name="Første")
        b.revise(offer, name="Andre")
        b.publish(name="Et annet tilbud")
    v1, v2, other = node.events()
    # Verified, but refused when applied: version 3 claiming a sequence before version 2's.
    out_of_turn = node.resign(v2, id=str(uuid.uuid4()), data_version=3, sequence=v1["sequence"])
    _send(bus_url, [v1, v2, out_of_turn, other, v2])
    assert consumer.drain(timeout=1.0) == 5
    stats = consumer.stats
    assert (stats.applied, stats.ignored, stats.rejected) == (3, 1, 1)
    assert index.indexed() == node.published()
    with Session(index.engine) as session:
        [rejection] = session.scalars(select(RejectedEvent))
    assert rejection.event_id == out_of_turn["id"] and "not after sequence" in rejection.reason


def test_events_over_a_nodes_rate_go_back_to_the_queue_for_later(
    federation, index, consumer, bus_url
):
    from shared.ingest.rates import NodeRates

    [node, other, _] = _three_nodes(federation, index)
    with node.builder() as b:
        for i in range(4):
            b.publish(name=f"Tilbud {i}")
    with other.builder() as b:
        b.publish("county", name="Fylkets tilbud")
    now = [0.0]
    consumer.rates = NodeRates(2, clock=lambda: now[0])
    _send(bus_url, [*node.events(), *other.events()])
    # Two of the node's four are applied, the other node's one too; two are deferred.
    assert consumer.drain(timeout=1.0, limit=3) == 3
    assert consumer.stats.applied == 3 and consumer.stats.deferred >= 2
    assert consumer.stats.rejected == 0
    assert len(index.indexed()) == 3
    now[0] = 60.0  # the node's rate has room again: nothing was lost
    assert consumer.drain(timeout=2.0) == 2
    assert index.indexed() == {**node.published(), **other.published()}


def test_a_crash_after_a_runs_commit_acknowledges_nothing(federation, index, consumer, bus_url):
    [node, *_] = _three_nodes(federation, index)
    with node.builder() as b:
        for name in ("En", "To", "Tre"):
            b.publish(name=name)
    _relay(node, bus_url)

    def crash_after_commit(messages):  # type: ignore[no-untyped-def]
        consumer.handle_batch(messages)
        raise KeyboardInterrupt("killed before the acknowledgements")

    try:
        consumer.bus.drain_batches(crash_after_commit, timeout=1.0, size=100)
    except KeyboardInterrupt:
        pass
    consumer.bus.close()
    consumer.bus.connect()
    assert consumer.drain(timeout=1.0) == 3
    assert (consumer.stats.applied, consumer.stats.ignored) == (3, 3)
    assert index.indexed() == node.published()
