"""The reason an offer has no way to get in touch is a code (vocab.NO_CONTACT_REASONS), no
longer free text: free text there got no personal-data warning and could not be redacted.
A working copy holding text from before is cleared (the registrar chooses a code when the offer
is next edited, and publishing asks for one if the offer is otherwise unreachable); its text
stays in the versions already published until a redaction removes it. The column keeps its
type. Nothing to undo: the text is not kept.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# The codes as this revision knows them (a later change to the vocabulary has its own).
CODES = ("anonymous_drop_in", "outreach", "referral_only", "by_decision", "via_school", "protected")


def upgrade() -> None:
    offers = sa.table("offers", sa.column("no_contact_reason", sa.String(500)))
    op.execute(
        offers.update()
        .where(offers.c.no_contact_reason.is_not(None), offers.c.no_contact_reason.not_in(CODES))
        .values(no_contact_reason=None)
    )


def downgrade() -> None:
    """The cleared text is gone; codes are valid text for 0012."""
