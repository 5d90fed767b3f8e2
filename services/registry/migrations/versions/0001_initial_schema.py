"""Initial schema: organisations, users, offers, duties, audit; the publication log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import JSONType, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(op.f("ix_login_failures_at"), "login_failures", ["at"])
    op.create_index(op.f("ix_login_failures_email"), "login_failures", ["email"])
    op.create_index(op.f("ix_login_failures_remote_addr"), "login_failures", ["remote_addr"])

    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_number", sa.String(length=9), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("home_area", sa.String(length=64), nullable=False),
        sa.Column("membership_status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint(
            "organisation_number", name=op.f("uq_organisations_organisation_number")
        ),
    )
    op.create_table(
        "statutory_duties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", JSONType, nullable=False),
        sa.Column("description", JSONType, nullable=False),
        sa.Column("law_short", sa.String(length=200), nullable=False),
        sa.Column("law_title", sa.String(length=300), nullable=False),
        sa.Column("law_id", sa.String(length=40), nullable=False),
        sa.Column("law_url", sa.String(length=300), nullable=True),
        sa.Column("section", sa.String(length=200), nullable=False),
        sa.Column("section_url", sa.String(length=300), nullable=True),
        sa.Column("applies_to", JSONType, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statutory_duties")),
        sa.UniqueConstraint("code", name=op.f("uq_statutory_duties_code")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("is_node_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_login_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_agencies_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["agencies.id"], name=op.f("fk_agencies_parent_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint(
            "organisation_id", "name", name=op.f("uq_agencies_organisation_id_name")
        ),
        sa.UniqueConstraint("public_id", name=op.f("uq_agencies_public_id")),
    )
    op.create_index(op.f("ix_agencies_organisation_id"), "agencies", ["organisation_id"])

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_api_tokens_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("public_id", name=op.f("uq_api_tokens_public_id")),
    )
    op.create_index(op.f("ix_api_tokens_organisation_id"), "api_tokens", ["organisation_id"])
    op.create_index(op.f("ix_api_tokens_user_id"), "api_tokens", ["user_id"])

    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("changes", JSONType, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["users.id"], name=op.f("fk_audit_entries_actor_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_audit_entries_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_organisation_id"), "audit_entries", ["organisation_id"])
    op.create_index("ix_audit_entries_target", "audit_entries", ["target_type", "target_id"])

    op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("roles", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_memberships_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "user_id", "organisation_id", name=op.f("uq_memberships_user_id_organisation_id")
        ),
    )
    op.create_index(op.f("ix_memberships_organisation_id"), "memberships", ["organisation_id"])
    op.create_index(op.f("ix_memberships_user_id"), "memberships", ["user_id"])

    op.create_table(
        "membership_agencies",
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_membership_agencies_agency_id_agencies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["membership_id"],
            ["memberships.id"],
            name=op.f("fk_membership_agencies_membership_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("membership_id", "agency_id", name=op.f("pk_membership_agencies")),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("uri", sa.String(length=500), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("return_comment", sa.Text(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("contact", JSONType, nullable=False),
        sa.Column("responsible_role", sa.String(length=200), nullable=True),
        sa.Column("locations", JSONType, nullable=False),
        sa.Column("schedule", sa.Text(), nullable=True),
        sa.Column("access", sa.String(length=20), nullable=False),
        sa.Column("free_of_charge", sa.Boolean(), nullable=False),
        sa.Column("cost_description", sa.Text(), nullable=True),
        sa.Column("languages", JSONType, nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("age_min", sa.Integer(), nullable=False),
        sa.Column("age_max", sa.Integer(), nullable=False),
        sa.Column("audiences", JSONType, nullable=False),
        sa.Column("risk_groups", JSONType, nullable=False),
        sa.Column("diagnosis_groups", JSONType, nullable=False),
        sa.Column("staff_fte", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("budget_nok", sa.BigInteger(), nullable=True),
        sa.Column("user_participation", sa.Boolean(), nullable=False),
        sa.Column("evaluated", sa.Boolean(), nullable=False),
        sa.Column("evaluation_description", sa.Text(), nullable=True),
        sa.Column("good_practice", sa.Boolean(), nullable=False),
        sa.Column("evidence_based", sa.Boolean(), nullable=False),
        sa.Column("measure_status", sa.String(length=20), nullable=False),
        sa.Column("guides", JSONType, nullable=False),
        sa.Column("coverage", JSONType, nullable=False),
        sa.Column("review_interval_months", sa.Integer(), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_offers_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_offers_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("uri", name=op.f("uq_offers_uri")),
    )
    op.create_index(op.f("ix_offers_agency_id"), "offers", ["agency_id"])
    op.create_index(op.f("ix_offers_organisation_id"), "offers", ["organisation_id"])
    op.create_index(op.f("ix_offers_status"), "offers", ["status"])

    op.create_table(
        "offer_duties",
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["duty_id"],
            ["statutory_duties.id"],
            name=op.f("fk_offer_duties_duty_id_statutory_duties"),
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offers.id"],
            name=op.f("fk_offer_duties_offer_id_offers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("offer_id", "duty_id", name=op.f("pk_offer_duties")),
    )
    op.create_table(
        "offer_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_offer_versions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_offer_versions_offer_id_offers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_versions")),
        sa.UniqueConstraint("offer_id", "version", name=op.f("uq_offer_versions_offer_id_version")),
    )
    op.create_index(op.f("ix_offer_versions_offer_id"), "offer_versions", ["offer_id"])

    op.create_table(
        "publication_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("offer_uri", sa.String(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("organisation_number", sa.String(length=9), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_publication_log")),
        sa.UniqueConstraint("event_id", name=op.f("uq_publication_log_event_id")),
        sa.UniqueConstraint(
            "offer_uri", "version", name=op.f("uq_publication_log_offer_uri_version")
        ),
    )
    op.create_index(op.f("ix_publication_log_offer_uri"), "publication_log", ["offer_uri"])
    op.create_index(
        op.f("ix_publication_log_organisation_number"), "publication_log", ["organisation_number"]
    )

    head = op.create_table(
        "publication_log_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_log_head")),
    )
    # The single head row: the publishing transaction increments it to take a sequence number.
    op.bulk_insert(head, [{"id": 1, "last_seq": 0}])
    op.create_table(
        "published_offers",
        sa.Column("offer_uri", sa.String(length=500), nullable=False),
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("organisation_number", sa.String(length=9), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("log_seq", sa.BigInteger(), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("offer_uri", name=op.f("pk_published_offers")),
        sa.UniqueConstraint("offer_id", name=op.f("uq_published_offers_offer_id")),
    )
    op.create_index(
        op.f("ix_published_offers_organisation_number"), "published_offers", ["organisation_number"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_published_offers_organisation_number"), table_name="published_offers")

    op.drop_table("published_offers")
    op.drop_table("publication_log_head")
    op.drop_index(op.f("ix_publication_log_organisation_number"), table_name="publication_log")
    op.drop_index(op.f("ix_publication_log_offer_uri"), table_name="publication_log")

    op.drop_table("publication_log")
    op.drop_index(op.f("ix_offer_versions_offer_id"), table_name="offer_versions")

    op.drop_table("offer_versions")
    op.drop_table("offer_duties")
    op.drop_index(op.f("ix_offers_status"), table_name="offers")
    op.drop_index(op.f("ix_offers_organisation_id"), table_name="offers")
    op.drop_index(op.f("ix_offers_agency_id"), table_name="offers")

    op.drop_table("offers")
    op.drop_table("membership_agencies")
    op.drop_index(op.f("ix_memberships_user_id"), table_name="memberships")
    op.drop_index(op.f("ix_memberships_organisation_id"), table_name="memberships")

    op.drop_table("memberships")
    op.drop_index("ix_audit_entries_target", table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_organisation_id"), table_name="audit_entries")

    op.drop_table("audit_entries")
    op.drop_index(op.f("ix_api_tokens_user_id"), table_name="api_tokens")
    op.drop_index(op.f("ix_api_tokens_organisation_id"), table_name="api_tokens")

    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_agencies_organisation_id"), table_name="agencies")

    op.drop_table("agencies")
    op.drop_table("users")
    op.drop_table("statutory_duties")
    op.drop_table("organisations")
    op.drop_index(op.f("ix_login_failures_remote_addr"), table_name="login_failures")
    op.drop_index(op.f("ix_login_failures_email"), table_name="login_failures")
    op.drop_index(op.f("ix_login_failures_at"), table_name="login_failures")

    op.drop_table("login_failures")
