"""Every published offer's HSDS service id, a name-based UUID of its URI.

Service ids are the same everywhere (node, national search, reporting) and bound to the
offer's URI, so no node can claim the id of another node's offer. Existing rows get theirs
computed here.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# shared.hsds.service_id as it was at this revision, frozen here so that the migration does
# what it did whatever becomes of the shared code.
_HSDS_NAMESPACE = uuid.UUID("ac3113f6-8aa9-5ad4-aefd-b169b2838584")


def _service_id(offer_uri: str) -> str:
    name = json.dumps(["service", offer_uri], ensure_ascii=False, separators=(",", ":"))
    return str(uuid.uuid5(_HSDS_NAMESPACE, name))


def upgrade() -> None:
    with op.batch_alter_table("published_offers") as batch:
        batch.add_column(sa.Column("service_id", sa.String(length=36), nullable=True))
    offers = sa.table(
        "published_offers", sa.column("offer_uri", sa.String), sa.column("service_id", sa.String)
    )
    connection = op.get_bind()
    for (uri,) in connection.execute(sa.select(offers.c.offer_uri)).all():
        connection.execute(
            offers.update().where(offers.c.offer_uri == uri).values(service_id=_service_id(uri))
        )
    with op.batch_alter_table("published_offers") as batch:
        batch.alter_column("service_id", existing_type=sa.String(length=36), nullable=False)
        batch.create_unique_constraint(op.f("uq_published_offers_service_id"), ["service_id"])


def downgrade() -> None:
    with op.batch_alter_table("published_offers") as batch:
        batch.drop_constraint(op.f("uq_published_offers_service_id"), type_="unique")
        batch.drop_column("service_id")
