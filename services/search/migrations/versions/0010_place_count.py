"""How many places each indexed version has, for the HSDS listing of services at places.

``indexed_offers.place_count`` is the number of HSDS locations of the version (its distinct
places, as ``shared.hsds.places`` makes them), written with the row by the sink and the bulk
loader: ``/service_at_locations?near=`` counts its links as a sum over the matching rows
instead of reading every matching document. Rows indexed before are counted from their
stored documents here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from shared.hsds import places

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    op.add_column(
        "indexed_offers",
        sa.Column("place_count", sa.SmallInteger(), nullable=False, server_default="0"),
    )
    connection = op.get_bind()
    offers = sa.table("indexed_offers", sa.column("id"), sa.column("place_count"))
    last = 0
    while True:
        batch = connection.execute(
            sa.text(
                "SELECT id, document FROM indexed_offers WHERE id > :last ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": _BATCH},
        ).all()
        if not batch:
            return
        counts = [{"pk": offer_pk, "count": _count(document)} for offer_pk, document in batch]
        connection.execute(
            offers.update()
            .where(offers.c.id == sa.bindparam("pk"))
            .values(place_count=sa.bindparam("count")),
            counts,
        )
        last = batch[-1][0]


def _count(document: str) -> int:
    """The places of a stored version; one an older version of this service indexed without
    the fields the HSDS mapping reads counts its listed places."""
    version = json.loads(document)
    try:
        return len(places(version))
    except (KeyError, TypeError, AttributeError):
        locations = version.get("locations") if isinstance(version, dict) else None
        return len(locations) if isinstance(locations, list) else 0


def downgrade() -> None:
    op.drop_column("indexed_offers", "place_count")
