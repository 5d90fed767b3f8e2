"""``nettungen reporting ...``: the reporting database, node directory, ingest and server."""

from __future__ import annotations

import click

from services.reporting import db as reporting_db
from services.reporting.config import CONFIG
from shared.cli import ServiceContext
from shared.config import describe
from shared.ingest.apply import Sink
from shared.ingest.cli import add_ingest_commands


class Context(ServiceContext):
    def __init__(self) -> None:
        super().__init__(CONFIG, sqlite_begin="IMMEDIATE")


pass_context = click.make_pass_decorator(Context)


@click.group()
@click.pass_context
def reporting(click_context: click.Context) -> None:
    """National reporting: the history of every published offer, its reports, API and pages."""
    context = click_context.ensure_object(Context)
    click_context.call_on_close(context.close)


@reporting.command("config")
def show_config() -> None:
    """List every configuration key with its default and meaning."""
    click.echo(describe(CONFIG))


@reporting.group("db")
def db_group() -> None:
    """Create and upgrade the reporting database."""


@db_group.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    reporting_db.upgrade(ctx.settings["DATABASE_URL"])
    click.echo("The reporting database is at the newest revision.")


@db_group.command("check")
@pass_context
def db_check(ctx: Context) -> None:
    """Fail if the models and the migrations disagree."""
    reporting_db.check(ctx.settings["DATABASE_URL"])
    click.echo("Models and migrations agree.")


@reporting.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8030, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@pass_context
def serve(ctx: Context, host: str, port: int, workers: int) -> None:
    """Serve the report pages, the API and the downloads with gunicorn."""
    from services.reporting import create_app
    from shared.serve import run_gunicorn

    ctx.settings  # noqa: B018 - fail on bad configuration before gunicorn starts
    run_gunicorn(create_app, f"{host}:{port}", workers)


def _sink() -> Sink:
    from services.reporting.history.sink import HistorySink

    return HistorySink()


add_ingest_commands(reporting, pass_context, _sink)
