"""The version history (every version of every offer, with its coverage and terms) and the
ingest tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.ingest.schema_migrations import create_ingest_tables_v1, drop_ingest_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    create_ingest_tables_v1()
    op.create_table(
        "offer_versions",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("offer_uri", sa.String(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_sort", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("name_terms", sa.Text(), nullable=False),
        sa.Column("description_terms", sa.Text(), nullable=False),
        sa.Column("provider_orgnr", sa.String(length=9), nullable=False),
        sa.Column("provider_name", sa.String(length=200), nullable=False),
        sa.Column("provider_kind", sa.String(length=20), nullable=False),
        sa.Column("provider_home_area", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.String(length=36), nullable=False),
        sa.Column("agency_name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("age_min", sa.SmallInteger(), nullable=False),
        sa.Column("age_max", sa.SmallInteger(), nullable=False),
        sa.Column("user_participation", sa.Boolean(), nullable=False),
        sa.Column("evaluated", sa.Boolean(), nullable=False),
        sa.Column("good_practice", sa.Boolean(), nullable=False),
        sa.Column("evidence_based", sa.Boolean(), nullable=False),
        sa.Column("measure_status", sa.String(length=20), nullable=False),
        sa.Column("review_interval_months", sa.SmallInteger(), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column("first_published", UTCDateTime(), nullable=False),
        sa.Column("review_due", sa.Date(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_versions")),
        sa.UniqueConstraint(
            "offer_uri", "version", name=op.f("uq_offer_versions_offer_uri_version")
        ),
    )
    op.create_index("ix_offer_versions_valid", "offer_versions", ["valid_from", "valid_to"])
    op.create_index(op.f("ix_offer_versions_valid_to"), "offer_versions", ["valid_to"])
    op.create_index(op.f("ix_offer_versions_provider_orgnr"), "offer_versions", ["provider_orgnr"])
    op.create_table(
        "version_coverage",
        sa.Column("area", sa.String(length=4), nullable=False),
        sa.Column("version_pk", BIG_ID, nullable=False),
        sa.Column("county", sa.String(length=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_pk"],
            ["offer_versions.id"],
            name=op.f("fk_version_coverage_version_pk_offer_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("area", "version_pk", name=op.f("pk_version_coverage")),
    )
    op.create_index(op.f("ix_version_coverage_version_pk"), "version_coverage", ["version_pk"])
    op.create_index(
        "ix_version_coverage_county_version", "version_coverage", ["county", "version_pk"]
    )
    op.create_table(
        "version_terms",
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("version_pk", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["version_pk"],
            ["offer_versions.id"],
            name=op.f("fk_version_terms_version_pk_offer_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("facet", "code", "version_pk", name=op.f("pk_version_terms")),
    )
    op.create_index(op.f("ix_version_terms_version_pk"), "version_terms", ["version_pk"])


def downgrade() -> None:
    op.drop_table("version_terms")
    op.drop_table("version_coverage")
    op.drop_table("offer_versions")
    drop_ingest_tables_v1()
