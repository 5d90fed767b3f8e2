"""The embedded bus (``embedded:///path/bus.sqlite``): the same contract in one SQLite file.

It keeps the exchange's bindings, the queues and their dead letters in one file that every
process on the machine shares, so the zero-configuration demo needs nothing installed; a
commit there is the confirm.
"""

from __future__ import annotations

import fcntl
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from shared.bus.contract import (
    DEAD_LETTER_LIMIT,
    DEFER_SECONDS,
    BatchHandler,
    BatchResult,
    BusUnavailable,
    Deferred,
    Handler,
    IncomingMessage,
    OutgoingMessage,
    destination_of,
    one_at_a_time,
    topic_matches,
)

_SCHEMA = """
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
CREATE INDEX IF NOT EXISTS dead_letters_by_queue ON dead_letters (queue, id);
"""
# A message handed to a consumer that neither acks nor rejects it becomes visible again after
# this long. A consumer whose process died gives its messages back sooner: each consumer holds
# an exclusive lock on a file of its own while it lives (the kernel lets go when the process
# dies, however it dies), and a consumer connecting or finding its queue empty hands the
# messages claimed by consumers whose lock is free to the others, as RabbitMQ does when a
# consumer's connection drops.
CLAIM_SECONDS = 60.0
ORPHAN_CHECK_SECONDS = 1.0
# A claimed row: id, message id, routing key, body, deliveries before this one.
_Row = tuple[int, str, str, bytes, int]


def _path(url: str) -> Path:
    path = urlsplit(url).path
    if not path:
        raise ValueError("an embedded bus URL names its file: embedded:///path/bus.sqlite")
    return Path(path)


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    # One process may hand its bus to another thread (a consumer started from the main thread
    # runs in a worker); it is never used by two at once.
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    columns = {row[1] for row in db.execute("PRAGMA table_info(messages)")}
    if columns and "claimed_by" not in columns:  # a bus file from before holders
        db.execute("ALTER TABLE messages ADD COLUMN claimed_by TEXT")
    db.executescript(_SCHEMA)
    return db


class EmbeddedBus:
    """The shared file, opened (and prepared) on first use."""

    def __init__(self, url: str) -> None:
        self.path = _path(url)
        self.destination = destination_of(url)
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self._db = _open(self.path)
            except (sqlite3.Error, OSError) as exc:
                raise BusUnavailable(f"{self.destination}: {exc}") from exc
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


def ping(url: str) -> None:
    """Raise :class:`BusUnavailable` unless the bus file at ``url`` can be read."""
    bus = EmbeddedBus(url)
    try:
        bus.db.execute("SELECT 1 FROM bindings LIMIT 1")
    except sqlite3.Error as exc:
        raise BusUnavailable(f"{bus.destination}: {exc}") from exc
    finally:
        bus.close()


class EmbeddedPublisher(EmbeddedBus):
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


class EmbeddedConsumer(EmbeddedBus):
    def __init__(
        self, url: str, queue: str, bindings: list[str], dead_letter_limit: int = DEAD_LETTER_LIMIT
    ) -> None:
        super().__init__(url)
        self.queue, self.bindings = queue, list(dict.fromkeys(bindings))
        self.dead_letter_limit = dead_letter_limit
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

    def _claim_many(self, size: int) -> list[_Row]:
        now = time.time()
        with self.transaction() as db:
            rows: list[_Row] = db.execute(
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

    def _unclaim(self, rows: list[_Row]) -> None:
        """Not handled: visible again at once."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE messages SET claimed_until = 0, claimed_by = NULL WHERE id = ?",
                [(row[0],) for row in rows],
            )

    def _settle(self, rows: list[_Row], outcome: Mapping[int, str]) -> int:
        """In one commit: dead-letter the rejected rows (dropping the oldest dead letters past
        the limit, as RabbitMQ's ``drop-head`` does), put the deferred ones at the back of the
        queue, out of sight for ``DEFER_SECONDS``, and remove the rest; how many were settled
        (not deferred)."""
        deferred = [row for i, row in enumerate(rows) if isinstance(outcome.get(i), Deferred)]
        dead = [row for i, row in enumerate(rows) if i in outcome and row not in deferred]
        done = [row for row in rows if row not in deferred]
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO dead_letters (queue, message_id, routing_key, body, dead_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(self.queue, row[1], row[2], row[3], time.time()) for row in dead],
            )
            db.executemany("DELETE FROM messages WHERE id = ?", [(row[0],) for row in done])
            # To the back of the queue, so what came after it is not held up behind it.
            db.executemany(
                "INSERT INTO messages (queue, message_id, routing_key, body, deliveries, "
                "claimed_until) SELECT queue, message_id, routing_key, body, deliveries, ? "
                "FROM messages WHERE id = ?",
                [(time.time() + DEFER_SECONDS, row[0]) for row in deferred],
            )
            db.executemany("DELETE FROM messages WHERE id = ?", [(row[0],) for row in deferred])
            if dead:
                db.execute(
                    "DELETE FROM dead_letters WHERE queue = ? AND id <= ("
                    "SELECT id FROM dead_letters WHERE queue = ? ORDER BY id DESC "
                    "LIMIT 1 OFFSET ?)",
                    (self.queue, self.queue, self.dead_letter_limit),
                )
        return len(done)

    def _handle(self, handler: BatchHandler, rows: list[_Row]) -> int:
        try:
            outcome = handler([IncomingMessage(m, key, body, n > 0) for _, m, key, body, n in rows])
        except BaseException:
            self._unclaim(rows)
            raise
        return self._settle(rows, outcome)

    def _idle(self, idle_since: float, timeout: float) -> bool:
        """Nothing to claim: whether the drain is over, after a look for orphans or a nap."""
        if time.monotonic() - self._orphans_checked >= ORPHAN_CHECK_SECONDS:
            self._release_orphans()
            return False
        if time.monotonic() - idle_since >= timeout:
            return True
        time.sleep(min(0.05, timeout))
        return False

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
                if self._idle(idle_since, timeout):
                    break
                continue
            handled += self._handle(handler, rows)
            idle_since = time.monotonic()
        return handled

    def drain(self, handler: Handler, timeout: float, limit: int | None = None) -> int:
        return self.drain_batches(one_at_a_time(handler), timeout, 1, limit)

    def close(self) -> None:
        super().close()
        if self._lock is not None:
            self._lock.close()  # releases the lock: whatever is still claimed goes back
            (self._holders / self.holder).unlink(missing_ok=True)
            self._lock = None
