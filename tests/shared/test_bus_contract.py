"""The bus contract (:mod:`shared.bus.contract`), which every transport must keep.

:class:`TestBusContract` runs against the embedded bus always, and against RabbitMQ as well
when ``TEST_BROKER_URL`` names a broker. A new transport joins by adding itself to
``BACKENDS``.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shared.bus import (
    DEFER_SECONDS,
    BusUnavailable,
    Consumer,
    Deferred,
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

# How long a drain waits for a message before it ends: ample on a busy machine.
IDLE = 1.0
# How long to wait to see that nothing comes.
NOTHING = 0.5

# A consumer that takes one message and never finishes handling it.
HANGING_CONSUMER = """
import sys, time
from shared.bus import open_consumer
consumer = open_consumer(sys.argv[1], sys.argv[2], [sys.argv[3]])
consumer.connect()
def handle(message):
    print(message.message_id, flush=True)
    time.sleep(600)
consumer.drain(handle, timeout=60)
"""


@dataclass
class Bus:
    """One bus under test, and the queues a test declared on it (deleted afterwards).

    Every routing key of a test starts with a word of its own, and its queues bind only such
    keys, so tests sharing a broker with others receive nothing of theirs.
    """

    backend: str
    url: str
    word: str = field(default_factory=lambda: f"t{uuid.uuid4().hex[:8]}")
    queues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dead_letter_limits: dict[str, int] = field(default_factory=dict)

    def key(self, rest: str = "33.3301") -> str:
        return f"{self.word}.{rest}"

    def queue(self, *patterns: str, dead_letter_limit: int = 100) -> str:
        """A new queue bound to ``patterns`` (after this test's word; all of its keys by
        default), declared now so publishing reaches it."""
        name = f"test.contract.{uuid.uuid4().hex[:8]}"
        self.queues[name] = tuple(self.key(p) for p in patterns or ("#",))
        self.dead_letter_limits[name] = dead_letter_limit
        consumer = self.consumer(name)
        consumer.connect()
        consumer.close()
        return name

    def consumer(self, queue: str) -> Consumer:
        limit = self.dead_letter_limits[queue]
        return open_consumer(self.url, queue, self.queues[queue], dead_letter_limit=limit)

    def messages(self, count: int) -> list[OutgoingMessage]:
        return [
            OutgoingMessage(f"m-{i}", [self.key()], f'{{"n":{i}}}'.encode()) for i in range(count)
        ]

    def publish(self, *messages: OutgoingMessage) -> tuple[int, tuple[str, ...]]:
        publisher = open_publisher(self.url)
        try:
            result = publisher.publish_batch(list(messages), timeout=10)
        finally:
            publisher.close()
        return result.confirmed, result.unroutable

    def received(self, queue: str, timeout: float = IDLE) -> list[IncomingMessage]:
        """Everything waiting in ``queue``, taken off it."""
        received: list[IncomingMessage] = []
        consumer = self.consumer(queue)
        consumer.connect()
        consumer.drain(received.append, timeout=timeout)
        consumer.close()
        return received

    def dead_letters(self, queue: str, expected: int) -> list[str]:
        """The ids dead-lettered from ``queue``, awaiting ``expected`` of them for a while
        (RabbitMQ dead-letters a moment after the rejection)."""
        found: list[str] = []
        deadline = time.monotonic() + 5
        while True:
            ids = dead_letter_ids(self.url, queue)
            # RabbitMQ's are taken off the dead-letter queue; the embedded bus's stay.
            found = ids if self.backend == "embedded" else found + ids
            if len(found) >= expected or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


def ids(received: list[IncomingMessage]) -> list[str]:
    return [message.message_id for message in received]


@pytest.fixture(params=BACKENDS)
def bus(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bus]:
    if request.param == "embedded":
        yield Bus("embedded", f"embedded://{tmp_path / 'bus.sqlite'}")
        return
    assert TEST_BROKER_URL is not None  # BACKENDS holds it only then
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
        assert bus.publish(*bus.messages(5)) == (5, ())
        received = bus.received(queue)
        assert ids(received) == [f"m-{i}" for i in range(5)]
        assert received[2] == IncomingMessage("m-2", bus.key(), b'{"n":2}', False)
        assert bus.received(queue, timeout=NOTHING) == []

    def test_routing_keys_decide_which_queues_a_message_reaches(self, bus: Bus) -> None:
        county = bus.queue("33.#", "all.all")
        oslo = bus.queue("*.0301")
        national = bus.queue("all.all")
        everything = bus.queue()
        sent = [
            OutgoingMessage("in-33", [bus.key("33.3301")], b"{}"),
            OutgoingMessage("in-03", [bus.key("03.0301")], b"{}"),
            # Extra keys travel with the one message; a queue bound by two of them gets it once.
            OutgoingMessage("all", [bus.key("33.3301"), bus.key("all.all")], b"{}"),
        ]
        assert bus.publish(*sent) == (3, ())
        assert ids(bus.received(county)) == ["in-33", "all"]
        assert ids(bus.received(oslo)) == ["in-03"]
        assert ids(bus.received(national)) == ["all"]
        assert ids(bus.received(everything)) == ["in-33", "in-03", "all"]

    def test_a_message_no_queue_is_bound_for_is_confirmed_and_reported(self, bus: Bus) -> None:
        queue = bus.queue("33.#")
        sent = bus.messages(2)
        stray = OutgoingMessage("stray", [bus.key("03.0301")], b"{}")
        confirmed, unroutable = bus.publish(sent[0], stray, sent[1])
        assert confirmed == 3
        # On a shared broker, a queue another client bound to "#" may take the stray.
        assert unroutable == ("stray",) or (bus.backend == "rabbitmq" and unroutable == ())
        assert ids(bus.received(queue)) == ["m-0", "m-1"]

    def test_a_rejected_message_is_dead_lettered_and_the_rest_flow(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*bus.messages(3))
        seen: list[str] = []

        def handle(message: IncomingMessage) -> None:
            seen.append(message.message_id)
            if message.message_id == "m-1":
                raise Reject("cannot apply")

        consumer = bus.consumer(queue)
        assert consumer.drain(handle, timeout=IDLE) == 3
        consumer.close()
        assert seen == ["m-0", "m-1", "m-2"]
        assert bus.received(queue, timeout=NOTHING) == []
        assert bus.dead_letters(queue, 1) == ["m-1"]

    def test_a_dead_letter_queue_keeps_only_its_newest_up_to_its_limit(self, bus: Bus) -> None:
        queue = bus.queue(dead_letter_limit=3)
        bus.publish(*bus.messages(7))

        def refuse(message: IncomingMessage) -> None:
            raise Reject("cannot apply")

        consumer = bus.consumer(queue)
        assert consumer.drain(refuse, timeout=IDLE, limit=4) == 4
        assert consumer.drain(refuse, timeout=IDLE) == 3
        consumer.close()
        # RabbitMQ dead-letters a moment after the rejection: let the last one arrive before
        # the dead letters are read (reading takes them off the queue).
        time.sleep(0 if bus.backend == "embedded" else 1.0)
        assert bus.dead_letters(queue, 3) == ["m-4", "m-5", "m-6"]
        # Declared again with another limit (an upgrade from before limits): still consumed.
        bus.dead_letter_limits[queue] = 5
        bus.publish(*bus.messages(1))
        assert ids(bus.received(queue)) == ["m-0"]

    def test_a_deferred_message_comes_back_later_and_is_not_dead_lettered(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*bus.messages(3))

        def defer_the_second(batch: list[IncomingMessage]) -> Mapping[int, str]:
            return {
                position: Deferred("not yet")
                for position, message in enumerate(batch)
                if message.message_id == "m-1"
            }

        consumer = bus.consumer(queue)
        assert consumer.drain_batches(defer_the_second, timeout=IDLE, size=10, limit=2) == 2
        consumer.close()
        time.sleep(DEFER_SECONDS)
        assert ids(bus.received(queue)) == ["m-1"]
        assert bus.dead_letters(queue, 0) == []

    def test_a_failing_handler_leaves_its_message_for_redelivery(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*bus.messages(2))

        def fail(message: IncomingMessage) -> None:
            raise RuntimeError("the database went away")

        consumer = bus.consumer(queue)
        with pytest.raises(RuntimeError):
            consumer.drain(fail, timeout=IDLE)
        received: list[IncomingMessage] = []
        assert consumer.drain(received.append, timeout=IDLE) == 2
        consumer.close()
        assert ids(received) == ["m-0", "m-1"]
        # The one handed over comes back marked (those sent ahead with it may be marked too).
        assert received[0].redelivered
        assert bus.dead_letters(queue, 0) == []

    def test_a_drain_with_a_limit_leaves_the_rest_for_the_next_drain(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*bus.messages(10))
        received: list[IncomingMessage] = []
        consumer = bus.consumer(queue)
        try:
            assert consumer.drain(received.append, timeout=IDLE, limit=3) == 3
            # The same connection: what the broker sent ahead of the limit is not stranded.
            assert consumer.drain(received.append, timeout=IDLE) == 7
        finally:
            consumer.close()
        assert ids(received) == [f"m-{i}" for i in range(10)]

    def test_batches_come_in_order_and_are_settled_by_position(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*bus.messages(7))
        runs: list[list[str]] = []

        def handle(batch: list[IncomingMessage]) -> Mapping[int, str]:
            runs.append(ids(batch))
            return {
                position: "refused" for position, m in enumerate(batch) if m.message_id == "m-4"
            }

        consumer = bus.consumer(queue)
        assert consumer.drain_batches(handle, timeout=IDLE, size=3, limit=5) == 5
        assert consumer.drain_batches(handle, timeout=IDLE, size=3) == 2
        consumer.close()
        assert all(1 <= len(run) <= 3 for run in runs)
        assert [m for run in runs for m in run] == [f"m-{i}" for i in range(7)]
        assert bus.received(queue, timeout=NOTHING) == []
        assert bus.dead_letters(queue, 1) == ["m-4"]

    def test_a_failing_batch_comes_back_whole(self, bus: Bus) -> None:
        queue = bus.queue()
        bus.publish(*bus.messages(3))

        def fail(batch: list[IncomingMessage]) -> Mapping[int, str]:
            raise RuntimeError("the database went away")

        consumer = bus.consumer(queue)
        with pytest.raises(RuntimeError):
            consumer.drain_batches(fail, timeout=IDLE, size=3)
        consumer.close()
        assert sorted(ids(bus.received(queue))) == ["m-0", "m-1", "m-2"]
        assert bus.dead_letters(queue, 0) == []

    def test_a_killed_consumers_message_is_delivered_again_at_once(self, bus: Bus) -> None:
        # Acknowledged only after the handler returns: a consumer that dies while handling a
        # message gives it back, at once (as a dropped RabbitMQ connection does).
        queue = bus.queue()
        bus.publish(*bus.messages(1))
        child = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
            [sys.executable, "-c", HANGING_CONSUMER, bus.url, queue, bus.key("#")],
            cwd=REPO,
            stdout=subprocess.PIPE,
        )
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == b"m-0"
            # While its consumer lives, the message is its own.
            assert bus.received(queue, timeout=NOTHING) == []
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
            publisher.publish_batch(bus.messages(1), timeout=5)
        publisher.close()
