"""Helpers for tests of concurrent ingest transactions on PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, text


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
