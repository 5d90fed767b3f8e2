"""Writing many rows at once: ``COPY`` on PostgreSQL, one multi-row ``INSERT`` elsewhere.

The ingest sinks write a batch's rows (index rows, coverage, terms, places, hours) table by
table. On PostgreSQL :func:`copy_rows` streams them with psycopg's ``COPY … FROM STDIN`` in the
caller's transaction (or savepoint): no SQL text per row and no placeholders for psycopg to
rewrite, which is what a multi-row ``INSERT`` through SQLAlchemy spends most of its time on.
Each value goes through its column type's bind processing first, as an ``INSERT`` would, so a
value the type refuses is refused the same way; an error of the database raises the same
SQLAlchemy error an ``INSERT`` raises: :class:`~sqlalchemy.exc.DataError` or
:class:`~sqlalchemy.exc.IntegrityError` for a value it refuses (the event's fault, to the
ingest), :class:`~sqlalchemy.exc.OperationalError` for a lock or statement timeout, a deadlock
or a lost connection (the database's: the round stops and backs off).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"
)


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _processors(table: Table, columns: Sequence[str], dialect: Any) -> list[Callable[..., Any]]:
    identity: Callable[[Any], Any] = lambda value: value  # noqa: E731
    return [table.c[name].type.bind_processor(dialect) or identity for name in columns]


def copy_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys, the table's column names) into ``table``
    in the session's transaction."""
    if not rows:
        return
    if not is_postgresql(session):
        session.execute(insert(table), list(rows))
        return
    import psycopg  # only on PostgreSQL, whose driver it is

    connection = session.connection()
    columns = list(rows[0])
    processors = _processors(table, columns, connection.dialect)
    names = ", ".join(f'"{name}"' for name in columns)
    statement = f"COPY {table.name} ({names}) FROM STDIN"
    try:
        values = [
            [process(row[name]) for process, name in zip(processors, columns, strict=True)]
            for row in rows
        ]
    except (ValueError, TypeError, AttributeError) as exc:
        raise sa_exc.StatementError(str(exc), statement, None, exc) from exc
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for value in values:
                copy.write_row(value)
    except psycopg.Error as exc:
        # As SQLAlchemy wraps an INSERT's error: IntegrityError and DataError (the event's
        # fault), OperationalError (a lock or statement timeout, a deadlock, the server
        # gone: not the event's), and a connection that was lost left out of the pool.
        invalidated = connection.dialect.is_disconnect(exc, connection.connection, cursor)  # type: ignore[arg-type]
        if invalidated:
            connection.invalidate(exc)
        raise sa_exc.DBAPIError.instance(
            statement,
            None,
            exc,
            psycopg.Error,
            connection_invalidated=invalidated,
            dialect=connection.dialect,
        ) from exc
    finally:
        cursor.close()


def next_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new values of the table's ``id`` sequence (PostgreSQL), in order."""
    result = session.execute(_NEXT_IDS, {"table": table.name, "count": count})
    return [int(value) for value in result.scalars()]
