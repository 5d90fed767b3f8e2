"""The points of offers' places, for search by distance (issue 23).

``offer_places`` holds one row per place with a point; a B-tree on (latitude, longitude)
serves the bounding box on every database. On PostgreSQL the contrib extensions ``cube`` and
``earthdistance`` give a GiST index on ``ll_to_earth(latitude, longitude)``, which finds the
points within a radius without reading the rest. Offers already indexed get their points
from their stored documents.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from shared.db import BIG_ID

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

EARTH_INDEX = "ix_offer_places_earth"
_BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "offer_places",
        sa.Column("offer_pk", BIG_ID, nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_pk"],
            ["indexed_offers.id"],
            name=op.f("fk_offer_places_offer_pk_indexed_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offer_pk", "position", name=op.f("pk_offer_places")),
    )
    op.create_index(op.f("ix_offer_places_offer_pk"), "offer_places", ["offer_pk"])
    op.create_index("ix_offer_places_latitude_longitude", "offer_places", ["latitude", "longitude"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS cube")
        op.execute("CREATE EXTENSION IF NOT EXISTS earthdistance")
        op.execute(
            f"CREATE INDEX {EARTH_INDEX} ON offer_places "
            "USING gist (ll_to_earth(latitude, longitude))"
        )
    _points_of_indexed_offers()


def _points_of_indexed_offers() -> None:
    """The places of the offers indexed before this revision, read from their documents."""
    connection = op.get_bind()
    places = sa.table(
        "offer_places",
        sa.column("offer_pk"),
        sa.column("position"),
        sa.column("latitude"),
        sa.column("longitude"),
    )
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
        rows = [
            {"offer_pk": offer_pk, "position": position, "latitude": lat, "longitude": lon}
            for offer_pk, document in batch
            for position, lat, lon in _points(document)
        ]
        if rows:
            connection.execute(sa.insert(places), rows)
        last = batch[-1][0]


def _points(document: str) -> list[tuple[int, float, float]]:
    # Stored documents are the nodes' data as signed; one indexed by an older version of this
    # service was not checked for points, so only valid ones are taken.
    locations = json.loads(document).get("locations") or []
    return [
        (position, float(place["latitude"]), float(place["longitude"]))
        for position, place in enumerate(locations)
        if isinstance(place, dict)
        and _degrees(place.get("latitude"), 90)
        and _degrees(place.get("longitude"), 180)
    ]


def _degrees(value: object, limit: float) -> bool:
    # NaN and the infinities fail the comparison.
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and -limit <= value <= limit
    )


def downgrade() -> None:
    # The extensions stay: other databases' objects may use them, and they cost nothing.
    op.drop_table("offer_places")
