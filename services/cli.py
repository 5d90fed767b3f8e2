"""The ``nettungen`` command: every service's operator commands, and the demo.

This module is the composition root: it may import every service, while services never import
each other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

import click

from services.publisher.cli import publisher
from services.registry.cli import registry
from services.search.cli import search
from shared.areas import PACKAGED_DATA_DIR, REFDATA_DIR_ENV
from shared.ssb import ClassificationError, import_classification


@click.group()
def main() -> None:
    """Nettungen: a federated register of offers for children, youth and families."""


main.add_command(registry)
main.add_command(publisher)
main.add_command(search)


@main.group()
def refdata() -> None:
    """Reference data: the municipality and county classification."""


@refdata.command("import")
@click.option(
    "--municipalities",
    type=click.File("rb"),
    required=True,
    help="SSB KLASS classification 131 (codesAt JSON or CSV).",
)
@click.option(
    "--counties",
    type=click.File("rb"),
    required=True,
    help="SSB KLASS classification 104 (codesAt JSON or CSV).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get(REFDATA_DIR_ENV) or str(PACKAGED_DATA_DIR),
    show_default=f"${REFDATA_DIR_ENV}, else the packaged data folder",
)
def refdata_import(municipalities: BinaryIO, counties: BinaryIO, out: Path) -> None:
    """Check a newer classification from Statistics Norway and write it as our data files."""
    try:
        result = import_classification(municipalities.read(), counties.read(), out)
    except ClassificationError as exc:
        raise click.ClickException(f"Nothing imported: {exc}") from None
    click.echo(
        f"Imported {result.municipalities} municipalities and {result.counties} counties "
        f"into {result.directory}."
    )
    if Path(out).resolve() != PACKAGED_DATA_DIR.resolve():
        click.echo(f"Set {REFDATA_DIR_ENV}={result.directory} for every service to use it.")


@main.command()
@click.option("--port", default=8010, show_default=True, type=int, help="Registry port.")
@click.option("--publisher-port", default=8011, show_default=True, type=int, help="Publisher port.")
@click.option("--reset", is_flag=True, help="Start again from fresh demo data.")
def demo(port: int, publisher_port: int, reset: bool) -> None:
    """Run a node with demo data on this machine: registry, publisher and bus relay.

    SQLite and the embedded bus by default; DATABASE_URL / BROKER_URL switch to PostgreSQL and
    RabbitMQ.
    """
    from sqlalchemy.orm import sessionmaker

    from services.registry import create_app
    from services.registry import db as registry_db
    from services.registry.accounts.permissions import Actor
    from services.registry.config import CONFIG
    from services.registry.demo import DEMO_PASSWORD, load_demo_data
    from services.registry.duties import services as duties
    from services.registry.organisations.services import list_organisations
    from shared.config import load_config
    from shared.db import create_engine
    from shared.publication.keys import Signer
    from shared.serve import run_gunicorn

    instance = Path("instance/demo/node").resolve()
    if reset and instance.exists():
        shutil.rmtree(instance)
    os.environ.setdefault("INSTANCE_PATH", str(instance))
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    os.environ.setdefault("NODE_BASE_URL", f"http://127.0.0.1:{publisher_port}")
    settings = load_config(CONFIG)
    registry_db.upgrade(settings["DATABASE_URL"])
    engine = create_engine(settings["DATABASE_URL"], sqlite_begin="IMMEDIATE")
    operator = Actor.operator()
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        duties.seed_catalogue(session, operator, duties.load_catalogue_file())
        if not list_organisations(session, operator):
            logins = load_demo_data(
                session,
                operator,
                settings["NODE_BASE_URL"],
                Signer(settings["SIGNING_KEY_PASSPHRASE"]),
            )
        else:
            logins = None
    engine.dispose()

    url = f"http://127.0.0.1:{port}"
    node = settings["NODE_BASE_URL"]
    click.echo(f"\nNettungen registry node:  {url}/")
    click.echo(f"  log in:                 {url}/login")
    click.echo(f"  API documentation:      {url}/docs")
    click.echo(f"  OpenAPI document:       {url}/openapi.json")
    click.echo(f"  database:               {settings['DATABASE_URL']}")
    click.echo(f"\nPublisher (open data):    {node}/catalog")
    click.echo(f"  LDES event stream:      {node}/ldes")
    click.echo(f"  HSDS 3.0 API:           {node}/hsds/services")
    click.echo(f"  public keys:            {node}/.well-known/jwks.json")
    click.echo(f"  API documentation:      {node}/docs")
    if logins:
        click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            click.echo(f"  {login.email:<36} {', '.join(login.roles):<28} {login.organisation}")
    else:
        click.echo("\nDemo data was already loaded; --reset starts again.")
    click.echo("\nCtrl-C stops the node.\n")
    # The publisher and the relay run beside the registry and stop with it.
    children = [
        subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [sys.executable, "-m", "services.cli", "publisher", *args]
        )
        for args in (["serve", "--port", str(publisher_port)], ["relay"])
    ]
    try:
        run_gunicorn(create_app, f"127.0.0.1:{port}", workers=2)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=30)


if __name__ == "__main__":
    main()
