"""shared.db_copy.copy_rows raises what an INSERT of the same rows raises: the ingest tells a
refused event (DataError, IntegrityError) from a database that is away or busy
(OperationalError: the round stops and backs off) by SQLAlchemy's classes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from shared.db_copy import copy_rows

metadata = MetaData()
ROWS = Table(
    "copied_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(5), nullable=False),
)


@pytest.fixture
def engine(database_factory: Callable[..., str]) -> Iterator[Engine]:
    engine = create_engine(database_factory())
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _write(session: Session, how: str, rows: list[dict[str, object]]) -> None:
    if how == "copy":
        copy_rows(session, ROWS, rows)
    else:
        session.execute(insert(ROWS), rows)


@pytest.mark.parametrize("how", ["insert", "copy"])
def test_a_value_too_long_is_a_data_error(engine: Engine, how: str) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps a string of any length")
    with pytest.raises(DataError), Session(engine) as session, session.begin():
        _write(session, how, [{"id": 1, "name": "abc"}, {"id": 2, "name": "abcdefgh"}])


@pytest.mark.parametrize("how", ["insert", "copy"])
def test_a_duplicate_is_an_integrity_error(engine: Engine, how: str) -> None:
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        _write(session, how, [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}])


@pytest.mark.parametrize("how", ["insert", "copy"])
def test_a_table_locked_past_the_lock_timeout_is_an_operational_error(
    engine: Engine, how: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a lock timeout is PostgreSQL's")
    with engine.connect() as holder:
        holder.execute(text("LOCK TABLE copied_rows IN ACCESS EXCLUSIVE MODE"))
        with pytest.raises(OperationalError), Session(engine) as session, session.begin():
            session.execute(text("SET LOCAL lock_timeout = '50ms'"))
            _write(session, how, [{"id": 1, "name": "a"}])
        holder.rollback()
    with Session(engine) as session, session.begin():  # the connection is fit to use again
        _write(session, how, [{"id": 3, "name": "c"}])


@pytest.mark.parametrize("how", ["insert", "copy"])
def test_a_connection_lost_is_an_operational_error_and_left_out_of_the_pool(
    engine: Engine, how: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("a server-side disconnection is PostgreSQL's")
    with pytest.raises(OperationalError), Session(engine) as session, session.begin():
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with engine.connect() as killer:
            killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        _write(session, how, [{"id": 1, "name": "a"}])
    with Session(engine) as session, session.begin():
        _write(session, how, [{"id": 4, "name": "d"}])
