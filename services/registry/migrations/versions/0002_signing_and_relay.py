"""Signed events: the node's signing keys, a signature on every log row, the relay's cursor.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "node_signing_keys",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_node_signing_keys")),
    )
    op.create_table(
        "relay_cursors",
        sa.Column("destination", sa.String(length=300), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("destination", name=op.f("pk_relay_cursors")),
    )
    # Rows already in the log stay unsigned until the first key is generated, which signs them.
    op.add_column("publication_log", sa.Column("key_id", sa.String(length=64), nullable=True))
    op.add_column("publication_log", sa.Column("signature", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publication_log") as batch:
        batch.drop_column("signature")
        batch.drop_column("key_id")
    op.drop_table("relay_cursors")
    op.drop_table("node_signing_keys")
