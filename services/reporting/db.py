"""Creating and upgrading the reporting database with Alembic."""

from __future__ import annotations

from pathlib import Path

from services.reporting.history import changes
from shared.migrations import CountedMigrations

# Upgrading to the newest revision also starts a new epoch of the history's count of changes
# (services.reporting.history.changes): see CountedMigrations.
MIGRATIONS = CountedMigrations(Path(__file__).parent / "migrations", changes.COUNT)
upgrade = MIGRATIONS.upgrade
check = MIGRATIONS.check
