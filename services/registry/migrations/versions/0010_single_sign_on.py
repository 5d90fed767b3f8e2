"""Single sign-on: identity providers, the e-mail domains organisations accept through them,
the provider subjects bound to accounts, and the ID token of each browser session begun
through a provider (for logging out there too).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _providers() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("discovery_url", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_auth", sa.String(length=30), nullable=False),
        sa.Column("secret_ref", sa.String(length=500), nullable=False),
        sa.Column("key_id", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.String(length=500), nullable=False),
        sa.Column("acr_values", sa.String(length=500), nullable=False),
        sa.Column("email_claim", sa.String(length=100), nullable=False),
        sa.Column("trust_email", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_providers")),
        sa.UniqueConstraint("public_id", name=op.f("uq_identity_providers_public_id")),
    )


def _domains() -> None:
    op.create_table(
        "identity_provider_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("self_join", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_providers.id"],
            name=op.f("fk_identity_provider_domains_provider_id_identity_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_identity_provider_domains_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_provider_domains")),
        sa.UniqueConstraint(
            "provider_id",
            "organisation_id",
            "domain",
            name=op.f("uq_identity_provider_domains_provider_id_organisation_id_domain"),
        ),
    )
    for column in ("provider_id", "organisation_id"):
        op.create_index(
            op.f(f"ix_identity_provider_domains_{column}"), "identity_provider_domains", [column]
        )


def _identities() -> None:
    op.create_table(
        "account_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_login_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_providers.id"],
            name=op.f("fk_account_identities_provider_id_identity_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_identities")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_account_identities_issuer_subject")),
    )
    for column in ("user_id", "provider_id"):
        op.create_index(op.f(f"ix_account_identities_{column}"), "account_identities", [column])


def _logins() -> None:
    op.create_table(
        "identity_provider_logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("browser_session_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.Column("multi_factor", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["browser_session_id"],
            ["browser_sessions.id"],
            name=op.f("fk_identity_provider_logins_browser_session_id_browser_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["identity_providers.id"],
            name=op.f("fk_identity_provider_logins_provider_id_identity_providers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_provider_logins")),
        sa.UniqueConstraint(
            "browser_session_id", name=op.f("uq_identity_provider_logins_browser_session_id")
        ),
    )
    op.create_index(
        op.f("ix_identity_provider_logins_provider_id"), "identity_provider_logins", ["provider_id"]
    )


def upgrade() -> None:
    _providers()
    _domains()
    _identities()
    _logins()


def downgrade() -> None:
    op.drop_table("identity_provider_logins")
    op.drop_table("account_identities")
    op.drop_table("identity_provider_domains")
    op.drop_table("identity_providers")
