"""Timetables and reachable contacts: an offer's structured opening hours and dates (weekly
periods, validity, dated occurrences; shared.timetable) and the stated reason when it has no
way to get in touch. Both optional: offers written before them keep NULL.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.add_column(sa.Column("timetable", JSONType, nullable=True))
        batch.add_column(sa.Column("no_contact_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("offers") as batch:
        batch.drop_column("no_contact_reason")
        batch.drop_column("timetable")
