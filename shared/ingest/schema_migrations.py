"""The ingest tables' (:mod:`shared.ingest.models`) schema steps, for the Alembic revisions of
every service that keeps them (search, reporting).

Frozen: a released step never changes, because revisions already applied somewhere call it
and must keep doing what they did. A change to the ingest tables is a new step here (for
example ``upgrade_ingest_tables_v2``), called from a new revision of each service; the steps
below stay as they are. They depend only on Alembic, SQLAlchemy and the column types of
:mod:`shared.db`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

# Dropped children first.
_TABLES_V1 = (
    "rejected_events",
    "harvest_cursors",
    "ingested_offers",
    "federation_node_organisations",
    "federation_node_keys",
    "federation_nodes",
)


def create_ingest_tables_v1() -> None:
    """Step 1: the trusted nodes, their keys and organisations, what was applied of each
    offer, the harvest cursors and the rejected events."""
    _create_nodes()
    _create_node_keys()
    _create_node_organisations()
    _create_ingested_offers()
    _create_harvest_cursors()
    _create_rejected_events()


def drop_ingest_tables_v1() -> None:
    """Step 1 undone."""
    for table in _TABLES_V1:
        op.drop_table(table)


def _node_reference(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["node_id"],
        ["federation_nodes.id"],
        name=op.f(f"fk_{table}_node_id_federation_nodes"),
        ondelete="CASCADE",
    )


def _create_nodes() -> None:
    op.create_table(
        "federation_nodes",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=False),
        sa.Column("transport", sa.String(length=8), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("keys_fetched_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_nodes")),
        sa.UniqueConstraint("base_url", name=op.f("uq_federation_nodes_base_url")),
    )


def _create_node_keys() -> None:
    op.create_table(
        "federation_node_keys",
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=True),
        _node_reference("federation_node_keys"),
        sa.PrimaryKeyConstraint("node_id", "key_id", name=op.f("pk_federation_node_keys")),
    )


def _create_node_organisations() -> None:
    op.create_table(
        "federation_node_organisations",
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_number", sa.String(length=9), nullable=False),
        _node_reference("federation_node_organisations"),
        sa.PrimaryKeyConstraint(
            "node_id", "organisation_number", name=op.f("pk_federation_node_organisations")
        ),
    )
    op.create_index(
        op.f("ix_federation_node_organisations_organisation_number"),
        "federation_node_organisations",
        ["organisation_number"],
    )


def _create_ingested_offers() -> None:
    op.create_table(
        "ingested_offers",
        sa.Column("offer_uri", sa.String(length=500), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("offer_uri", name=op.f("pk_ingested_offers")),
    )
    op.create_index(op.f("ix_ingested_offers_node_id"), "ingested_offers", ["node_id"])


def _create_harvest_cursors() -> None:
    op.create_table(
        "harvest_cursors",
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.Column("root_etag", sa.String(length=200), nullable=True),
        sa.Column("harvested_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _node_reference("harvest_cursors"),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_harvest_cursors")),
    )


def _create_rejected_events() -> None:
    op.create_table(
        "rejected_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("event_id", sa.String(length=100), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_events")),
    )
    op.create_index(op.f("ix_rejected_events_received_at"), "rejected_events", ["received_at"])


_KEY_COLUMNS_V2 = ("missing_since", "trusted_at", "trusted_by", "first_seen_at", "state")


def upgrade_ingest_tables_v2() -> None:
    """Step 2: pinned keys (a key's state, who trusted it when, since when the node's JWKS no
    longer lists it), each applied offer's ``published_at``, and the versions applied from the
    bus not yet seen in the node's feed, and the organisations' canonical names and kinds.
    Keys already in the directory stay trusted."""
    with op.batch_alter_table("federation_node_keys") as batch:
        batch.add_column(
            sa.Column("state", sa.String(length=8), nullable=False, server_default="trusted")
        )
        batch.add_column(sa.Column("first_seen_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("trusted_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("trusted_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("missing_since", UTCDateTime(), nullable=True))
    with op.batch_alter_table("federation_node_keys") as batch:
        batch.alter_column("state", server_default=None)
    with op.batch_alter_table("ingested_offers") as batch:
        batch.add_column(sa.Column("published_at", UTCDateTime(), nullable=True))
    op.create_table(
        "bus_versions",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("offer_uri", sa.String(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_bus_versions")),
    )
    op.create_index(op.f("ix_bus_versions_node_id"), "bus_versions", ["node_id"])
    with op.batch_alter_table("federation_node_organisations") as batch:
        batch.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("kind", sa.String(length=20), nullable=True))


def downgrade_ingest_tables_v2() -> None:
    """Step 2 undone."""
    op.drop_table("bus_versions")
    with op.batch_alter_table("federation_node_organisations") as batch:
        batch.drop_column("kind")
        batch.drop_column("name")
    with op.batch_alter_table("ingested_offers") as batch:
        batch.drop_column("published_at")
    with op.batch_alter_table("federation_node_keys") as batch:
        for column in _KEY_COLUMNS_V2:
            batch.drop_column(column)


def create_redactions_table_v3() -> None:
    """Step 3: the offers whose personal contact data their node redacted, and how far."""
    op.create_table(
        "offer_redactions",
        sa.Column("offer_uri", sa.String(length=500), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("through_version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("redacted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("offer_uri", name=op.f("pk_offer_redactions")),
    )
    op.create_index(op.f("ix_offer_redactions_node_id"), "offer_redactions", ["node_id"])


def drop_redactions_table_v3() -> None:
    """Step 3 undone."""
    op.drop_table("offer_redactions")


def upgrade_ingest_tables_v4() -> None:
    """Step 4: refusals found by node (a feed's) and by source (the bus's), so one node's
    status is counted without reading every node's refusals."""
    op.create_index(op.f("ix_rejected_events_node_id"), "rejected_events", ["node_id"])
    op.create_index(op.f("ix_rejected_events_source"), "rejected_events", ["source"])


def downgrade_ingest_tables_v4() -> None:
    """Step 4 undone."""
    op.drop_index(op.f("ix_rejected_events_source"), table_name="rejected_events")
    op.drop_index(op.f("ix_rejected_events_node_id"), table_name="rejected_events")
