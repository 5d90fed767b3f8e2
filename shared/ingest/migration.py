"""The ingest tables (:mod:`shared.ingest.models`) for the migrations of each service that
keeps them: one definition, called from that service's own Alembic revision."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime


def create_ingest_tables() -> None:
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
    op.create_table(
        "federation_node_keys",
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["federation_nodes.id"],
            name=op.f("fk_federation_node_keys_node_id_federation_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("node_id", "key_id", name=op.f("pk_federation_node_keys")),
    )
    op.create_table(
        "federation_node_organisations",
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("organisation_number", sa.String(length=9), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["federation_nodes.id"],
            name=op.f("fk_federation_node_organisations_node_id_federation_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "node_id", "organisation_number", name=op.f("pk_federation_node_organisations")
        ),
    )
    op.create_index(
        op.f("ix_federation_node_organisations_organisation_number"),
        "federation_node_organisations",
        ["organisation_number"],
    )
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
    op.create_table(
        "harvest_cursors",
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
        sa.Column("root_etag", sa.String(length=200), nullable=True),
        sa.Column("harvested_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["federation_nodes.id"],
            name=op.f("fk_harvest_cursors_node_id_federation_nodes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_harvest_cursors")),
    )
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


def drop_ingest_tables() -> None:
    for table in (
        "rejected_events",
        "harvest_cursors",
        "ingested_offers",
        "federation_node_organisations",
        "federation_node_keys",
        "federation_nodes",
    ):
        op.drop_table(table)
