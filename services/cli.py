"""The ``nettungen`` command: every service's operator commands, and the demo.

This module is the composition root: it may import every service, while services never import
each other.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import click

from services.publisher.cli import publisher
from services.registry.cli import registry
from services.reporting.cli import reporting
from services.search.cli import search
from shared.areas import PACKAGED_DATA_DIR, REFDATA_DIR_ENV
from shared.ssb import ClassificationError, import_classification

if TYPE_CHECKING:
    from services.demo import NodeSetup, Processes


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
@click.option(
    "--port",
    default=8010,
    show_default=True,
    type=int,
    help="The first node's registry; each node takes the next two ports (registry, publisher).",
)
@click.option("--search-port", default=8020, show_default=True, type=int, help="Search port.")
@click.option("--reporting-port", default=8030, show_default=True, type=int, help="Reporting port.")
@click.option(
    "--ready-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Once everything is ingested, write the URLs here as JSON.",
)
@click.option("--reset", is_flag=True, help="Start again from fresh demo data.")
@click.option(
    "--verbose",
    is_flag=True,
    help="Also print every process's access line for each HTTP request (feed polls included).",
)
def demo(
    port: int,
    search_port: int,
    reporting_port: int,
    ready_file: Path | None,
    reset: bool,
    verbose: bool,
) -> None:
    """Run the whole federation on this machine: three nodes with demo data, national search
    and reporting, until Ctrl-C.

    SQLite and the embedded bus by default; DATABASE_URL (a PostgreSQL database whose server
    gets one database per node and service) and BROKER_URL switch to PostgreSQL and RabbitMQ.
    """
    from services import demo as federation
    from services.registry.demo import NODES
    from shared.cli import stop_on_signals

    os.environ.update(demo_logging(os.environ, verbose))
    where = federation.Federation.from_environment()
    if reset:
        where.reset(list(NODES))
    ports = federation.Ports(port, search_port, reporting_port)
    nodes = [federation.prepare_node(where, name, i, ports) for i, name in enumerate(NODES)]
    search_env = federation.prepare_search(where, nodes, search_port)
    reporting_env = federation.prepare_reporting(where, nodes, reporting_port)
    stop = stop_on_signals()
    processes = federation.Processes()
    try:
        _start_processes(processes, nodes, {"search": search_env, "reporting": reporting_env})
        _wait_and_tell(nodes, search_env, reporting_env, ready_file, stop)
        _run_until_stopped(processes, stop)
    finally:
        processes.stop()
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)


def demo_logging(environ: Any, verbose: bool) -> dict[str, str]:
    """How the demo's processes log: plain text for people, and, unless ``verbose``, no access
    line for every request (the ingests poll every feed), so the URLs and logins stay in view;
    warnings, errors and what each process says it does still show."""
    return {
        "LOG_FORMAT": environ.get("LOG_FORMAT", "text"),
        "LOG_ACCESS": "on" if verbose else environ.get("LOG_ACCESS", "off"),
    }


def _start_processes(
    processes: Processes, nodes: list[NodeSetup], national: dict[str, dict[str, str]]
) -> None:
    # Each node's registry, mail sender, publisher and relay, then each national service and
    # its ingest.
    for node in nodes:
        registry_port = node.registry_url.rsplit(":", 1)[1]
        publisher_port = node.publisher_url.rsplit(":", 1)[1]
        env = node.environment
        processes.start("registry", "serve", "--port", registry_port, environment=env)
        processes.start("registry", "mail", "send", environment=env)
        processes.start("publisher", "serve", "--port", publisher_port, environment=env)
        processes.start("publisher", "relay", environment=env)
    for name, env in national.items():
        service_port = env["PUBLIC_BASE_URL"].rsplit(":", 1)[1]
        processes.start(name, "serve", "--port", service_port, environment=env)
        processes.start(name, "ingest", environment=env)


def _run_until_stopped(processes: Processes, stop: threading.Event) -> None:
    # Until Ctrl-C, or until one process ends on its own (the demo is then no longer whole).
    while not stop.is_set():
        stopped = processes.exited()
        if stopped:
            click.echo(f"Stopping: {', '.join(stopped)} ended on its own.", err=True)
            break
        stop.wait(1.0)


def _mail_folder(environment: dict[str, str]) -> str:
    """Where a node's sender writes its mails: an SMTP server, or .eml files to read."""
    if os.environ.get("SMTP_URL"):
        return "sent to SMTP_URL"
    return str(Path(environment["INSTANCE_PATH"]) / "mail") + "/*.eml"


def _tell_node(node: Any) -> None:
    """One node's addresses, where its mails go, and its demo logins."""
    click.echo(f"\nNode {node.name} ({node.title})")
    click.echo(f"  registry, log in:     {node.registry_url}/login")
    click.echo(f"  publisher (open data): {node.publisher_url}/catalog")
    click.echo(f"  LDES event stream:    {node.publisher_url}/ldes")
    click.echo(f"  mails it sends:       {_mail_folder(node.environment)}")
    for login in node.logins:
        roles = ", ".join(login.roles)
        click.echo(f"    {login.email:<36} {roles:<28} {login.organisation}")


def _wait_and_tell(
    nodes: list[Any],
    search_env: dict[str, str],
    reporting_env: dict[str, str],
    ready_file: Path | None,
    stop: Any,
) -> None:
    """Wait until search and reporting hold every published offer, then print the URLs."""
    from services import demo as federation
    from services.registry.demo import DEMO_PASSWORD

    search, reporting = search_env["PUBLIC_BASE_URL"], reporting_env["PUBLIC_BASE_URL"]
    expected = sum(federation.published_count(node.database_url) for node in nodes)
    click.echo(f"Waiting until search and reporting have the {expected} published offers ...")
    found = federation.wait_until_searchable(search, expected, stop)
    counted = federation.wait_until_reported(reporting, expected, stop)
    if stop.is_set():
        return
    if found < expected or counted < expected:
        click.echo(f"So far search has {found} and reporting {counted}; they keep ingesting.")
    click.echo(f"\nNational search:        {search}/")
    click.echo(f"  offers in Drammen:    {search}/sok?municipality=3301")
    click.echo(f"  API, national HSDS:   {search}/api/v1/offers   {search}/hsds/services")
    click.echo(f"\nNational reporting:     {reporting}/")
    click.echo(f"  Drammen's pyramid:    {reporting}/pyramid?area=3301")
    for node in nodes:
        _tell_node(node)
    click.echo(f"\nThe password of every demo login: {DEMO_PASSWORD}")
    if not any(node.loaded_now for node in nodes):
        click.echo("The demo data was loaded before; --reset starts again from fresh data.")
    if ready_file is not None:
        document = federation.ready_document(nodes, search, reporting)
        federation.write_ready_file(ready_file, document)
    click.echo("\nCtrl-C stops everything.\n")


if __name__ == "__main__":
    main()
