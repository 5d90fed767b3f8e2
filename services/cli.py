"""The ``nettungen`` command: every service's operator commands, and the demo.

This module is the composition root: it may import every service, while services never import
each other.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import BinaryIO

import click

from services.publisher.cli import publisher
from services.registry.cli import registry
from services.reporting.cli import reporting
from services.search.cli import search
from shared.areas import PACKAGED_DATA_DIR, REFDATA_DIR_ENV
from shared.ssb import ClassificationError, import_classification


@click.group()
def main() -> None:
    """Nettungen: a federated register of offers for children, youth and families."""


main.add_command(registry)
main.add_command(publisher)
main.add_command(search)
main.add_command(reporting)


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
@click.option("--search-port", default=8020, show_default=True, type=int, help="Search port.")
@click.option("--reporting-port", default=8030, show_default=True, type=int, help="Reporting port.")
@click.option("--reset", is_flag=True, help="Start again from fresh demo data.")
def demo(
    port: int, publisher_port: int, search_port: int, reporting_port: int, reset: bool
) -> None:
    """Run a node with demo data, and national search and reporting over it, on this machine.

    SQLite and the embedded bus by default; DATABASE_URL / BROKER_URL switch to PostgreSQL and
    RabbitMQ.
    """
    from services import demo as federation
    from services.registry import create_app
    from services.registry.demo import DEMO_PASSWORD
    from shared.serve import run_gunicorn

    os.environ.setdefault("LOG_FORMAT", "text")  # people read the demo's logs, not machines
    if reset and federation.DEMO_DIR.exists():
        shutil.rmtree(federation.DEMO_DIR)
    node = federation.prepare_node(port, publisher_port)
    search_env = federation.prepare_search(node, search_port)
    reporting_env = federation.prepare_reporting(node, reporting_port)
    processes = federation.Processes()
    processes.start("publisher", "serve", "--port", str(publisher_port))
    processes.start("publisher", "relay")
    processes.start("search", "serve", "--port", str(search_port), environment=search_env)
    processes.start("search", "ingest", environment=search_env)
    processes.start("reporting", "serve", "--port", str(reporting_port), environment=reporting_env)
    processes.start("reporting", "ingest", environment=reporting_env)
    search = search_env["PUBLIC_BASE_URL"]
    reporting = reporting_env["PUBLIC_BASE_URL"]
    try:
        expected = federation.published_count(node.database_url)
        click.echo(f"Waiting until search and reporting have the node's {expected} offers ...")
        found = federation.wait_until_searchable(search, expected)
        if found < expected:
            click.echo(f"Search has {found} of {expected} offers so far; it keeps ingesting.")
        counted = federation.wait_until_reported(reporting, expected)
        if counted < expected:
            click.echo(
                f"Reporting counts {counted} of {expected} offers so far; it keeps ingesting."
            )
        url, publisher = node.registry_url, node.publisher_url
        click.echo(f"\nNational search:          {search}/")
        click.echo(f"  offers in Drammen:      {search}/api/v1/offers?municipality=3301")
        click.echo(f"  national HSDS 3.0:      {search}/hsds/services")
        click.echo(f"  API documentation:      {search}/docs")
        click.echo(f"\nNational reporting:       {reporting}/")
        click.echo(f"  Drammen's pyramid:      {reporting}/pyramid?area=3301")
        click.echo(f"  as JSON:                {reporting}/api/v1/reports/pyramid?area=3301")
        click.echo(f"  API documentation:      {reporting}/docs")
        click.echo(f"\nNettungen registry node:  {url}/")
        click.echo(f"  log in:                 {url}/login")
        click.echo(f"  API documentation:      {url}/docs")
        click.echo(f"  database:               {node.database_url}")
        click.echo(f"\nPublisher (open data):    {publisher}/catalog")
        click.echo(f"  LDES event stream:      {publisher}/ldes")
        click.echo(f"  HSDS 3.0 API:           {publisher}/hsds/services")
        click.echo(f"  public keys:            {publisher}/.well-known/jwks.json")
        if node.logins:
            click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
            for login in node.logins:
                roles = ", ".join(login.roles)
                click.echo(f"  {login.email:<36} {roles:<28} {login.organisation}")
        else:
            click.echo("\nDemo data was already loaded; --reset starts again.")
        click.echo("\nCtrl-C stops everything.\n")
        run_gunicorn(create_app, f"127.0.0.1:{port}", workers=2)
    finally:
        processes.stop()


if __name__ == "__main__":
    main()
