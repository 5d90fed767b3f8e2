"""Refusals indexed by node and by source, for one node's status (the ingest tables' step 3).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from shared.ingest.schema_migrations import downgrade_ingest_tables_v4, upgrade_ingest_tables_v4

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_ingest_tables_v4()


def downgrade() -> None:
    downgrade_ingest_tables_v4()
