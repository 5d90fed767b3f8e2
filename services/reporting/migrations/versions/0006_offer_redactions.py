"""The offers whose personal contact data their node redacted (the ingest tables' step 3).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from shared.ingest.schema_migrations import create_redactions_table_v3, drop_redactions_table_v3

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_redactions_table_v3()


def downgrade() -> None:
    drop_redactions_table_v3()
