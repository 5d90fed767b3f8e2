"""National search at scale: facet values in one narrow index, and a count of index changes.

``facet_terms`` holds the offer's ``offer_terms`` as ``facet:code`` words separated by spaces
(``"risk_group:bullying audience:parents"``), written with the row by the sink and the bulk
loader. Counting the facets of a search then reads one index (PostgreSQL: an index-only scan
of ``ix_indexed_offers_facet_counts``, ordered by id, every facet column included) instead of
joining ``offer_terms`` row by row; ``offer_terms`` stays what filters use.

On PostgreSQL the rows of ``indexed_offers`` are made narrow: a row longer than 1 kB keeps its
long texts (the version document, 1.5 kB on average, the description and keywords) out of
line, but its ``tsvector`` in line (storage ``MAIN``), so a search that reads the words of
many offers reads a third of the pages it did. Rows are laid out so when written: a bulk load
or republication does it, or ``VACUUM FULL indexed_offers`` for an existing index.

``index_changes`` is one row counting the transactions that changed what search answers
(publication, withdrawal, redaction, a bulk load) in a random epoch, new with every database
made: the search API's ``ETag`` is made of both (``services.search.index.changes``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INCLUDED = "level, category, provider_kind, free_of_charge, statutory, facet_terms"


def upgrade() -> None:
    op.create_table(
        "index_changes",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_index_changes")),
    )
    op.execute(
        sa.text("INSERT INTO index_changes (id, epoch, changes) VALUES (1, :epoch, 0)").bindparams(
            epoch=uuid.uuid4().hex[:16]
        )
    )
    op.add_column(
        "indexed_offers",
        sa.Column("facet_terms", sa.Text(), nullable=False, server_default=""),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    # The words in code-point order, as the sink writes them. PostgreSQL orders the aggregate
    # itself; SQLite's group_concat promises no order (an ORDER BY inside it needs SQLite 3.44),
    # but concatenates the rows of a subquery in the order it sorted them, which is what it does
    # here. Only the order of the words differs if ever it did not, and no count depends on it.
    term = "facet || ':' || code" + (' COLLATE "C"' if postgresql else "")
    aggregate = "string_agg(t, ' ' ORDER BY t)" if postgresql else "group_concat(t, ' ')"
    op.execute(
        f"UPDATE indexed_offers SET facet_terms = coalesce((SELECT {aggregate} FROM "  # noqa: S608
        f"(SELECT {term} AS t FROM offer_terms WHERE offer_terms.offer_pk = indexed_offers.id "
        "ORDER BY t) AS terms), '')"
    )
    if postgresql:
        op.execute("ALTER TABLE indexed_offers SET (toast_tuple_target = 1024)")
        op.execute("ALTER TABLE indexed_offers ALTER COLUMN search_vector SET STORAGE MAIN")
        op.execute(
            "CREATE INDEX ix_indexed_offers_facet_counts ON indexed_offers (id) "
            f"INCLUDE ({INCLUDED})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_indexed_offers_facet_counts")
        op.execute("ALTER TABLE indexed_offers ALTER COLUMN search_vector SET STORAGE EXTENDED")
        op.execute("ALTER TABLE indexed_offers RESET (toast_tuple_target)")
    op.drop_column("indexed_offers", "facet_terms")
    op.drop_table("index_changes")
