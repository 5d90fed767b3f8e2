"""Refusals indexed by node and by source, for one node's status (the ingest tables' step 3).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from shared.ingest.schema_migrations import downgrade_ingest_tables_v3, upgrade_ingest_tables_v3

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    upgrade_ingest_tables_v3()


def downgrade() -> None:
    downgrade_ingest_tables_v3()
