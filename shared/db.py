"""Database plumbing every service shares: engines, naming conventions and portable types.

SQLite is the embedded default and PostgreSQL the production database; the same models and
migrations run on both. SQLite gets the settings a multi-process node needs (WAL, a busy timeout,
foreign keys) and real transactions with savepoints, which pysqlite does not give by default.
"""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    event,
)
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

# A surrogate key: 64-bit on PostgreSQL, SQLite's INTEGER (its rowid alias) there.
BIG_ID = BigInteger().with_variant(Integer, "sqlite")


def parent_key(parent_table: str) -> Any:
    """A detail row's share of its primary key: its parent's ``id``, indexed, the row deleted
    with the parent (the coverage and terms of an indexed offer or a kept version)."""
    return mapped_column(
        BIG_ID,
        ForeignKey(f"{parent_table}.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


# JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# Every engine this process made, so that a forked child can drop the pools it inherited.
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def dispose_inherited_engines() -> int:
    """In a forked child: give every engine made before the fork a fresh, empty pool.

    ``close=False`` leaves the parent's connections alone (closing them here would close the
    sockets the parent still uses); the child opens its own on first use. Returns how many
    engines were reset.
    """
    engines = list(_ENGINES)
    for engine in engines:
        engine.dispose(close=False)
    return len(engines)


def create_engine(url: str, *, sqlite_begin: str = "DEFERRED", **kwargs: Any) -> Engine:
    """An engine for ``url``; for SQLite, ``sqlite_begin`` picks the BEGIN mode.

    A write-side service passes ``"IMMEDIATE"`` so that two writers queue on the busy timeout
    instead of failing when a read lock cannot be upgraded.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        engine = sa_create_engine(url, **kwargs)
        _ENGINES.add(engine)
        return engine

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs.setdefault("connect_args", {}).setdefault("check_same_thread", False)
    engine = sa_create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so SAVEPOINT and BEGIN work as written.
        dbapi_connection.isolation_level = None
        dbapi_connection.create_function(SQLITE_LOWER, 1, _lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if parsed.database and parsed.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(f"BEGIN {sqlite_begin}")

    _ENGINES.add(engine)
    return engine


def insert_if_absent(
    session: Session, model: type[Any], key: Sequence[str], **values: Any
) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO NOTHING`` on PostgreSQL and SQLite alike: several
    processes may make the same row at once, and all but one insert nothing. Without
    ``values``, the rows are given to ``execute`` (many at once)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model)
    if values:
        statement = statement.values(**values)
    result: Insert = statement.on_conflict_do_nothing(index_elements=key)
    return result


STATEMENT_TIMEOUT = "nettungen.statement_deadline"


def limit_statement_time(engine: Engine, milliseconds: int) -> None:
    """Cancel any statement of ``engine`` that runs longer than ``milliseconds`` (0: never).

    PostgreSQL cancels it itself (``statement_timeout``, set on every new connection);
    SQLite is interrupted by a progress handler that watches the statement's deadline. Either
    way the statement raises an ``OperationalError`` that :func:`is_statement_timeout` knows.
    """
    if not milliseconds:
        return
    if engine.dialect.name == "postgresql":

        @event.listens_for(engine, "connect")
        def _postgresql(dbapi_connection: Any, _record: Any) -> None:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True  # a SET that no rollback can undo
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {int(milliseconds)}")
            dbapi_connection.autocommit = autocommit

        return
    seconds = milliseconds / 1000

    @event.listens_for(engine, "connect")
    def _sqlite(dbapi_connection: Any, record: Any) -> None:
        deadline = record.info[STATEMENT_TIMEOUT] = [math.inf]
        dbapi_connection.set_progress_handler(lambda: time.monotonic() > deadline[0], 10_000)

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn: Any, *_: Any) -> None:
        conn.info[STATEMENT_TIMEOUT][0] = time.monotonic() + seconds

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn: Any, *_: Any) -> None:
        conn.info[STATEMENT_TIMEOUT][0] = math.inf


def is_statement_timeout(error: BaseException) -> bool:
    """Whether ``error`` is a statement cancelled by :func:`limit_statement_time`."""
    original = getattr(error, "orig", None)
    if getattr(original, "sqlstate", None) == "57014":  # query_canceled
        return True
    return isinstance(original, sqlite3.OperationalError) and str(original) == "interrupted"


def sqlite_url_in(directory: Path, name: str) -> str:
    return f"sqlite:///{(directory / name).resolve()}"


# SQLite's own lower() (and so its LIKE and ILIKE) folds only A-Z: "øvre" would not find
# "Øvre Eiker". Every SQLite engine of create_engine has this function, Python's str.lower.
SQLITE_LOWER = "nettungen_lower"


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


class unicode_lower(FunctionElement[str]):  # noqa: N801 (an SQL function, named as one)
    """``lower(expression)`` that folds every letter, Æ, Ø and Å too, on both databases
    (PostgreSQL's lower(); on SQLite, SQLITE_LOWER)."""

    type = String()
    name = "lower"
    inherit_cache = True


@compiles(unicode_lower)
def _compile_lower(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _compile_sqlite_lower(element: unicode_lower, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_LOWER}({compiler.process(element.clauses, **kw)})"


def contains_text(column: Any, word: str) -> ColumnElement[bool]:
    """Whether ``column`` contains ``word``, whatever the case of any letter, alike on
    PostgreSQL and SQLite (``%`` and ``_`` in ``word`` are letters, not wildcards)."""
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return unicode_lower(column).like(f"%{escaped}%", escape="\\")
