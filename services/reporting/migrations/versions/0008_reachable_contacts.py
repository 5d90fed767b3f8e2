"""Whether each offer version has a way to get in touch (a phone, an e-mail, a web address, a
place with opening hours, or a stated reason), for the quality report's list of those without.
A yes or no, never the contact. Versions recorded before keep NULL: their documents are not
kept (0005), so nothing can tell, and the report lists only versions known to have none.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("offer_versions", sa.Column("reachable", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offer_versions") as batch:
        batch.drop_column("reachable")
