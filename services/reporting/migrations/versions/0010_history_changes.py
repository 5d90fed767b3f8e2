"""A count of the history's changes: ``history_changes`` is one row counting the transactions
that changed what the reports say (versions recorded, redactions, a bulk load) in a random
epoch, new with every database made: the report answers' ``ETag`` is made of both
(``services.reporting.history.changes``, ``shared.change_count``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "history_changes",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_changes")),
    )
    op.execute(
        sa.text(
            "INSERT INTO history_changes (id, epoch, changes) VALUES (1, :epoch, 0)"
        ).bindparams(epoch=uuid.uuid4().hex[:16])
    )


def downgrade() -> None:
    op.drop_table("history_changes")
