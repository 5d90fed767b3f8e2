"""Waking the relay when the log grows: PostgreSQL ``NOTIFY`` from the publishing transaction.

Every transaction that writes a log row (publishing, withdrawing, a redaction, a key rotation)
also says ``NOTIFY nettungen_log``. PostgreSQL delivers the notification only when that
transaction commits, and never when it rolls back, so a relay that ``LISTEN``\\ s wakes exactly
when there is a committed row to read, instead of on its next poll. The poll stays as the
fallback: a notification lost with a dropped connection, a log written in bulk by a statement
the ORM does not see, or SQLite (one writer, no notifications) are all still found by it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import Connection, Engine

log = logging.getLogger(__name__)

CHANNEL = "nettungen_log"
_NOTIFIED = "nettungen_log_notified"
# How soon a waiting relay sees that it is to stop.
STOP_SECONDS = 0.5
# How long after a failed try to listen the next is made (the poll finds rows meanwhile).
RETRY_SECONDS = 30.0


def notify_log_written(mapper: Any, connection: Connection, target: Any) -> None:
    """``after_insert`` of a log row: notify the channel once per transaction, or savepoint
    (PostgreSQL)."""
    if connection.dialect.name != "postgresql":
        return
    # The innermost transaction: PostgreSQL drops the NOTIFY of a savepoint rolled back, so a
    # row written after one (a bulk import's refused row) must notify again.
    transaction = connection.get_nested_transaction() or connection.get_transaction()
    if transaction is not None and connection.info.get(_NOTIFIED) is transaction:
        return  # one notification per transaction is enough (and PostgreSQL folds them)
    connection.exec_driver_sql(f"NOTIFY {CHANNEL}")
    connection.info[_NOTIFIED] = transaction


class LogWaiter:
    """Waits for the log to grow: until a notification (PostgreSQL) or ``timeout`` seconds
    pass, whichever comes first; elsewhere simply ``timeout`` seconds (the poll)."""

    def __init__(self, engine: Engine) -> None:
        self.url = engine.url if engine.dialect.name == "postgresql" else None
        self._connection: Any = None
        self._retry_at = 0.0

    def listen(self) -> None:
        """Start listening (before the first read: a row committed after it wakes the next
        wait). A failure leaves the poll alone to find new rows, until the next try."""
        if self.url is None or self._connection is not None:
            return
        if time.monotonic() < self._retry_at:
            return  # tried a moment ago: not a new connection (and warning) at every poll
        import psycopg

        conninfo = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            connection = psycopg.connect(conninfo, autocommit=True, connect_timeout=5)
            connection.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            log.warning("not listening for new log rows (polling instead): %s", exc)
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return
        self._connection = connection

    def wait(self, stop: threading.Event, timeout: float) -> bool:
        """Return when the log may have grown, ``stop`` is set, or ``timeout`` passes: whether
        a committed transaction said it wrote a log row."""
        if self._connection is None:
            self.listen()
        if self._connection is None:
            stop.wait(timeout)
            return False
        import psycopg

        deadline = time.monotonic() + timeout
        woken = False
        try:
            # In slices, to see ``stop`` soon; one notification is enough to read again.
            while not woken and not stop.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                slice_ = min(remaining, STOP_SECONDS)
                woken = any(True for _ in self._connection.notifies(timeout=slice_, stop_after=1))
            for _ in self._connection.notifies(timeout=0):
                pass  # every other notification that has arrived is taken too
        except psycopg.Error as exc:
            log.warning("stopped listening for new log rows: %s", exc)
            self.close()
            stop.wait(timeout)
            return False
        return woken

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            except Exception:  # noqa: BLE001, S110 - closing a broken connection may fail too
                pass
            self._connection = None
