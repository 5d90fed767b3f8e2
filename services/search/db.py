"""Creating and upgrading the search database with Alembic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event

from services.search.index import changes
from shared.db import create_engine
from shared.migrations import Migrations


@dataclass(frozen=True)
class SearchMigrations(Migrations):
    """Upgrading to the newest revision also starts a new epoch of the index's count of
    changes (:mod:`services.search.index.changes`): a database restored from a backup counts
    again from an older count, and must not name new answers as it named others before. An
    operator upgrades after every restore and every deploy (docs/operations.md)."""

    def upgrade(
        self, url: str, connection: Connection | None = None, revision: str = "head"
    ) -> None:
        super().upgrade(url, connection, revision)
        if revision != "head":
            return
        if connection is not None:
            changes.renew_epoch(connection)
            return
        engine = create_engine(url)
        try:
            with engine.begin() as new_connection:
                changes.renew_epoch(new_connection)
        finally:
            engine.dispose()


MIGRATIONS = SearchMigrations(Path(__file__).parent / "migrations")
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
