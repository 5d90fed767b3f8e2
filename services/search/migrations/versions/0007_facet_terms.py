"""Each offer's multi-valued facet values beside its scalar facets, in one narrow index.

``facet_terms`` holds the offer's ``offer_terms`` as ``facet:code`` words separated by spaces
(``"risk_group:bullying audience:parents"``), written with the row by the sink and the bulk
loader. Counting the facets of a search then reads one index (PostgreSQL: an index-only scan
of ``ix_indexed_offers_facet_counts``, ordered by id, every facet column included) instead of
joining ``offer_terms`` row by row; ``offer_terms`` stays what filters use.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INCLUDED = "level, category, provider_kind, free_of_charge, statutory, facet_terms"


def upgrade() -> None:
    op.add_column(
        "indexed_offers",
        sa.Column("facet_terms", sa.Text(), nullable=False, server_default=""),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    # The words in code-point order, as the sink writes them.
    term = "facet || ':' || code" + (' COLLATE "C"' if postgresql else "")
    aggregate = "string_agg(t, ' ' ORDER BY t)" if postgresql else "group_concat(t, ' ')"
    op.execute(
        f"UPDATE indexed_offers SET facet_terms = coalesce((SELECT {aggregate} FROM "  # noqa: S608
        f"(SELECT {term} AS t FROM offer_terms WHERE offer_terms.offer_pk = indexed_offers.id "
        "ORDER BY t) AS terms), '')"
    )
    if postgresql:
        op.execute(
            "CREATE INDEX ix_indexed_offers_facet_counts ON indexed_offers (id) "
            f"INCLUDE ({INCLUDED})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_indexed_offers_facet_counts")
    op.drop_column("indexed_offers", "facet_terms")
