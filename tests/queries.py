"""Counting the SQL statements a piece of code runs, to prove pages and lists free of per-row
queries (N+1): measured over few rows and over many, the count must be the same.

The recorder listens to the engine's ``before_cursor_execute`` event, as Warehouse's and Indico's
query-count fixtures do, so it sees every statement of every connection of that engine: the
request's session, the test's transaction and lazy loads alike.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` executes inside the block, in order."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        # (connection, cursor, statement, parameters, context, executemany)
        statements.append(_normalised(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


# A savepoint's number and the length of an IN list change from run to run, not the statement.
_SAVEPOINT = re.compile(r"sa_savepoint_\d+")
_IN_LIST = re.compile(r"\((?:\?|%\(\w+\)s)(?:, (?:\?|%\(\w+\)s))*\)")


def _normalised(statement: str) -> str:
    statement = _SAVEPOINT.sub("sa_savepoint_N", " ".join(statement.split()))
    return _IN_LIST.sub("(…)", statement)


def statements_of(engine: Engine, action: Callable[[], Any]) -> list[str]:
    """The statements ``action`` runs on ``engine``."""
    with recorded_statements(engine) as statements:
        action()
    return statements


def assert_same_count(few: list[str], many: list[str], what: str) -> None:
    """Fail, naming the statements that repeat, when ``many`` rows took more statements than
    ``few`` did (a query per row)."""
    if len(many) == len(few):
        return
    extra = Counter(many) - Counter(few)
    repeated = "\n".join(f"  +{n} × {sql[:300]}" for sql, n in extra.most_common(5))
    raise AssertionError(
        f"{what}: {len(few)} statements over few rows, {len(many)} over many; "
        f"the extra ones:\n{repeated}"
    )
