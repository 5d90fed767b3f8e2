"""The federation's message bus: RabbitMQ in production, an embedded bus by default.

Both transports give the same guarantees to the code above them:

* :meth:`Publisher.publish_batch` sends a batch of messages and returns how many of them, from
  the start of the batch, the bus confirmed. Only those may be counted as delivered; the rest are
  sent again later (so duplicates are possible, loss is not). Messages are published mandatory:
  one that no queue is bound for is confirmed but reported as unroutable. Consumers that need
  every event own a durable queue bound to ``#``; the others bind what they want and catch up
  from the node's LDES feed, the source of truth (so an unbound key never stalls the bus).
* :class:`Consumer` owns a durable queue bound to routing-key patterns, hands messages to a
  handler and acknowledges each only after the handler returned (after the consumer's own
  commit). A handler that raises :class:`Reject` sends the message to the queue's dead letters;
  any other exception leaves it for redelivery.

RabbitMQ (``amqp://``) uses the durable topic exchange ``nettungen.offers``, persistent messages,
mandatory routing, publisher confirms awaited per batch, ``CC`` headers for the extra routing
keys of one message, and quorum queues with a dead-letter exchange. The embedded bus
(``embedded:///path/bus.sqlite``) keeps the same exchange, bindings and queues in one SQLite
file that every process on the machine shares, so the zero-configuration demo needs nothing
installed; a commit there is the confirm.
"""

from __future__ import annotations

import fcntl
import json
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from shared.publication.events import EXCHANGE, MEDIA_TYPE

DEAD_LETTER_EXCHANGE = f"{EXCHANGE}.dead-letter"
HEARTBEAT_SECONDS = 30
# How long a consumer holding messages waits for more to join them in one batch: only for
# those the broker has already sent (the prefetch), never for new ones to be published.
_GATHER_SECONDS = 0.005
EMBEDDED_SCHEME = "embedded"


class BusUnavailable(ConnectionError):
    """The bus cannot be reached or dropped the connection; try again later."""


class Reject(Exception):  # noqa: N818 - a verdict, not an error condition of the consumer
    """Raised by a consumer's handler: the message can never be applied; dead-letter it."""


@dataclass(frozen=True)
class OutgoingMessage:
    message_id: str
    routing_keys: Sequence[str]
    body: bytes
    headers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchResult:
    confirmed: int  # leading messages of the batch the bus took responsibility for
    unroutable: tuple[str, ...] = ()  # ids among those that no queue was bound for


@dataclass(frozen=True)
class IncomingMessage:
    message_id: str
    routing_key: str
    body: bytes
    redelivered: bool


Handler = Callable[[IncomingMessage], None]
# Given a run of messages, handles them all and says which to dead-letter (by position, with
# why); the rest are acknowledged. Raising leaves every one of them on the queue.
BatchHandler = Callable[[list[IncomingMessage]], Mapping[int, str]]


def _one_at_a_time(handler: Handler) -> BatchHandler:
    """A handler of one message (raising :class:`Reject` to dead-letter it) as one of runs of
    a single message."""

    def handle(messages: list[IncomingMessage]) -> Mapping[int, str]:
        try:
            handler(*messages)
        except Reject as exc:
            return {0: str(exc)}
        return {}

    return handle


def destination_of(url: str) -> str:
    """The bus URL without credentials: safe to log and to key the relay's cursor by."""
    parts = urlsplit(url)
    if parts.scheme == EMBEDDED_SCHEME:
        return f"{EMBEDDED_SCHEME}://{parts.path}"
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path or '/'}"


@cache
def _match(pattern: tuple[str, ...], key: tuple[str, ...]) -> bool:
    if not pattern:
        return not key
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return _match(rest, key) or (bool(key) and _match(pattern, key[1:]))
    if not key:
        return False
    return head in ("*", key[0]) and _match(rest, key[1:])


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is exactly one word, ``#`` zero or more words."""
    return _match(tuple(pattern.split(".")), tuple(routing_key.split(".")))


class Publisher(Protocol):
    destination: str

    def connect(self) -> None: ...

    def publish_batch(self, messages: Sequence[OutgoingMessage], timeout: float) -> BatchResult: ...

    def close(self) -> None: ...


class Consumer(Protocol):
    def connect(self) -> None: ...

    def drain(self, handler: Handler, timeout: float, limit: int | None = None) -> int: ...

    def drain_batches(
        self, handler: BatchHandler, timeout: float, size: int, limit: int | None = None
    ) -> int: ...

    def close(self) -> None: ...


def ping(url: str) -> None:
    """Raise :class:`BusUnavailable` unless the bus at ``url`` answers (for health checks)."""
    if urlsplit(url).scheme == EMBEDDED_SCHEME:
        bus = _EmbeddedBus(url)
        try:
            bus.db.execute("SELECT 1 FROM bindings LIMIT 1")
        except sqlite3.Error as exc:
            raise BusUnavailable(f"{bus.destination}: {exc}") from exc
        finally:
            bus.close()
        return
    from kombu import Connection

    with Connection(url, connect_timeout=3) as connection:
        try:
            connection.connect()
        except (*connection.connection_errors, OSError) as exc:
            raise BusUnavailable(f"{destination_of(url)}: {exc}") from exc


def open_publisher(url: str) -> Publisher:
    if urlsplit(url).scheme == EMBEDDED_SCHEME:
        return EmbeddedPublisher(url)
    return AmqpPublisher(url)


def open_consumer(url: str, queue: str, bindings: Iterable[str], prefetch: int = 100) -> Consumer:
    if urlsplit(url).scheme == EMBEDDED_SCHEME:
        return EmbeddedConsumer(url, queue, list(bindings))
    return AmqpConsumer(url, queue, list(bindings), prefetch)


# --- RabbitMQ ----------------------------------------------------------------------------------


class AmqpPublisher:
    """Publishes with confirms: the whole batch is sent, then the confirms are awaited once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.destination = destination_of(url)
        self._connection: Any = None
        self._channel: Any = None
        self._next_tag = 1
        self._outstanding: dict[int, str] = {}
        self._nacked: set[str] = set()
        self._returned: set[str] = set()

    def connect(self) -> None:
        from kombu import Connection, Exchange

        self.close()
        connection = Connection(
            self.url,
            connect_timeout=5,
            heartbeat=0,
            # A broker blocking publishers (a resource alarm) must not hang the relay forever.
            transport_options={"write_timeout": 30},
        )
        try:
            connection.connect()
            channel = connection.channel()
            Exchange(EXCHANGE, "topic", durable=True).declare(channel=channel)
            channel.confirm_select()
        except (*connection.connection_errors, *connection.channel_errors, OSError) as exc:
            connection.release()
            raise BusUnavailable(f"{self.destination}: {exc}") from exc
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.events["basic_return"].add(self._on_return)
        self._connection, self._channel = connection, channel
        self._next_tag = 1
        self._outstanding.clear()

    def _settle(self, tag: int, multiple: bool, failed: bool) -> None:
        tags = [t for t in self._outstanding if t <= tag] if multiple else [tag]
        for t in tags:
            message_id = self._outstanding.pop(t, None)
            if failed and message_id is not None:
                self._nacked.add(message_id)

    def _on_ack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple, failed=False)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple, failed=True)

    def _on_return(self, exc: Any, exchange: str, routing_key: str, message: Any) -> None:
        # Unroutable: no queue is bound for it. The broker acks it after returning it.
        self._returned.add(message.properties.get("message_id", ""))

    def publish_batch(self, messages: Sequence[OutgoingMessage], timeout: float) -> BatchResult:
        if self._channel is None:
            self.connect()
        from kombu import Exchange, Producer

        self._nacked.clear()
        self._returned.clear()
        producer = Producer(
            self._channel, exchange=Exchange(EXCHANGE, "topic", durable=True), auto_declare=False
        )
        errors = (
            *self._connection.connection_errors,
            *self._connection.channel_errors,
            OSError,
        )
        try:
            for message in messages:
                first, *rest = message.routing_keys
                headers = dict(message.headers)
                if rest:
                    headers["CC"] = list(rest)  # RabbitMQ sender-selected distribution
                self._outstanding[self._next_tag] = message.message_id
                self._next_tag += 1
                producer.publish(
                    message.body,
                    routing_key=first,
                    mandatory=True,
                    delivery_mode=2,
                    content_type=MEDIA_TYPE,
                    content_encoding="utf-8",
                    message_id=message.message_id,
                    headers=headers,
                    retry=False,
                )
            deadline = time.monotonic() + timeout
            while self._outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the broker did not confirm the batch in time")
                self._connection.drain_events(timeout=remaining)
        except (*errors, TimeoutError) as exc:
            self.close()
            raise BusUnavailable(f"{self.destination}: {exc}") from exc
        confirmed = 0
        for message in messages:
            if message.message_id in self._nacked:
                break
            confirmed += 1
        unroutable = tuple(
            m.message_id for m in messages[:confirmed] if m.message_id in self._returned
        )
        return BatchResult(confirmed, unroutable)

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # noqa: BLE001, S110 - closing a broken connection may fail too
                pass
        self._connection = self._channel = None


class AmqpConsumer:
    """A durable quorum queue with a dead-letter queue; manual acknowledgements."""

    def __init__(self, url: str, queue: str, bindings: list[str], prefetch: int) -> None:
        self.url, self.queue_name, self.bindings, self.prefetch = url, queue, bindings, prefetch
        self._connection: Any = None
        self._channel: Any = None

    def connect(self) -> None:
        from kombu import Connection, Exchange, Queue, binding

        self.close()
        exchange = Exchange(EXCHANGE, "topic", durable=True)
        dead = Exchange(DEAD_LETTER_EXCHANGE, "direct", durable=True)
        # Heartbeats find a connection a NAT or load balancer dropped without a word, which
        # would otherwise leave the consumer waiting for ever.
        connection = Connection(self.url, connect_timeout=5, heartbeat=HEARTBEAT_SECONDS)
        try:
            connection.connect()
            channel = connection.channel()
            Queue(
                f"{self.queue_name}.dead",
                dead,
                routing_key=self.queue_name,
                durable=True,
                queue_arguments={"x-queue-type": "quorum"},
            ).declare(channel=channel)
            Queue(
                self.queue_name,
                bindings=[binding(exchange, routing_key=key) for key in self.bindings],
                durable=True,
                queue_arguments={
                    "x-queue-type": "quorum",
                    "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                    "x-dead-letter-routing-key": self.queue_name,
                },
            ).declare(channel=channel)
            channel.basic_qos(0, self.prefetch, False)
        except (*connection.connection_errors, *connection.channel_errors, OSError) as exc:
            connection.release()
            raise BusUnavailable(str(exc)) from exc
        self._connection, self._channel = connection, channel

    def drain(self, handler: Handler, timeout: float, limit: int | None = None) -> int:
        """Handle messages until ``timeout`` passes with none arriving (or ``limit`` is hit)."""
        return self.drain_batches(_one_at_a_time(handler), timeout, 1, limit)

    def drain_batches(
        self, handler: BatchHandler, timeout: float, size: int, limit: int | None = None
    ) -> int:
        """Hand over runs of up to ``size`` messages (what has arrived, never waiting for
        more), settling each run only after ``handler`` returns; until ``timeout`` passes with
        none arriving (or ``limit`` is hit)."""
        from kombu import Consumer as KombuConsumer
        from kombu import Queue

        if self._channel is None:
            self.connect()
        handled = 0
        pending: list[Any] = []

        def settle() -> None:
            nonlocal handled
            batch = pending[:]
            pending.clear()
            try:
                rejected = handler([_incoming(message) for message in batch])
            except BaseException:
                for message in batch:
                    message.reject(requeue=True)  # not handled: back to the queue at once
                raise
            for position, message in enumerate(batch):
                if position in rejected:
                    message.reject(requeue=False)
                else:
                    message.ack()
            handled += len(batch)

        queue = Queue(self.queue_name, no_declare=True)
        consumer = KombuConsumer(
            self._channel, queues=[queue], on_message=pending.append, no_ack=False
        )
        errors = (*self._connection.connection_errors, *self._connection.channel_errors, OSError)
        last_message = time.monotonic()
        try:
            with consumer:
                while limit is None or handled < limit:
                    if pending and (
                        len(pending) >= size
                        or (limit is not None and handled + len(pending) >= limit)
                    ):
                        settle()
                        continue
                    self._connection.heartbeat_check()
                    # With messages in hand, only what the broker has already sent is awaited.
                    wait = _GATHER_SECONDS if pending else min(timeout, HEARTBEAT_SECONDS / 2)
                    try:
                        self._connection.drain_events(timeout=wait)
                    except TimeoutError:
                        if pending:
                            settle()
                        elif time.monotonic() - last_message >= timeout:
                            break
                        continue
                    last_message = time.monotonic()
        except errors as exc:
            self.close()
            raise BusUnavailable(str(exc)) from exc
        return handled

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # noqa: BLE001, S110
                pass
        self._connection = self._channel = None


def _incoming(message: Any) -> IncomingMessage:
    # Given the raw message, never decoded by kombu: a body kombu cannot decode, or a content
    # type it refuses, reaches the handler, which refuses it as a message.
    return IncomingMessage(
        message.properties.get("message_id", ""),
        message.delivery_info.get("routing_key", ""),
        message.body if isinstance(message.body, bytes) else message.body.encode(),
        bool(message.delivery_info.get("redelivered")),
    )


# --- Embedded ----------------------------------------------------------------------------------

_EMBEDDED_SCHEMA = """
CREATE TABLE IF NOT EXISTS bindings (
    queue TEXT NOT NULL, pattern TEXT NOT NULL, PRIMARY KEY (queue, pattern));
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, message_id TEXT NOT NULL,
    routing_key TEXT NOT NULL, body BLOB NOT NULL, deliveries INTEGER NOT NULL DEFAULT 0,
    claimed_until REAL NOT NULL DEFAULT 0, claimed_by TEXT);
CREATE INDEX IF NOT EXISTS messages_by_queue ON messages (queue, id);
CREATE INDEX IF NOT EXISTS messages_by_holder ON messages (claimed_by);
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL, message_id TEXT NOT NULL,
    routing_key TEXT NOT NULL, body BLOB NOT NULL, dead_at REAL NOT NULL);
"""
# A message handed to a consumer that neither acks nor rejects it becomes visible again after
# this long. A consumer whose process died gives its messages back sooner: each consumer holds
# an exclusive lock on a file of its own while it lives (the kernel lets go when the process
# dies, however it dies), and a consumer connecting or finding its queue empty hands the
# messages claimed by consumers whose lock is free to the others, as RabbitMQ does when a
# consumer's connection drops.
CLAIM_SECONDS = 60.0
ORPHAN_CHECK_SECONDS = 1.0


def _embedded_path(url: str) -> Path:
    path = urlsplit(url).path
    if not path:
        raise ValueError("an embedded bus URL names its file: embedded:///path/bus.sqlite")
    return Path(path)


class _EmbeddedBus:
    def __init__(self, url: str) -> None:
        self.path = _embedded_path(url)
        self.destination = destination_of(url)
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # One process may hand its bus to another thread (a consumer started
                # from the main thread runs in a worker); it is never used by two at once.
                db = sqlite3.connect(
                    self.path, timeout=30, isolation_level=None, check_same_thread=False
                )
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                columns = {row[1] for row in db.execute("PRAGMA table_info(messages)")}
                if columns and "claimed_by" not in columns:  # a bus file from before holders
                    db.execute("ALTER TABLE messages ADD COLUMN claimed_by TEXT")
                db.executescript(_EMBEDDED_SCHEMA)
            except (sqlite3.Error, OSError) as exc:
                raise BusUnavailable(f"{self.destination}: {exc}") from exc
            self._db = db
        return self._db

    def connect(self) -> None:
        self.db  # noqa: B018 - opens and prepares the file

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any error, so a failure
        never leaves the shared file locked; SQLite errors become :class:`BusUnavailable`."""
        db = self.db
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise BusUnavailable(f"{self.destination}: {exc}") from exc
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


class EmbeddedPublisher(_EmbeddedBus):
    def publish_batch(self, messages: Sequence[OutgoingMessage], timeout: float) -> BatchResult:
        """Route the batch into its queues in one commit: the commit is the confirm."""
        unroutable = []
        with self.transaction() as db:
            bindings = db.execute("SELECT queue, pattern FROM bindings").fetchall()
            for message in messages:
                queues = sorted(
                    {
                        queue
                        for queue, pattern in bindings
                        if any(topic_matches(pattern, key) for key in message.routing_keys)
                    }
                )
                if not queues:
                    unroutable.append(message.message_id)
                    continue
                db.executemany(
                    "INSERT INTO messages (queue, message_id, routing_key, body) "
                    "VALUES (?, ?, ?, ?)",
                    [
                        (q, message.message_id, message.routing_keys[0], message.body)
                        for q in queues
                    ],
                )
        return BatchResult(len(messages), tuple(unroutable))


class EmbeddedConsumer(_EmbeddedBus):
    def __init__(self, url: str, queue: str, bindings: list[str]) -> None:
        super().__init__(url)
        self.queue, self.bindings = queue, list(dict.fromkeys(bindings))
        self.holder = ""
        self._lock: Any = None
        self._orphans_checked = 0.0

    @property
    def _holders(self) -> Path:
        return self.path.with_name(self.path.name + ".consumers")

    def _hold(self) -> None:
        """Take this consumer's lock, under a new name each time it connects."""
        if self._lock is not None:
            return
        holder = uuid.uuid4().hex
        try:
            self._holders.mkdir(parents=True, exist_ok=True)
            lock = (self._holders / holder).open("wb")
            fcntl.flock(lock, fcntl.LOCK_EX)  # ours while this consumer lives
        except OSError as exc:
            raise BusUnavailable(f"{self.destination}: {exc}") from exc
        self.holder, self._lock = holder, lock

    def connect(self) -> None:
        self._hold()
        with self.transaction() as db:
            db.execute("DELETE FROM bindings WHERE queue = ?", (self.queue,))
            db.executemany(
                "INSERT INTO bindings (queue, pattern) VALUES (?, ?)",
                [(self.queue, pattern) for pattern in self.bindings],
            )
        self._release_orphans()

    def _release_orphans(self) -> None:
        """Make the messages claimed by consumers that died visible again."""
        self._orphans_checked = time.monotonic()
        try:
            holders = [
                holder
                for (holder,) in self.db.execute(
                    "SELECT DISTINCT claimed_by FROM messages WHERE queue = ? "
                    "AND claimed_until >= ? AND claimed_by IS NOT NULL AND claimed_by != ?",
                    (self.queue, time.time(), self.holder),
                )
            ]
        except sqlite3.Error as exc:
            raise BusUnavailable(f"{self.destination}: {exc}") from exc
        dead = [holder for holder in holders if not self._alive(holder)]
        if not dead:
            return
        with self.transaction() as db:
            db.executemany(
                "UPDATE messages SET claimed_until = 0, claimed_by = NULL WHERE claimed_by = ?",
                [(holder,) for holder in dead],
            )
        for holder in dead:
            (self._holders / holder).unlink(missing_ok=True)

    def _alive(self, holder: str) -> bool:
        try:
            with (self._holders / holder).open("rb") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True  # its consumer holds the lock
        except FileNotFoundError:
            return False  # no such consumer any more
        except OSError:
            # Out of file handles, say: we cannot tell, so it lives (its claims lapse after
            # CLAIM_SECONDS anyway). Taken for dead, its messages would be handled twice at once.
            return True
        return False  # the lock was free: nobody holds it (closing the file released ours)

    def _claim_many(self, size: int) -> list[tuple[int, str, str, bytes, int]]:
        now = time.time()
        with self.transaction() as db:
            rows: list[tuple[int, str, str, bytes, int]] = db.execute(
                "SELECT id, message_id, routing_key, body, deliveries FROM messages "
                "WHERE queue = ? AND claimed_until < ? ORDER BY id LIMIT ?",
                (self.queue, now, size),
            ).fetchall()
            db.executemany(
                "UPDATE messages SET claimed_until = ?, claimed_by = ?, "
                "deliveries = deliveries + 1 WHERE id = ?",
                [(now + CLAIM_SECONDS, self.holder, row[0]) for row in rows],
            )
        return rows

    def drain_batches(
        self, handler: BatchHandler, timeout: float, size: int, limit: int | None = None
    ) -> int:
        """Hand over runs of up to ``size`` waiting messages; each settled in one commit after
        ``handler`` returns."""
        self._hold()
        handled = 0
        idle_since = time.monotonic()
        while limit is None or handled < limit:
            rows = self._claim_many(size if limit is None else min(size, limit - handled))
            if not rows:
                if time.monotonic() - self._orphans_checked >= ORPHAN_CHECK_SECONDS:
                    self._release_orphans()
                    continue
                if time.monotonic() - idle_since >= timeout:
                    break
                time.sleep(min(0.05, timeout))
                continue
            try:
                rejected = handler(
                    [IncomingMessage(m, key, body, n > 0) for _, m, key, body, n in rows]
                )
            except BaseException:
                with self.transaction() as db:  # not handled: visible again at once
                    db.executemany(
                        "UPDATE messages SET claimed_until = 0, claimed_by = NULL WHERE id = ?",
                        [(row[0],) for row in rows],
                    )
                raise
            with self.transaction() as db:
                db.executemany(
                    "INSERT INTO dead_letters (queue, message_id, routing_key, body, dead_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        (self.queue, row[1], row[2], row[3], time.time())
                        for position, row in enumerate(rows)
                        if position in rejected
                    ],
                )
                db.executemany("DELETE FROM messages WHERE id = ?", [(row[0],) for row in rows])
            handled += len(rows)
            idle_since = time.monotonic()
        return handled

    def drain(self, handler: Handler, timeout: float, limit: int | None = None) -> int:
        return self.drain_batches(_one_at_a_time(handler), timeout, 1, limit)

    def close(self) -> None:
        super().close()
        if self._lock is not None:
            self._lock.close()  # releases the lock: whatever is still claimed goes back
            (self._holders / self.holder).unlink(missing_ok=True)
            self._lock = None


def event_body(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
