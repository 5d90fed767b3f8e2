"""The search index, its full-text machinery, and the ingest tables.

Full text differs by database. PostgreSQL: the text search configuration
``nettungen_norwegian`` (the ``norwegian`` Snowball stemmer behind ``unaccent``, so "Østersund"
and "ostersund" meet) and a generated, GIN-indexed ``tsvector`` weighting the name (A) over
the description (B) and the keywords (C). SQLite: an FTS5 table whose rowid is the offer's,
holding terms analysed the same way in Python (:mod:`shared.text`).

``name_sort`` is made to be compared byte by byte (æ ø å after z), so on PostgreSQL it has the
``C`` collation whatever the database's locale. An organisation's offers are indexed by
(organisation, publication time, id): its newest version, which names it in the HSDS API, is
one probe.

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
# Byte order on PostgreSQL whatever the database's locale: the sort key is made for it.
NAME_SORT = sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")
TS_CONFIG = "nettungen_norwegian"


def upgrade() -> None:
    create_ingest_tables_v1()
    op.create_table(
        "indexed_offers",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("offer_uri", sa.String(length=500), nullable=False),
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.Column("node_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_sort", NAME_SORT, nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("keywords", sa.Text(), nullable=False),
        sa.Column("provider_orgnr", sa.String(length=9), nullable=False),
        sa.Column("provider_id", sa.String(length=36), nullable=False),
        sa.Column("provider_name", sa.String(length=200), nullable=False),
        sa.Column("provider_kind", sa.String(length=20), nullable=False),
        sa.Column("provider_home_area", sa.String(length=64), nullable=False),
        sa.Column("agency_name", sa.String(length=200), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("access", sa.String(length=20), nullable=False),
        sa.Column("measure_status", sa.String(length=20), nullable=False),
        sa.Column("age_min", sa.SmallInteger(), nullable=False),
        sa.Column("age_max", sa.SmallInteger(), nullable=False),
        sa.Column("free_of_charge", sa.Boolean(), nullable=False),
        sa.Column("statutory", sa.Boolean(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("indexed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indexed_offers")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_indexed_offers_offer_id")),
        sa.UniqueConstraint("offer_uri", name=op.f("uq_indexed_offers_offer_uri")),
    )
    for column in ("node_id", "provider_id", "provider_kind", "level", "category"):
        op.create_index(op.f(f"ix_indexed_offers_{column}"), "indexed_offers", [column])
    op.create_index(op.f("ix_indexed_offers_published_at"), "indexed_offers", ["published_at"])
    op.create_index("ix_indexed_offers_name_sort_id", "indexed_offers", ["name_sort", "id"])
    op.create_index(
        "ix_indexed_offers_provider_newest",
        "indexed_offers",
        ["provider_orgnr", "published_at", "id"],
    )
    op.create_table(
        "offer_coverage",
        sa.Column("area", sa.String(length=4), nullable=False),
        sa.Column("offer_pk", BIG_ID, nullable=False),
        sa.Column("county", sa.String(length=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["offer_pk"],
            ["indexed_offers.id"],
            name=op.f("fk_offer_coverage_offer_pk_indexed_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("area", "offer_pk", name=op.f("pk_offer_coverage")),
    )
    op.create_index(op.f("ix_offer_coverage_offer_pk"), "offer_coverage", ["offer_pk"])
    op.create_index("ix_offer_coverage_county_offer", "offer_coverage", ["county", "offer_pk"])
    op.create_table(
        "offer_terms",
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("offer_pk", BIG_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_pk"],
            ["indexed_offers.id"],
            name=op.f("fk_offer_terms_offer_pk_indexed_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("facet", "code", "offer_pk", name=op.f("pk_offer_terms")),
    )
    op.create_index(op.f("ix_offer_terms_offer_pk"), "offer_terms", ["offer_pk"])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_full_text()
    else:
        op.execute(
            "CREATE VIRTUAL TABLE offer_fts USING fts5("
            "name, description, keywords, tokenize = 'unicode61 remove_diacritics 0')"
        )


def _postgresql_full_text() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {TS_CONFIG} (COPY = pg_catalog.norwegian)")
    op.execute(
        f"ALTER TEXT SEARCH CONFIGURATION {TS_CONFIG} "
        "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, norwegian_stem"
    )
    op.execute(
        "ALTER TABLE indexed_offers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('{TS_CONFIG}', name), 'A') || "
        f"setweight(to_tsvector('{TS_CONFIG}', description), 'B') || "
        f"setweight(to_tsvector('{TS_CONFIG}', keywords), 'C')) STORED"
    )
    op.execute(
        "CREATE INDEX ix_indexed_offers_search_vector ON indexed_offers USING gin (search_vector)"
    )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if not postgresql:
        op.execute("DROP TABLE IF EXISTS offer_fts")
    op.drop_table("offer_terms")
    op.drop_table("offer_coverage")
    op.drop_table("indexed_offers")
    if postgresql:
        op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {TS_CONFIG}")
    drop_ingest_tables_v1()
