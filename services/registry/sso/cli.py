"""``nettungen registry idp ...``: identity providers and the domains organisations accept
through them, for the operator (a node administrator at the command line)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from services.registry.accounts.permissions import Actor
from services.registry.sso import services as sso
from services.registry.sso.schemas import (
    CLIENT_AUTH_METHODS,
    DomainCreateSchema,
    ProviderCreateSchema,
)
from shared.cli import PassContext, ServiceContext

Validated = Callable[[Any, dict[str, Any]], dict[str, Any]]
OPERATOR = Actor.operator()


def add_sso_commands(group: click.Group, pass_context: PassContext, validated: Validated) -> None:
    """Add ``idp add|list|remove|domain|undomain`` to the registry's commands."""

    @group.group("idp")
    def idp_group() -> None:
        """Identity providers (OpenID Connect) people log in through."""

    _add_provider_command(idp_group, pass_context, validated)
    _add_listing_commands(idp_group, pass_context)
    _add_domain_commands(idp_group, pass_context, validated)


def _add_provider_command(
    idp_group: click.Group, pass_context: PassContext, validated: Validated
) -> None:
    @idp_group.command("add")
    @click.argument("public_id")
    @click.option("--name", required=True, help="Shown on the button: “Logg inn med …”.")
    @click.option("--issuer", required=True, help="Exactly as the provider names itself.")
    @click.option(
        "--discovery-url", default="", help="Default: <issuer>/.well-known/openid-configuration."
    )
    @click.option("--client-id", required=True)
    @click.option(
        "--client-auth", type=click.Choice(CLIENT_AUTH_METHODS), default="client_secret_basic"
    )
    @click.option(
        "--secret-ref",
        required=True,
        help="env:NAME or file:/path holding the client secret (or the PEM private key "
        "for private_key_jwt); the secret itself is never stored.",
    )
    @click.option("--key-id", default="", help="kid of the private key (private_key_jwt).")
    @click.option("--scopes", default="openid email profile", show_default=True)
    @click.option("--acr-values", default="", help="Required levels, space-separated.")
    @click.option("--email-claim", default="email", show_default=True)
    @click.option(
        "--trust-email", is_flag=True, help="The provider vouches for every address it gives."
    )
    @pass_context
    def idp_add(ctx: ServiceContext, public_id: str, **options: Any) -> None:
        """Add an identity provider."""
        data = validated(ProviderCreateSchema(), {"public_id": public_id, **options})
        with ctx.transaction() as session:
            provider = sso.create_provider(session, OPERATOR, data)
            click.echo(f"Added identity provider {provider.public_id} ({provider.issuer}).")


def _add_listing_commands(idp_group: click.Group, pass_context: PassContext) -> None:
    @idp_group.command("list")
    @pass_context
    def idp_list(ctx: ServiceContext) -> None:
        """Every provider, removed ones too, with the domains accepted through it."""
        with ctx.transaction() as session:
            for provider in sso.list_providers(session, include_removed=True):
                state = "removed" if provider.removed_at else "active"
                click.echo(f"{provider.public_id}  {state:<7}  {provider.issuer}  {provider.name}")
                for domain in provider.domains:
                    joining = "  (joins as reader)" if domain.self_join else ""
                    orgnr = domain.organisation.organisation_number
                    click.echo(f"    {domain.id}  {orgnr}  {domain.domain}{joining}")

    @idp_group.command("remove")
    @click.argument("public_id")
    @pass_context
    def idp_remove(ctx: ServiceContext, public_id: str) -> None:
        """Remove a provider: its people are refused from now on."""
        with ctx.transaction() as session:
            sso.remove_provider(session, OPERATOR, sso.get_provider(session, public_id))
            click.echo(f"Removed identity provider {public_id}.")


def _add_domain_commands(
    idp_group: click.Group, pass_context: PassContext, validated: Validated
) -> None:
    @idp_group.command("domain")
    @click.argument("public_id")
    @click.argument("orgnr")
    @click.argument("domain")
    @pass_context
    def idp_domain(ctx: ServiceContext, public_id: str, orgnr: str, domain: str) -> None:
        """Let organisation ORGNR accept e-mail DOMAIN through the provider."""
        data = validated(DomainCreateSchema(), {"organisation_number": orgnr, "domain": domain})
        with ctx.transaction() as session:
            provider = sso.get_provider(session, public_id)
            found = sso.add_domain(session, OPERATOR, provider, data)
            click.echo(f"{orgnr} accepts {found.domain} through {public_id} (domain {found.id}).")

    @idp_group.command("undomain")
    @click.argument("public_id")
    @click.argument("domain_id", type=int)
    @pass_context
    def idp_undomain(ctx: ServiceContext, public_id: str, domain_id: int) -> None:
        """Stop accepting a domain (by the id `idp list` shows)."""
        with ctx.transaction() as session:
            sso.remove_domain(session, OPERATOR, sso.get_provider(session, public_id), domain_id)
            click.echo(f"Domain {domain_id} is no longer accepted through {public_id}.")
