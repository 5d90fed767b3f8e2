"""The relay against the configured bus (embedded by default; RabbitMQ with TEST_BROKER_URL).

Every event of the log must reach a bound queue, in order, signed; the cursor moves only past
what the bus confirmed; unroutable events wait; a restart resumes from the cursor.
"""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.publisher.relay import Relay, RelayHalted, RelaySettings
from shared.areas import reference_data
from shared.bus import (
    BusUnavailable,
    open_publisher,
)
from shared.publication.events import check_event
from shared.publication.keys import verification_keys
from shared.publication.models import LogEntry
from tests.conftest import TEST_BROKER_URL
from tests.publisher.bus import declare, drain, log_ids, publish, relay_for
from tests.publisher.node import BASE_URL, NodeBuilder


def test_every_event_reaches_the_queue_in_order_and_verifies(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    ids = publish(node, 3)
    with sessionmaker(node).begin() as session:
        NodeBuilder(session).withdraw(ids[0])
    relay = relay_for(node, bus_url, batch_size=2)
    relay.run(threading.Event(), until_caught_up=True)
    assert relay.cursor() == 4

    received = drain(bus_url, queue_name)
    assert [m.message_id for m in received] == log_ids(node)
    with Session(node) as session:
        keys = verification_keys(session)
    events = [json.loads(m.body) for m in received]
    documents = [check_event(e, keys, BASE_URL) for e in events]
    assert [d["status"] for d in documents] == ["published"] * 3 + ["withdrawn"]
    assert [e["sequence"] for e in events] == [str(n).zfill(20) for n in (1, 2, 3, 4)]
    assert received[0].routing_key == "published.33.3301"
    assert received[3].routing_key == "withdrawn.33.3301"

    # Nothing new: a second run sends nothing.
    relay.run(threading.Event(), until_caught_up=True)
    assert drain(bus_url, queue_name) == []


def test_routing_keys_let_a_county_queue_bind_what_reaches_it(node, bus_url, queue_name):
    county_queue = f"{queue_name}.county"
    declare(bus_url, queue_name)  # takes everything, so nothing is unroutable
    declare(bus_url, county_queue, ("*.33.#", "*.all.all"))
    publish(node, 1, coverage=["3301"])
    publish(node, 1, coverage=["NO"])
    publish(node, 1, coverage=["4601"])  # Bergen, Vestland: not county 33
    publish(node, 1, coverage=["bufetat-sor"])  # a region including Buskerud (33)
    relay_for(node, bus_url).run(threading.Event(), until_caught_up=True)
    try:
        received = drain(bus_url, county_queue)
        first_county = reference_data().region_counties["bufetat-sor"][0]
        assert [m.routing_key for m in received] == [
            "published.33.3301",
            "published.all.all",
            f"published.{first_county}.all",  # the region's other counties ride in CC
        ]
        all_ids = log_ids(node)
        assert [m.message_id for m in received] == [all_ids[0], all_ids[1], all_ids[3]]
    finally:
        if TEST_BROKER_URL:
            from kombu import Connection

            with Connection(TEST_BROKER_URL) as conn:
                for queue in (county_queue, f"{county_queue}.dead"):
                    conn.channel().queue_delete(queue)


def test_unroutable_events_are_reported_and_never_stall_the_rest(node, tmp_path, caplog):
    # The embedded bus: on a shared RabbitMQ other tests' queues may be bound to anything.
    bus_url = f"embedded://{tmp_path / 'bus.sqlite'}"
    declare(bus_url, "county-33", ("*.33.#",))
    publish(node, 1, coverage=["3301"])
    publish(node, 1, coverage=["0301"])  # Oslo: nobody is bound for it
    publish(node, 1, coverage=["3301"])
    relay = relay_for(node, bus_url)
    with caplog.at_level("WARNING"):
        assert relay.step() == (3, 3)
    assert relay.cursor() == 3
    ids = log_ids(node)
    assert [m.message_id for m in drain(bus_url, "county-33", ("*.33.#",))] == [ids[0], ids[2]]
    assert ids[1] in caplog.text and "no queue bound" in caplog.text


class FlakyBus:
    """Confirms the first ``good`` messages of a batch, then the connection drops."""

    def __init__(self, inner, good: int) -> None:
        self.inner, self.good, self.destination = inner, good, inner.destination
        self.failures = 0

    def connect(self) -> None:
        self.inner.connect()

    def publish_batch(self, messages, timeout):
        if self.failures < 2:
            self.failures += 1
            self.inner.publish_batch(messages[: self.good], timeout)  # sent, never confirmed
            raise BusUnavailable("connection reset")
        return self.inner.publish_batch(messages, timeout)

    def close(self) -> None:
        self.inner.close()


def test_a_dropped_connection_loses_nothing_and_resends(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    publish(node, 5)
    relay = Relay(
        node,
        FlakyBus(open_publisher(bus_url), good=3),
        RelaySettings(min_backoff=0.01, max_backoff=0.02),
    )
    relay.run(threading.Event(), until_caught_up=True)
    assert relay.cursor() == 5
    received = [m.message_id for m in drain(bus_url, queue_name)]
    # Sent twice before the confirm: duplicates, detectable by id; none missing.
    assert set(received) == set(log_ids(node))
    assert len(received) == 5 + 2 * 3


def test_a_restarted_relay_resumes_from_its_cursor(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    publish(node, 3)
    first = relay_for(node, bus_url, batch_size=2)
    assert first.step() == (2, 2)
    first.bus.close()  # the process dies here
    publish(node, 2)
    second = relay_for(node, bus_url, batch_size=2)
    second.run(threading.Event(), until_caught_up=True)
    assert second.cursor() == 5
    assert [m.message_id for m in drain(bus_url, queue_name)] == log_ids(node)


def test_a_log_row_whose_signature_fails_halts_the_relay_before_it(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    publish(node, 3)
    with sessionmaker(node).begin() as session:
        row = session.get(LogEntry, 2)
        row.snapshot = row.snapshot.replace("Tilbud", "Forfalsket", 1)
    relay = relay_for(node, bus_url, batch_size=10)
    with pytest.raises(RelayHalted, match="log row 2 cannot be relayed: the signature"):
        relay.step()
    assert relay.cursor() == 0
    assert drain(bus_url, queue_name) == []


def test_relays_starting_together_share_one_cursor(node, bus_url):
    relays = [relay_for(node, bus_url) for _ in range(4)]
    barrier = threading.Barrier(len(relays))
    seen, errors = [], []

    def first_read(relay: Relay) -> None:
        barrier.wait()
        try:
            seen.append(relay.cursor())
        except Exception as exc:  # noqa: BLE001 - the test reports whatever a reader hit
            errors.append(exc)

    threads = [threading.Thread(target=first_read, args=(r,)) for r in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and seen == [0, 0, 0, 0]
