"""An organisation's rule that another person than the submitter publishes (four eyes).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(
            sa.Column(
                "publisher_not_submitter",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    with op.batch_alter_table("organisations") as batch:
        batch.alter_column("publisher_not_submitter", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("publisher_not_submitter")
