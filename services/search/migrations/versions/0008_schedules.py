"""Opening hours in the index: each offer's weekly periods within single days, for the search
filter on a day of the week and a time of day (``open_on``, ``open_at``). Versions indexed
before carried no timetable, so there is nothing to fill in.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import BIG_ID

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offer_hours",
        sa.Column("offer_pk", BIG_ID, nullable=False),
        sa.Column("day", sa.SmallInteger(), nullable=False),
        sa.Column("opens", sa.SmallInteger(), nullable=False),
        sa.Column("closes", sa.SmallInteger(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_pk"],
            ["indexed_offers.id"],
            name=op.f("fk_offer_hours_offer_pk_indexed_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offer_pk", "day", "opens", "closes", name=op.f("pk_offer_hours")),
    )
    op.create_index(op.f("ix_offer_hours_offer_pk"), "offer_hours", ["offer_pk"])
    op.create_index(
        "ix_offer_hours_day_opens", "offer_hours", ["day", "opens", "closes", "offer_pk"]
    )


def downgrade() -> None:
    op.drop_index("ix_offer_hours_day_opens", table_name="offer_hours")
    op.drop_index(op.f("ix_offer_hours_offer_pk"), table_name="offer_hours")
    op.drop_table("offer_hours")
