"""Pinned node keys and each applied offer's published_at (the ingest tables' step 2).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

from shared.ingest.schema_migrations import downgrade_ingest_tables_v2, upgrade_ingest_tables_v2

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_ingest_tables_v2()


def downgrade() -> None:
    downgrade_ingest_tables_v2()
