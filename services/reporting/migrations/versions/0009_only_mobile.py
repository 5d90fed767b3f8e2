"""Whether each offer version's only way in is a Norwegian mobile number (likely someone's own
phone; shared.reach.only_a_mobile), for the quality report's list of those. A yes or no, never
the number. Versions recorded before keep NULL and are not listed.

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
    op.add_column("offer_versions", sa.Column("only_mobile", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offer_versions") as batch:
        batch.drop_column("only_mobile")
