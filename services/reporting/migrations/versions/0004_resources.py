"""The resources of each version, staff (årsverk) and yearly budget (NOK), as columns the
resources reports sum; filled in for the versions kept so far from their signed documents.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("offer_versions") as batch:
        batch.add_column(sa.Column("staff_fte", sa.Float(), nullable=True))
        batch.add_column(sa.Column("budget_nok", sa.BigInteger(), nullable=True))
    connection = op.get_bind()
    versions = sa.table(
        "offer_versions",
        sa.column("id", sa.BigInteger()),
        sa.column("document", sa.Text()),
        sa.column("staff_fte", sa.Float()),
        sa.column("budget_nok", sa.BigInteger()),
    )
    update = (
        versions.update()
        .where(versions.c.id == sa.bindparam("pk"))
        .values(staff_fte=sa.bindparam("staff"), budget_nok=sa.bindparam("budget"))
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(versions.c.id, versions.c.document)
            .where(versions.c.id > last)
            .order_by(versions.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        values = []
        for pk, document in rows:
            loaded = json.loads(document)
            staff, budget = loaded.get("staff_fte"), loaded.get("budget_nok")
            values.append(
                {
                    "pk": pk,
                    "staff": None if staff is None else float(staff),
                    "budget": None if budget is None else int(budget),
                }
            )
        connection.execute(update, values)
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("offer_versions") as batch:
        batch.drop_column("budget_nok")
        batch.drop_column("staff_fte")
