"""Every log row signed: its key id and signature become required.

Revision 0002 added the two columns empty, for rows written before nodes signed events; the
node's first `nettungen registry key generate` signed those, and since 0002 every row is
signed in the transaction that writes it (a node without a key cannot publish). This revision
makes that a rule of the schema, so no code has to allow for an unsigned row. A database that
still holds one (a key never generated after 0002) is refused rather than altered.

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
    log = sa.table("publication_log", sa.column("seq"), sa.column("signature"))
    unsigned = op.get_bind().scalar(
        sa.select(sa.func.count()).select_from(log).where(log.c.signature.is_(None))
    )
    if unsigned:
        raise RuntimeError(
            f"{unsigned} log rows are unsigned: run `nettungen registry key generate` with the "
            "release before this one, which signs them, then upgrade again."
        )
    with op.batch_alter_table("publication_log") as batch:
        batch.alter_column("key_id", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("signature", existing_type=sa.String(length=128), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("publication_log") as batch:
        batch.alter_column("signature", existing_type=sa.String(length=128), nullable=True)
        batch.alter_column("key_id", existing_type=sa.String(length=64), nullable=True)
