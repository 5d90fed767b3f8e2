"""How many places each indexed version has, for the HSDS listing of services at places.

``indexed_offers.place_count`` is the number of HSDS locations of the version (its distinct
places, as ``shared.hsds.places`` made them when this was written: frozen below as
``_places``, since a migration must not change with the code), written with the row by the
sink and the bulk loader: ``/service_at_locations?near=`` counts its links as a sum over the
matching rows instead of reading every matching document. Rows indexed before are counted from their
stored documents here.

``offer_places.linked`` says which of an offer's places with a point is the one its HSDS
location keeps (a place given twice is one location): ``/service_at_locations?near=`` lists
and counts only those, so its totals and pages agree. Existing rows are filled from the
stored documents too.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

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
    op.add_column(
        "offer_places",
        sa.Column("linked", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    connection = op.get_bind()
    offers = sa.table("indexed_offers", sa.column("id"), sa.column("place_count"))
    points = sa.table(
        "offer_places", sa.column("offer_pk"), sa.column("position"), sa.column("linked")
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
        counts, unlinked = [], []
        for offer_pk, document in batch:
            count, others = _count(document)
            counts.append({"pk": offer_pk, "count": count})
            unlinked += [{"pk": offer_pk, "pos": position} for position in others]
        connection.execute(
            offers.update()
            .where(offers.c.id == sa.bindparam("pk"))
            .values(place_count=sa.bindparam("count")),
            counts,
        )
        if unlinked:
            connection.execute(
                points.update()
                .where(
                    points.c.offer_pk == sa.bindparam("pk"),
                    points.c.position == sa.bindparam("pos"),
                )
                .values(linked=False),
                unlinked,
            )
        last = batch[-1][0]


def _places(version: Any) -> list[Any]:
    """The distinct places of a stored version, in its order: as ``shared.hsds.places`` of
    2026-12-07, one per HSDS location id (the provider, the name, the street address and the
    postcode; the point left out), the first of them with a point."""
    orgnr = version["provider"]["organisation_number"]
    found: dict[tuple[str, str, str, str], Any] = {}
    for place in version["locations"]:
        key = (
            orgnr,
            place["name"],
            place.get("street_address") or "",
            place.get("postal_code") or "",
        )
        known = found.get(key)
        if known is None or (known.get("latitude") is None and place.get("latitude") is not None):
            found[key] = place
    return list(found.values())


def _count(document: str) -> tuple[int, list[int]]:
    """The places of a stored version, and the positions of its places that are not the one
    their HSDS location keeps; one an older version of this service indexed without the
    fields the HSDS mapping reads counts its listed places, each its own."""
    version = json.loads(document)
    try:
        kept = {id(place) for place in _places(version)}
    except (KeyError, TypeError, AttributeError):
        locations = version.get("locations") if isinstance(version, dict) else None
        return (len(locations) if isinstance(locations, list) else 0), []
    others = [i for i, place in enumerate(version["locations"]) if id(place) not in kept]
    return len(kept), others


def downgrade() -> None:
    op.drop_column("offer_places", "linked")
    op.drop_column("indexed_offers", "place_count")
