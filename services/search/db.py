"""Creating and upgrading the search database with Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from services.search.index import changes
from shared.migrations import CountedMigrations

# Upgrading to the newest revision also starts a new epoch of the index's count of changes
# (services.search.index.changes): see CountedMigrations.
MIGRATIONS = CountedMigrations(Path(__file__).parent / "migrations", changes.COUNT)
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
