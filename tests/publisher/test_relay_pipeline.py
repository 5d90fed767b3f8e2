"""The relay's pipeline (the next batch read while the bus confirms the last) and its wake-up
by the registry's notification (PostgreSQL ``LISTEN``/``NOTIFY``)."""

from __future__ import annotations

import json
import threading
import time

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.publisher.relay import Relay, RelayHalted, RelaySettings
from services.publisher.relay_checks import POOL_FROM, signed_and_body
from shared.bus import event_body, open_publisher
from shared.publication.events import signing_input
from shared.publication.keys import entry_event
from shared.publication.models import LogEntry
from shared.publication.wakeup import LogWaiter
from tests.publisher.bus import declare, drain, log_ids, publish, relay_for


class Recording:
    """A publisher that writes down, in order, each batch sent and confirmed, and the relay's
    signature checks started."""

    def __init__(self, inner) -> None:
        self.inner, self.destination = inner, inner.destination
        self.calls: list[str] = []

    def connect(self) -> None:
        self.inner.connect()

    def publish_batch(self, messages, timeout):
        self.calls.append(f"send {len(messages)}")
        result = self.inner.publish_batch(messages, timeout)
        self.calls.append(f"confirmed {result.confirmed}")
        return result

    def close(self) -> None:
        self.inner.close()

    def watch(self, relay: Relay) -> None:
        submit = relay.checks.submit

        def recorded(jobs):
            self.calls.append(f"check {len(jobs)}")
            return submit(jobs)

        relay.checks.submit = recorded


def received(bus_url: str, queue: str, expected: int) -> list[str]:
    """The ids of the messages on the queue, waiting (up to a minute) for ``expected`` of
    them: a loaded broker may take longer than one drain's second to deliver the first."""
    ids: list[str] = []
    deadline = time.monotonic() + 60
    while len(ids) < expected and time.monotonic() < deadline:
        ids += [m.message_id for m in drain(bus_url, queue)]
    return ids


def tamper(node, seq: int) -> None:
    with sessionmaker(node).begin() as session:
        row = session.get(LogEntry, seq)
        row.snapshot = row.snapshot.replace("Tilbud", "Forfalsket", 1)


def test_each_next_batch_is_read_and_checked_while_the_last_is_sent(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    publish(node, 5)
    bus = Recording(open_publisher(bus_url))
    relay = Relay(node, bus, RelaySettings(batch_size=2))
    bus.watch(relay)
    assert relay.relay_pending(threading.Event()) == (5, 5)
    bus.close()
    assert bus.calls == [
        "check 2",
        "check 2",  # the next batch, read and being checked before this one is sent
        "send 2",
        "confirmed 2",
        "check 1",
        "send 2",
        "confirmed 2",
        "check 0",  # the log is done
        "send 1",
        "confirmed 1",
    ]
    assert relay.cursor() == 5
    assert received(bus_url, queue_name, 5) == log_ids(node)


def test_a_failing_row_in_the_next_batch_halts_after_the_batch_in_flight(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    publish(node, 5)
    tamper(node, 4)
    relay = relay_for(node, bus_url, batch_size=2)
    with pytest.raises(RelayHalted, match="log row 4 cannot be relayed: the signature"):
        relay.relay_pending(threading.Event())
    # Rows 1 and 2 were in flight and are confirmed; row 3 shares the failing row's batch.
    assert relay.cursor() == 2
    assert received(bus_url, queue_name, 2) == log_ids(node)[:2]
    with pytest.raises(RelayHalted, match="log row 4"):
        relay.relay_pending(threading.Event())  # and again, for as long as the row is there
    relay.bus.close()
    assert relay.cursor() == 2


def test_a_failing_first_row_sends_nothing(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    publish(node, 3)
    tamper(node, 1)
    relay = relay_for(node, bus_url, batch_size=2)
    with pytest.raises(RelayHalted, match="log row 1"):
        relay.relay_pending(threading.Event())
    relay.bus.close()
    assert relay.cursor() == 0
    assert drain(bus_url, queue_name) == []


def test_a_stop_ends_the_pipeline_after_the_batch_in_flight(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    publish(node, 5)
    stop = threading.Event()
    stop.set()
    relay = relay_for(node, bus_url, batch_size=2)
    assert relay.relay_pending(stop) == (2, 2)
    relay.bus.close()
    assert relay.cursor() == 2


@pytest.fixture
def postgresql_node(node):
    if node.dialect.name != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's (set TEST_DATABASE_URL)")
    return node


def test_a_committed_publication_wakes_the_waiter(postgresql_node):
    waiter = LogWaiter(postgresql_node)
    waiter.listen()
    try:
        assert waiter.wait(threading.Event(), 0.05) is False  # nothing written yet
        publish(postgresql_node, 3)  # one transaction, three rows
        assert waiter.wait(threading.Event(), 30) is True
        assert waiter.wait(threading.Event(), 0.05) is False  # one notification, all taken
    finally:
        waiter.close()


def test_a_rolled_back_publication_wakes_nobody(postgresql_node):
    from tests.publisher.node import NodeBuilder

    waiter = LogWaiter(postgresql_node)
    waiter.listen()
    try:
        session = sessionmaker(postgresql_node)()
        NodeBuilder(session).publish("municipality", name="Tilbud")
        session.rollback()
        session.close()
        assert waiter.wait(threading.Event(), 0.5) is False
    finally:
        waiter.close()


def test_the_relay_wakes_on_a_publication_long_before_its_poll(
    postgresql_node, bus_url, queue_name
):
    declare(bus_url, queue_name)
    relay = Relay(postgresql_node, open_publisher(bus_url), RelaySettings(idle_seconds=600))
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop,))
    worker.start()
    try:
        for published in (1, 2):
            publish(postgresql_node, 1)
            # The relay polls every 600 s: only the notification can bring it this soon.
            deadline = time.monotonic() + 60
            while relay.cursor() < published:
                assert time.monotonic() < deadline, "the relay was not woken"
                time.sleep(0.02)
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()
    assert received(bus_url, queue_name, 2) == log_ids(postgresql_node)


def test_a_forged_row_in_a_batch_checked_by_the_worker_process_halts(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    publish(node, POOL_FROM + 8)
    tamper(node, POOL_FROM + 5)
    relay = relay_for(node, bus_url, batch_size=POOL_FROM + 8)
    assert relay.settings.check_processes == 1
    with pytest.raises(RelayHalted, match=f"log row {POOL_FROM + 5} cannot be relayed: the sig"):
        relay.relay_pending(threading.Event())
    relay.checks.close()
    relay.bus.close()
    assert relay.cursor() == 0
    assert drain(bus_url, queue_name) == []


def test_batches_checked_by_the_worker_process_are_relayed_whole(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    publish(node, 2 * POOL_FROM)
    relay = relay_for(node, bus_url, batch_size=POOL_FROM)
    relay.run(threading.Event(), until_caught_up=True)
    assert relay.cursor() == 2 * POOL_FROM
    assert received(bus_url, queue_name, 2 * POOL_FROM) == log_ids(node)


def _row_event(node, seq: int) -> tuple[dict, str]:
    with Session(node) as session:
        row = session.get_one(LogEntry, seq)
        return entry_event(row), row.snapshot


def test_the_signing_input_and_body_are_those_of_the_defining_encoders(node):
    publish(node, 1, description='«Ærlig» på Øvre Å \u2028 med "sitat" og \\ og \t')
    event, snapshot = _row_event(node, 1)
    assert signed_and_body(event, snapshot) == (signing_input(event), event_body(event))
    assert json.loads(signed_and_body(event, snapshot)[1]) == event


def test_a_snapshot_not_in_canonical_form_takes_the_defining_encoders(node):
    publish(node, 1)
    event, snapshot = _row_event(node, 1)
    spaced = json.dumps(json.loads(snapshot), indent=1)  # same data, other text
    assert signed_and_body(event, spaced) == (signing_input(event), event_body(event))
    floats = {**event, "data": {**event["data"], "weight": 1e-7, "whole": 2.0}}
    assert signed_and_body(floats, snapshot) == (signing_input(floats), event_body(floats))
    assert b'"weight":1e-07' in signed_and_body(floats, snapshot)[0]
    assert b'"whole":2}' in signed_and_body(floats, snapshot)[0]  # the last of the data


def test_data_orjson_cannot_write_takes_the_defining_encoders(node):
    """An integer past 64 bits: orjson refuses it, the standard library writes it."""
    publish(node, 1)
    event, _snapshot = _row_event(node, 1)
    big = {**event, "data": {**event["data"], "count": 2**64}}
    snapshot = json.dumps(big["data"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert signed_and_body(big, snapshot) == (signing_input(big), event_body(big))
    assert b'"count":18446744073709551616' in signed_and_body(big, snapshot)[0]


def test_a_row_written_after_a_rolled_back_savepoint_still_wakes_the_waiter(postgresql_node):
    """PostgreSQL drops the NOTIFY of a savepoint rolled back (a bulk import's row refused):
    a row the transaction writes after it must still notify."""
    from tests.publisher.node import NodeBuilder

    waiter = LogWaiter(postgresql_node)
    waiter.listen()
    try:
        with sessionmaker(postgresql_node).begin() as session:
            builder = NodeBuilder(session)
            builder.provider("municipality")  # its organisation outside the savepoint
            session.flush()
            savepoint = session.begin_nested()
            builder.publish("municipality", name="Refusert")
            session.flush()
            savepoint.rollback()
            builder.publish("municipality", name="Tilbud")
        assert waiter.wait(threading.Event(), 30) is True
    finally:
        waiter.close()


def test_the_waiter_listens_again_after_its_connection_is_lost(postgresql_node):
    from sqlalchemy import text

    waiter = LogWaiter(postgresql_node)
    waiter.listen()
    try:
        backend = waiter._connection.info.backend_pid
        with postgresql_node.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        assert waiter.wait(threading.Event(), 0.5) is False  # lost: polls, raises nothing
        assert waiter.wait(threading.Event(), 0.05) is False  # listening again
        publish(postgresql_node, 1)
        assert waiter.wait(threading.Event(), 30) is True
    finally:
        waiter.close()


class NackingSecond(Recording):
    """The bus refuses the second message of the second batch (a negative acknowledgement)."""

    def publish_batch(self, messages, timeout):
        if sum(call.startswith("send") for call in self.calls) == 1:
            self.calls.append(f"send {len(messages)}")
            result = self.inner.publish_batch(messages[:1], timeout)
            self.calls.append(f"confirmed {result.confirmed}")
            return result
        return super().publish_batch(messages, timeout)


def test_a_refused_message_mid_pipeline_sends_nothing_after_it(node, bus_url, queue_name):
    declare(bus_url, queue_name)
    publish(node, 6)
    bus = NackingSecond(open_publisher(bus_url))
    relay = Relay(node, bus, RelaySettings(batch_size=2))
    assert relay.relay_pending(threading.Event()) == (4, 3)
    assert relay.cursor() == 3  # rows 1-3 confirmed; row 4 refused, row 5 on never sent
    assert bus.calls == ["send 2", "confirmed 2", "send 2", "confirmed 1"]
    assert relay.relay_pending(threading.Event()) == (3, 3)  # again from row 4, in order
    bus.close()
    assert relay.cursor() == 6
    assert received(bus_url, queue_name, 6) == log_ids(node)  # none twice, none missing


def test_a_listener_that_cannot_connect_is_tried_again_only_now_and_then(caplog):
    """Polling every RELAY_IDLE_SECONDS, the relay must not open (and warn about) a new
    connection at each poll while PostgreSQL refuses its listener (max_connections reached)."""
    import logging

    from sqlalchemy import create_engine

    engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")
    waiter = LogWaiter(engine)
    with caplog.at_level(logging.WARNING, logger="shared.publication.wakeup"):
        waiter.listen()
        for _ in range(5):
            assert waiter.wait(threading.Event(), 0.01) is False
    assert len(caplog.records) == 1
