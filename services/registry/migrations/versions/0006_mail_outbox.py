"""The mail outbox, and each user's mail language and choice of optional mails.

Mails are written to the outbox in the transaction that causes them and sent afterwards by
`nettungen registry mail send`; a mail that keeps failing stays, marked failed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "outbox_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("template", sa.String(length=64), nullable=False),
        sa.Column("optional", sa.Boolean(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_outbox_mails_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_mails")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_mails_message_id")),
    )
    op.create_index(op.f("ix_outbox_mails_user_id"), "outbox_mails", ["user_id"])
    op.create_index("ix_outbox_mails_due", "outbox_mails", ["status", "next_attempt_at"])
    op.create_table(
        "mail_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("turned_off", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mail_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_preferences")),
        sa.UniqueConstraint("user_id", name=op.f("uq_mail_preferences_user_id")),
    )


def downgrade() -> None:
    op.drop_table("mail_preferences")
    op.drop_index("ix_outbox_mails_due", table_name="outbox_mails")
    op.drop_index(op.f("ix_outbox_mails_user_id"), table_name="outbox_mails")
    op.drop_table("outbox_mails")
