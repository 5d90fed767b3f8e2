"""The bus contract (:mod:`shared.bus.contract`), which every transport must keep.

:class:`TestBusContract` runs against the embedded bus always, and against RabbitMQ as well
when ``TEST_BROKER_URL`` names a broker. A new transport joins by adding itself to
``BACKENDS``.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shared.bus import (
    BusUnavailable,
    IncomingMessage,
    OutgoingMessage,
    Reject,
    open_consumer,
    open_publisher,
    ping,
)
from tests.conftest import TEST_BROKER_URL
from tests.deploy.deployfiles import REPO
from tests.publisher.bus import dead_letter_ids

BACKENDS = ["embedded", *(["rabbitmq"] if TEST_BROKER_URL else [])]
UNREACHABLE = {
    "embedded": "embedded:///proc/no-such-place/bus.sqlite",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:1//",
}

# A consumer that takes one message and never finishes handling it.
HANGING_CONSUMER = """
import sys, time
from shared.bus import open_consumer
consumer = open_consumer(sys.argv[1], sys.argv[2], ["#"])
consumer.connect()
def handle(message):
    print(message.message_id, flush=True)
    time.sleep(600)
consumer.drain(handle, timeout=60)
"""


@dataclass
class Bus:
    """One bus under test, and the queues a test declared on it (deleted afterwards)."""

    backend: str
    url: str
    queues: list[str] = field(default_factory=list)

    def queue(self, bindings: tuple[str, ...] = ("#",)) -> str:
        """A new queue bound to ``bindings``, declared now so publishing reaches it."""
        name = f"test.contract.{uuid.uuid4().hex[:8]}"
        self.queues.append(name)
        consumer = open_consumer(self.url, name, bindings)
        consumer.connect()
        consumer.close()
        return name

    def publish(self, *messages: OutgoingMessage) -> tuple[int, tuple[str, ...]]:
        publisher = open_publisher(self.url)
        try:
            result = publisher.publish_batch(list(messages), timeout=10)
        finally:
            publisher.close()
        return result.confirmed, result.unroutable

    def received(self, queue: str, bindings: tuple[str, ...] = ("#",)) -> list[IncomingMessage]:
        """Everything waiting in ``queue``, taken off it."""
        received: list[IncomingMessage] = []
        consumer = open_consumer(self.url, queue, bindings)
        consumer.connect()
        consumer.drain(received.append, timeout=0.5)
        consumer.close()
        return received


def messages(count: int, key: str = "published.33.3301") -> list[OutgoingMessage]:
    return [OutgoingMessage(f"m-{i}", [key], f'{{"n":{i}}}'.encode()) for i in range(count)]


def ids(received: list[IncomingMessage]) -> list[str]:
    return [message.message_id for message in received]


@pytest.fixture(params=BACKENDS)
def bus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bus]:
    if request.param == "embedded":
        yield Bus("embedded", f"embedded://{tmp_path / 'bus.sqlite'}")
        return
    assert TEST_BROKER_URL is not None  # noqa: S101 - BACKENDS holds it only then
    under_test = Bus("rabbitmq", TEST_BROKER_URL)
    yield under_test
    from kombu import Connection

    with Connection(TEST_BROKER_URL) as conn:
        channel = conn.channel()
        for queue in under_test.queues:
            channel.queue_delete(queue)
            channel.queue_delete(f"{queue}.dead")


class TestBusContract:
    def test_a_queue_receives_what_is_published_in_order(self, bus: Bus) -> None:
        queue = bus.queue()
        assert bus.publish(*messages(5)) == (5, ())
        received = bus.received(queue)
        assert ids(received) == [f"m-{i}" for i in range(5)]
        assert received[2] == IncomingMessage("m-2", "published.33.3301", b'{"n":2}', False)
        assert bus.received(queue) == []

    def test_routing_keys_decide_which_queues_a_message_reaches(self, bus: Bus) -> None:
        county = bus.queue(("*.33.#", "*.all.all"))
        national = bus.queue(("published.all.all",))
        everything = bus.queue()
        sent = [
            OutgoingMessage("in-33", ["published.33.3301"], b"{}"),
            OutgoingMessage("in-03", ["published.03.0301"], b"{}"),
            # Extra keys travel with the one message; a queue bound by two of them gets it once.
            OutgoingMessage("all", ["published.33.3301", "published.all.all"], b"{}"),
        ]
        assert bus.publish(*sent) == (3, ())
        assert ids(bus.received(county, ("*.33.#", "*.all.all"))) == ["in-33", "all"]
        assert ids(bus.received(national, ("published.all.all",))) == ["all"]
        assert ids(bus.received(everything)) == ["in-33", "in-03", "all"]

    def test_a_message_no_queue_is_bound_for_is_confirmed_and_reported(self, bus: Bus) -> None:
        queue = bus.queue(("*.33.#",))
        sent = messages(3)
        stray = OutgoingMessage("stray", ["published.03.0301"], b"{}")
        assert bus.publish(sent[0], stray, sent[1]) == (3, ("stray",))
        assert ids(bus.received(queue, ("*.33.#",))) == ["m-0", "m-1"]

    def test_a_rejected_message_is_dead_lettered_and_the_rest_flow(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*messages(3))
        seen: list[str] = []

        def handle(message: IncomingMessage) -> None:
            seen.append(message.message_id)
            if message.message_id == "m-1":
                raise Reject("cannot apply")

        consumer = open_consumer(bus.url, queue, ["#"])
        assert consumer.drain(handle, timeout=0.5) == 3
        consumer.close()
        assert seen == ["m-0", "m-1", "m-2"]
        assert bus.received(queue) == []
        assert dead_letter_ids(bus.url, queue) == ["m-1"]

    def test_a_failing_handler_leaves_its_message_for_redelivery(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*messages(2))

        def fail(message: IncomingMessage) -> None:
            raise RuntimeError("the database went away")

        consumer = open_consumer(bus.url, queue, ["#"])
        with pytest.raises(RuntimeError):
            consumer.drain(fail, timeout=0.5)
        received: list[IncomingMessage] = []
        assert consumer.drain(received.append, timeout=0.5) == 2
        consumer.close()
        assert ids(received) == ["m-0", "m-1"]
        # The one handed over comes back marked (those sent ahead with it may be marked too).
        assert received[0].redelivered
        assert dead_letter_ids(bus.url, queue) == []

    def test_a_drain_with_a_limit_leaves_the_rest_for_the_next_drain(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*messages(10))
        received: list[IncomingMessage] = []
        consumer = open_consumer(bus.url, queue, ["#"])
        try:
            assert consumer.drain(received.append, timeout=0.5, limit=3) == 3
            # The same connection: what the broker sent ahead of the limit is not stranded.
            assert consumer.drain(received.append, timeout=0.5) == 7
        finally:
            consumer.close()
        assert ids(received) == [f"m-{i}" for i in range(10)]

    def test_batches_come_in_order_and_are_settled_by_position(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*messages(7))
        runs: list[list[str]] = []

        def handle(batch: list[IncomingMessage]) -> Mapping[int, str]:
            runs.append(ids(batch))
            return {
                position: "refused" for position, m in enumerate(batch) if m.message_id == "m-4"
            }

        consumer = open_consumer(bus.url, queue, ["#"])
        assert consumer.drain_batches(handle, timeout=0.5, size=3, limit=5) == 5
        assert consumer.drain_batches(handle, timeout=0.5, size=3) == 2
        consumer.close()
        assert all(1 <= len(run) <= 3 for run in runs)
        assert [m for run in runs for m in run] == [f"m-{i}" for i in range(7)]
        assert bus.received(queue) == []
        assert dead_letter_ids(bus.url, queue) == ["m-4"]

    def test_a_failing_batch_comes_back_whole(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*messages(3))

        def fail(batch: list[IncomingMessage]) -> Mapping[int, str]:
            raise RuntimeError("the database went away")

        consumer = open_consumer(bus.url, queue, ["#"])
        with pytest.raises(RuntimeError):
            consumer.drain_batches(fail, timeout=0.5, size=3)
        consumer.close()
        assert sorted(ids(bus.received(queue))) == ["m-0", "m-1", "m-2"]
        assert dead_letter_ids(bus.url, queue) == []

    def test_a_killed_consumers_message_is_delivered_again_at_once(self, bus: Bus) -> None:
        # Acknowledged only after the handler returns: a consumer that dies while handling a
        # message gives it back, at once (as a dropped RabbitMQ connection does).
        queue = bus.queue()
        bus.publish(*messages(1))
        child = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", HANGING_CONSUMER, bus.url, queue],
            cwd=REPO,
            stdout=subprocess.PIPE,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == b"m-0"
            # While its consumer lives, the message is its own.
            assert bus.received(queue) == []
        finally:
            child.kill()
            child.wait()
            if child.stdout is not None:
                child.stdout.close()
        assert [(m.message_id, m.redelivered) for m in bus.received(queue)] == [("m-0", True)]

    def test_an_unreachable_bus_says_so(self, bus: Bus) -> None:
        ping(bus.url)
        unreachable = UNREACHABLE[bus.backend]
        with pytest.raises(BusUnavailable):
            ping(unreachable)
        publisher = open_publisher(unreachable)
        with pytest.raises(BusUnavailable):
            publisher.publish_batch(messages(1), timeout=5)
        publisher.close()
