"""Each version's own published_at beside when reporting counts it from (valid_from); and
whether it covers municipalities outside its provider's home area (false for the versions kept
so far: ``nettungen reporting nodes reharvest`` does not recompute kept versions).

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
        batch.add_column(
            sa.Column("outside_home", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Every version kept so far counted from its published_at.
    op.execute("UPDATE offer_versions SET published_at = valid_from")
    with op.batch_alter_table("offer_versions") as batch:
        batch.alter_column("published_at", existing_type=UTCDateTime(), nullable=False)
        batch.alter_column("outside_home", existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("offer_versions") as batch:
        batch.drop_column("outside_home")
        batch.drop_column("published_at")
