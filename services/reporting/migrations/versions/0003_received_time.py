"""Each version's own published_at beside when reporting counts it from (valid_from).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offer_versions") as batch:
        batch.add_column(sa.Column("published_at", UTCDateTime(), nullable=True))
    # Every version kept so far counted from its published_at.
    op.execute("UPDATE offer_versions SET published_at = valid_from")
    with op.batch_alter_table("offer_versions") as batch:
        batch.alter_column("published_at", existing_type=UTCDateTime(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("offer_versions") as batch:
        batch.drop_column("published_at")
