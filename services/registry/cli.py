"""``nettungen registry ...``: the operator's commands for a node's registry."""

from __future__ import annotations

from typing import Any

import click
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import Session

from services.registry import db as registry_db
from services.registry.accounts import services as accounts
from services.registry.accounts.models import User
from services.registry.accounts.permissions import Actor
from services.registry.config import CONFIG
from services.registry.duties import services as duties
from services.registry.mail.cli import add_mail_commands
from services.registry.national.services import National, grant_advice
from services.registry.organisations import services as organisations
from services.registry.organisations.schemas import OrganisationCreateSchema
from services.registry.retention import services as retention
from services.registry.retention.cli import add_retention_command
from services.registry.sso.cli import add_sso_commands
from shared import vocab
from shared.cli import ServiceContext, add_db_commands
from shared.config import describe
from shared.publication import keys
from shared.publication.keys import Signer
from shared.serve import serve_options

OPERATOR = Actor.operator()


class Context(ServiceContext):
    def __init__(self) -> None:
        super().__init__(CONFIG, sqlite_begin="IMMEDIATE")


pass_context = click.make_pass_decorator(Context)


def _validated(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(data)
        return loaded
    except ValidationError as exc:
        lines = "".join(
            f"\n  {k}: {'; '.join(map(str, v))}" for k, v in exc.normalized_messages().items()
        )
        raise click.ClickException("Invalid input:" + lines) from None


@click.group()
@click.pass_context
def registry(click_context: click.Context) -> None:
    """The registry of this node: organisations, users, tokens and the database."""
    context = click_context.ensure_object(Context)
    click_context.call_on_close(context.close)


@registry.command("config")
def show_config() -> None:
    """List every configuration key with its default and meaning."""
    click.echo(describe(CONFIG))


def _upgrade(ctx: Context) -> str:
    registry_db.upgrade(ctx.settings["DATABASE_URL"])
    with ctx.transaction() as session:
        added = duties.seed_catalogue(session, OPERATOR, duties.load_catalogue_file())
    return f"Database is at the newest revision; {added} statutory duties added."


add_db_commands(
    registry,
    pass_context,
    description="Create and upgrade the node database.",
    upgrade=_upgrade,
    upgrade_help="Apply all migrations, then add new seed entries to the statutory-duty catalogue.",
    check=registry_db.check,
)


add_mail_commands(registry, pass_context)
add_retention_command(registry, pass_context)
add_sso_commands(registry, pass_context, _validated)


@registry.group("org")
def org_group() -> None:
    """Member organisations."""


@org_group.command("create")
@click.option("--orgnr", required=True, help="Organisation number, nine digits.")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(vocab.ORGANISATION_KINDS.codes))
@click.option("--home-area", required=True, help="Area code: 3301, 33, bufetat-sor or NO.")
@pass_context
def org_create(ctx: Context, orgnr: str, name: str, kind: str, home_area: str) -> None:
    """Add a member organisation."""
    data = _validated(
        OrganisationCreateSchema(),
        {"organisation_number": orgnr, "name": name, "kind": kind, "home_area": home_area},
    )
    with ctx.transaction() as session:
        org = organisations.create_organisation(session, OPERATOR, data)
        click.echo(f"Created organisation {org.organisation_number} {org.name} ({org.kind}).")
    _echo_grants(ctx, orgnr)


def _echo_grants(ctx: Context, orgnr: str) -> None:
    """The national grants the new organisation needs, for the node's operator to send on."""
    settings = ctx.settings
    reader = National.create(
        settings["NATIONAL_SEARCH_URL"],
        settings["NATIONAL_REPORTING_URL"],
        settings["NATIONAL_TIMEOUT_SECONDS"],
    )
    advice = grant_advice(reader, settings["NODE_BASE_URL"], orgnr)
    if advice.granted:
        click.echo("National search accepts this node's offers for it already.")
        return
    click.echo(
        "Its offers reach national search and reporting only once the national operators "
        "let this node publish for it. Ask them to run:"
    )
    for line in advice.commands:
        click.echo(f"  {line}")
    if advice.node_id is None:
        click.echo("(<node-id>: the id the national directory knows this node by.)")


@org_group.command("list")
@pass_context
def org_list(ctx: Context) -> None:
    with ctx.transaction() as session:
        for org in organisations.list_organisations(session, OPERATOR):
            click.echo(f"{org.organisation_number}  {org.kind:<12}  {org.home_area:<8}  {org.name}")


@registry.group("agency")
def agency_group() -> None:
    """Agencies and sections (etater/seksjoner) inside an organisation."""


@agency_group.command("create")
@click.argument("orgnr")
@click.argument("name")
@click.option("--parent", "parent_id", help="Id of the agency this section belongs to.")
@pass_context
def agency_create(ctx: Context, orgnr: str, name: str, parent_id: str | None) -> None:
    with ctx.transaction() as session:
        org = organisations.get_organisation(session, OPERATOR, orgnr)
        agency = organisations.create_agency(session, OPERATOR, org, name, parent_id)
        click.echo(f"Created agency {agency.public_id} {agency.name}.")


@registry.group("user")
def user_group() -> None:
    """Users and their roles."""


@user_group.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--node-admin", is_flag=True, help="May add organisations and edit the duties.")
@pass_context
def user_create(ctx: Context, email: str, name: str, password: str, node_admin: bool) -> None:
    with ctx.transaction() as session:
        user = accounts.create_user(
            session, OPERATOR, email, name, password, node_admin, must_change_password=True
        )
        click.echo(f"Created user {user.id} {user.email}.")


@user_group.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@pass_context
def user_set_password(ctx: Context, email: str, password: str) -> None:
    with ctx.transaction() as session:
        accounts.set_password(session, OPERATOR, _user(session, email), password, must_change=True)
        click.echo(f"Password set for {email}; their browser sessions are ended.")


@user_group.command("deactivate")
@click.argument("email")
@pass_context
def user_deactivate(ctx: Context, email: str) -> None:
    """Log a user out everywhere and refuse their logins and API tokens (roles are kept)."""
    with ctx.transaction() as session:
        accounts.deactivate_user(session, OPERATOR, _user(session, email))
        click.echo(f"{email} is deactivated.")


@user_group.command("reactivate")
@click.argument("email")
@pass_context
def user_reactivate(ctx: Context, email: str) -> None:
    """Let a deactivated user log in again."""
    with ctx.transaction() as session:
        accounts.reactivate_user(session, OPERATOR, _user(session, email))
        click.echo(f"{email} can log in again.")


@user_group.command("erase")
@click.argument("email")
@pass_context
def user_erase(ctx: Context, email: str) -> None:
    """An erasure request: replace a former member's name and address by a pseudonym now,
    everywhere, rather than after PERSONAL_DATA_RETENTION_DAYS (docs/privacy.md)."""
    with ctx.transaction() as session:
        user = _user(session, email)
        retention.erase_on_request(session, OPERATOR, user)
        click.echo(f"{email} is erased; the audit trail calls them {user.name}.")


@user_group.command("grant")
@click.argument("orgnr")
@click.argument("email")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(vocab.ROLES.codes),
    help="Repeat for several roles.",
)
@click.option("--agency", "agencies", multiple=True, help="Agency id (registrars); repeatable.")
@pass_context
def user_grant(
    ctx: Context, orgnr: str, email: str, roles: tuple[str, ...], agencies: tuple[str, ...]
) -> None:
    """Give an existing user roles in an organisation (replacing the roles they had there)."""
    with ctx.transaction() as session:
        org = organisations.get_organisation(session, OPERATOR, orgnr)
        user = _user(session, email)
        existing = next((m for m in user.memberships if m.organisation_id == org.id), None)
        if existing is None:
            accounts.add_member(
                session, OPERATOR, org, email=email, name=None, roles=roles, agencies=agencies
            )
        else:
            accounts.update_member(session, OPERATOR, existing, roles=roles, agencies=agencies)
        click.echo(f"{email} is {', '.join(roles)} in {org.name}.")


def _user(session: Session, email: str) -> User:
    user = accounts.get_user_by_email(session, email)
    if user is None:
        raise click.ClickException(f"No user with e-mail {email}.")
    return user


@registry.group("token")
def token_group() -> None:
    """Personal API tokens."""


@token_group.command("create")
@click.argument("email")
@click.argument("orgnr")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--expires-in-days", type=click.IntRange(1, 365))
@pass_context
def token_create(
    ctx: Context, email: str, orgnr: str, name: str, expires_in_days: int | None
) -> None:
    """Create a token for a user in one organisation; prints the secret once."""
    with ctx.transaction() as session:
        org = organisations.get_organisation(session, OPERATOR, orgnr)
        issued = accounts.issue_token(
            session, OPERATOR, _user(session, email), org, name, expires_in_days
        )
        click.echo(issued.plaintext)


@token_group.command("revoke")
@click.argument("token_id")
@pass_context
def token_revoke(ctx: Context, token_id: str) -> None:
    with ctx.transaction() as session:
        accounts.revoke_token(session, OPERATOR, token_id)
        click.echo(f"Revoked token {token_id}.")


@registry.group("duty")
def duty_group() -> None:
    """The statutory-duty catalogue."""


@duty_group.command("list")
@click.option("--applies-to", type=click.Choice(vocab.ORGANISATION_KINDS.codes))
@pass_context
def duty_list(ctx: Context, applies_to: str | None) -> None:
    with ctx.transaction() as session:
        for duty in duties.list_duties(session, applies_to):
            click.echo(f"{duty.code:<40} {duty.law_short} {duty.section}")


@registry.group("key")
def key_group() -> None:
    """The node's Ed25519 signing keys (events and feed members are signed with them)."""


@key_group.command("generate")
@pass_context
def key_generate(ctx: Context) -> None:
    """Create the node's first signing key."""
    with ctx.transaction() as session:
        row = keys.generate_key(session, Signer(ctx.settings["SIGNING_KEY_PASSPHRASE"]))
    click.echo(f"Generated signing key {row.key_id}.")


@key_group.command("rotate")
@pass_context
def key_rotate(ctx: Context) -> None:
    """Retire the active key after the last event it signed; a new key signs from now on."""
    with ctx.transaction() as session:
        # The last event the old key signs announces the new one to national services.
        old, new = keys.rotate_key(
            session, Signer(ctx.settings["SIGNING_KEY_PASSPHRASE"]), ctx.settings["NODE_BASE_URL"]
        )
    click.echo(
        f"Retired {old.key_id} (valid for events up to sequence {old.last_seq}); "
        f"{new.key_id} signs from now on."
    )


@key_group.command("list")
@pass_context
def key_list(ctx: Context) -> None:
    """Every key of the node, the active one first."""
    with ctx.transaction() as session:
        rows = sorted(keys.all_keys(session), key=lambda r: r.retired_at is not None)
        for row in rows:
            state = (
                "active"
                if row.retired_at is None
                else f"retired {row.retired_at:%Y-%m-%d %H:%M}Z, up to sequence {row.last_seq}"
            )
            click.echo(f"{row.key_id}  created {row.created_at:%Y-%m-%d %H:%M}Z  {state}")


@registry.command("serve")
@serve_options("registry")
def serve(host: str, port: int, workers: int) -> None:
    """Run the registry under gunicorn (configuration from the environment)."""
    from services.registry import create_app
    from shared.serve import run_gunicorn

    run_gunicorn(create_app, f"{host}:{port}", workers)
