"""The coordination group's workspace: members, mandate checklist, the method's six steps,
focus areas/plans/projects linked to offers, minutes, milestones, the yearly cycle and the
answers to the assessment questions of step 5.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Every table of the workspace below the group itself.
ITEM_TABLES = (
    "coordination_members",
    "mandate_items",
    "method_steps",
    "initiatives",
    "meetings",
    "milestones",
    "cycle_events",
    "assessment_answers",
)


def _item_table(name: str, *columns: sa.Column, extra: tuple = ()) -> None:
    """A table that belongs to one workspace: its id, its group, then its own columns."""
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["coordination_groups.id"],
            name=op.f(f"fk_{name}_group_id_coordination_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        *extra,
    )
    op.create_index(op.f(f"ix_{name}_group_id"), name, ["group_id"])


def upgrade() -> None:
    op.create_table(
        "coordination_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mandate", sa.Text(), nullable=True),
        sa.Column("established_on", sa.Date(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_coordination_groups_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_groups")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_coordination_groups_organisation_id")),
    )
    _item_table(
        "coordination_members",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("group_role", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("represents", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        extra=(
            sa.ForeignKeyConstraint(
                ["agency_id"],
                ["agencies.id"],
                name=op.f("fk_coordination_members_agency_id_agencies"),
                ondelete="SET NULL",
            ),
        ),
    )
    _item_table(
        "mandate_items",
        sa.Column("method_key", sa.String(length=60), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    _item_table(
        "method_steps",
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=True),
        extra=(
            sa.UniqueConstraint("group_id", "step", name=op.f("uq_method_steps_group_id_step")),
        ),
    )
    _item_table(
        "initiatives",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
    )
    op.create_table(
        "initiative_offers",
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_initiative_offers_initiative_id_initiatives"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offers.id"],
            name=op.f("fk_initiative_offers_offer_id_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("initiative_id", "offer_id", name=op.f("pk_initiative_offers")),
    )
    _item_table(
        "meetings",
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=True),
    )
    _item_table(
        "milestones",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
    )
    _item_table(
        "cycle_events",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
    )
    _item_table(
        "assessment_answers",
        sa.Column("question_key", sa.String(length=60), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        extra=(
            sa.UniqueConstraint(
                "group_id",
                "question_key",
                name=op.f("uq_assessment_answers_group_id_question_key"),
            ),
        ),
    )


def downgrade() -> None:
    op.drop_table("initiative_offers")
    for name in reversed(ITEM_TABLES):
        op.drop_index(op.f(f"ix_{name}_group_id"), table_name=name)
        op.drop_table(name)
    op.drop_table("coordination_groups")
