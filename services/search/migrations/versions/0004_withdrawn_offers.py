"""Withdrawn offers, for the national HSDS API's ``modified_after`` (issue 19).

The index deletes a withdrawn offer; this table keeps its withdrawal version (without contact
details), so a consumer that asks what changed since a time learns it is gone. Offers withdrawn
before this revision are not known to the index any more and are not listed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

NAME_SORT = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "withdrawn_offers",
        sa.Column("offer_uri", sa.String(500), nullable=False),
        sa.Column("offer_id", sa.String(36), nullable=False),
        sa.Column("node_id", sa.String(64), nullable=False),
        sa.Column("provider_id", sa.String(36), nullable=False),
        sa.Column("name_sort", NAME_SORT, nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("offer_uri", name=op.f("pk_withdrawn_offers")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_withdrawn_offers_offer_id")),
    )
    op.create_index(op.f("ix_withdrawn_offers_provider_id"), "withdrawn_offers", ["provider_id"])
    op.create_index(op.f("ix_withdrawn_offers_withdrawn_at"), "withdrawn_offers", ["withdrawn_at"])


def downgrade() -> None:
    op.drop_table("withdrawn_offers")
