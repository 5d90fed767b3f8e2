"""Helpers for tests of concurrent ingest transactions on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text

from shared.ingest import batch
from shared.ingest.apply import Outcome, VerifiedEvent, apply_events

WAIT = 30.0  # seconds: far beyond PostgreSQL's deadlock_timeout (1 s)


def run_in_thread(errors: list[BaseException], target: Callable[[], Any]) -> threading.Thread:
    """``target`` started in a thread of its own; what it raises is added to ``errors``."""

    def run() -> None:
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def waiting_for_a_lock(engine: Engine) -> bool:
    """Whether a connection to the engine's database waits for a lock now."""
    with engine.connect() as connection:
        return bool(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
        )


class Pause:
    """Holds a sink after its first write, its transaction open, until told to go."""

    def __init__(self) -> None:
        self.paused = threading.Event()
        self.go = threading.Event()

    def hold_once(self) -> None:
        if not self.paused.is_set():
            self.paused.set()
            assert self.go.wait(WAIT)


def whole_batch_beside_one_by_one(
    database: Any,
    pausing_sink: Any,
    pause: Pause,
    whole_sink: Any,
    first: VerifiedEvent,
    second: VerifiedEvent,
) -> bool:
    """Apply ``first`` and ``second`` event by event (as apply_batch does after a refusal)
    with ``pausing_sink``, held after the first; meanwhile ``second`` as a whole batch with
    ``whole_sink``. Whether the whole batch finished while the first transaction was open."""
    errors: list[BaseException] = []
    one_by_one = run_in_thread(
        errors, lambda: batch._apply_each(database.sessions, pausing_sink, [first, second], None)
    )
    assert pause.paused.wait(WAIT)  # the first offer written, the transaction still open

    def whole() -> None:
        with database.sessions.begin() as session:
            assert apply_events(session, whole_sink, [second]) == [Outcome.APPLIED]

    whole_batch = run_in_thread(errors, whole)
    deadline = time.monotonic() + WAIT
    while whole_batch.is_alive() and not waiting_for_a_lock(database.engine):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    whole_batch.join(2.0)  # it may still be finishing its commit
    finished_first = not whole_batch.is_alive()
    pause.go.set()
    for thread in (one_by_one, whole_batch):
        thread.join(WAIT)
        assert not thread.is_alive()
    assert errors == []
    return finished_first
