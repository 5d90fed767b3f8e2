"""The harvester's pipeline: page *n* written while page *n+1* is fetched and verified.

Writing a page is mostly waiting for the database, and fetching one mostly waiting for the
node; verifying one is Python. A :class:`Pipeline` runs the writes of a node's pages one after
the other in a thread of their own, and a fetch in another, so the harvester verifies the next
page while the last is written and fetched. Pages are still written in order, one transaction
each with the cursor: a crash repeats at most the page being written, which then applies as
nothing. A write's error (the database away) comes out of the next call, or of the end of the
``with`` block, which waits for the last write whatever happens.

On SQLite (one writer, and tests' in-memory databases share one connection) everything runs
inline, one page at a time, as before.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from shared.ingest.harvester import HarvestReport

T = TypeVar("T")


@dataclass(frozen=True)
class Written:
    """What writing one page did."""

    applied: int
    ignored: int
    rejected: int


class Pipeline:
    def __init__(self, sessions: sessionmaker[Session], report: HarvestReport) -> None:
        self.report = report
        engine = sessions.kw.get("bind")
        self.concurrent = engine is not None and engine.dialect.name != "sqlite"
        self._pool = ThreadPoolExecutor(2, "harvest-page") if self.concurrent else None
        self._writing: Future[Written] | None = None

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.wait()
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)

    def _submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """``function(*args)`` in the pool, in this thread's context (the fetch deadline is
        a context variable); inline, its result or error held in a future, without one."""
        if self._pool is not None:
            context = contextvars.copy_context()
            return self._pool.submit(context.run, function, *args)
        future: Future[T] = Future()
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # noqa: BLE001 - handed on where the result is taken
            future.set_exception(exc)
        return future

    def fetch(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """Fetch ahead: ``function(*args)`` while this thread goes on (the harvester fetches
        ahead only when :attr:`concurrent`)."""
        return self._submit(function, *args)

    def write(self, function: Callable[..., Written], *args: Any) -> None:
        """Write the next page once the one before is written (its error, if any, is
        raised here)."""
        self.wait()
        self._writing = self._submit(function, *args)
        if self._pool is None:
            self.wait()

    def wait(self) -> None:
        """Wait until every page handed to :meth:`write` is written; count what it did."""
        writing, self._writing = self._writing, None
        if writing is None:
            return
        written = writing.result()
        self.report.applied += written.applied
        self.report.ignored += written.ignored
        self.report.rejected += written.rejected
