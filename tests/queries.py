"""Counting the SQL statements a piece of code runs, to prove pages and lists free of per-row
queries (N+1): measured over few rows and over many, the count must be the same.

The recorder listens to the engine's ``before_cursor_execute`` event, as Warehouse's and Indico's
query-count fixtures do, so it sees every statement of every connection of that engine: the
request's session, the test's transaction and lazy loads alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from shared.ingest import directory
from shared.ingest.models import IngestedOffer, RejectedEvent
from shared.signing import VerificationKey

# The rows a list is drawn over, then drawn over again.
FEW, MANY = 3, 30

# A savepoint's number and the length of an IN list change from run to run, not the statement.
_SAVEPOINT = re.compile(r"sa_savepoint_\d+")
_IN_LIST = re.compile(r"\((?:\?|%\(\w+\)s)(?:, (?:\?|%\(\w+\)s))*\)")


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


def _normalised(statement: str) -> str:
    statement = _SAVEPOINT.sub("sa_savepoint_N", " ".join(statement.split()))
    return _IN_LIST.sub("(…)", statement)


def statements_of(engine: Engine, action: Callable[[], Any]) -> list[str]:
    """The statements ``action`` runs on ``engine``."""
    with recorded_statements(engine) as statements:
        action()
    return statements


def growth(few: list[str], many: list[str], what: str) -> str | None:
    """What went wrong, naming the statements that repeat, when ``many`` rows took more (or
    fewer) statements than ``few`` did; None when the counts are equal."""
    if len(many) == len(few):
        return None
    extra = Counter(many) - Counter(few)
    repeated = "\n".join(f"  +{n} × {sql[:300]}" for sql, n in extra.most_common(5))
    return (
        f"{what}: {len(few)} statements over {FEW} rows, {len(many)} over {MANY}; "
        f"the extra ones:\n{repeated}"
    )


def check_flat(
    engine: Engine, grow: Callable[[int], Any], pages: Mapping[str, Callable[[], Any]]
) -> dict[str, Any]:
    """Draw each page (a test client's request, by what it is) over FEW rows and, after
    ``grow`` has added the rest, over MANY: each must take the same number of statements.
    Returns the responses over MANY rows, for the test to check the rows are on them."""
    grow(FEW)
    few: dict[str, list[str]] = {}
    for what, fetch in pages.items():
        fetch()  # warm up: what is read once per process (vocabularies, caches) is not counted
        few[what] = _draw(engine, fetch)[0]
    grow(MANY - FEW)
    responses: dict[str, Any] = {}
    problems = []
    for what, fetch in pages.items():
        many, responses[what] = _draw(engine, fetch)
        problems.append(growth(few[what], many, what))
    found = [p for p in problems if p]
    assert not found, "\n\n".join(found)
    return responses


def _draw(engine: Engine, fetch: Callable[[], Any]) -> tuple[list[str], Any]:
    """The statements a request ran, and its response (which must be a 200)."""
    responses: list[Any] = []
    statements = statements_of(engine, lambda: responses.append(fetch()))
    assert responses[0].status_code == 200, responses[0].get_data(as_text=True)[:500]
    return statements, responses[0]


# Organisation numbers the directory's nodes publish for (valid check digits).
ORGNRS = ["910000012", "910000047", "910000055", "910000063"]


def add_directory_nodes(sessions: sessionmaker[Session], start: int, count: int) -> None:
    """``count`` nodes (``n<start>`` on) in a national service's directory, each with two
    organisations, offers received and refusals (of its feed and, naming no node, of the bus
    from its base URL)."""
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    with sessions.begin() as session:
        for n in range(start, start + count):
            url = f"https://node{n:02}.test"
            directory.add_node(
                session,
                node_id=f"n{n:02}",
                name=f"Node {n:02}",
                url=url,
                keys=[VerificationKey(f"k{n}", bytes([n]) * 32)],
                organisations=[ORGNRS[n % len(ORGNRS)], ORGNRS[(n + 1) % len(ORGNRS)]],
            )
            for i, withdrawn in enumerate((False, False, True)):
                session.add(
                    IngestedOffer(
                        offer_uri=f"{url}/offers/{i}",
                        node_id=f"n{n:02}",
                        version=1,
                        withdrawn=withdrawn,
                        event_id=f"e{n}-{i}",
                        sequence=i + 1,
                        applied_at=now,
                    )
                )
            for node_id, via in ((f"n{n:02}", "feed"), (None, "bus")):
                session.add(
                    RejectedEvent(
                        received_at=now + dt.timedelta(minutes=1),
                        via=via,
                        node_id=node_id,
                        source=url,
                        subject=f"{url}/offers/0",
                        reason="not granted",
                        excerpt="{}",
                    )
                )
