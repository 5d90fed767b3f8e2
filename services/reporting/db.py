"""Creating and upgrading the reporting database with Alembic."""

from __future__ import annotations

from pathlib import Path

from shared.migrations import Migrations

MIGRATIONS = Migrations(Path(__file__).parent / "migrations")
upgrade = MIGRATIONS.upgrade
check = MIGRATIONS.check
