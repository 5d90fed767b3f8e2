"""Creating and upgrading the search database with Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from shared.migrations import Migrations

MIGRATIONS = Migrations(Path(__file__).parent / "migrations")
upgrade = MIGRATIONS.upgrade
check = MIGRATIONS.check


def plan_for_search(engine: Engine) -> None:
    """Session settings of the search service's connections to PostgreSQL: no JIT. A search
    over many offers crosses the planner's JIT threshold and then spent about 175 ms (at
    500,000 offers) compiling expressions it runs for well under that; answers are short
    queries, not reports that run for seconds."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _no_jit(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True  # a SET that no rollback can undo
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.autocommit = autocommit
