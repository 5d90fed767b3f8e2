"""Reporting keeps only the fields its reports use: the version document as the node signed it
(with its contact: a name, an e-mail, a phone) and the description's full text go, from every
version kept so far. The reports read the other columns only (the overlaps compare the
description's analysed terms, which stay). Nothing can bring the documents back: downgrading
leaves them empty, and ``nettungen reporting nodes reharvest`` fills nothing in either, on
purpose.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch: SQLite rebuilds the table, so the dropped values are gone from its pages too once
    # the file is vacuumed; PostgreSQL drops the columns (VACUUM FULL reclaims their space).
    with op.batch_alter_table("offer_versions") as batch:
        batch.drop_column("document")
        batch.drop_column("description")


def downgrade() -> None:
    with op.batch_alter_table("offer_versions") as batch:
        batch.add_column(sa.Column("description", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("document", sa.Text(), nullable=False, server_default="{}"))
    with op.batch_alter_table("offer_versions") as batch:
        batch.alter_column("description", existing_type=sa.Text(), server_default=None)
        batch.alter_column("document", existing_type=sa.Text(), server_default=None)
