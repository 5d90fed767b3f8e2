"""``nettungen search ...``: national search's database, node directory, ingest and server."""

from __future__ import annotations

import click

from services.search import db as search_db
from services.search.config import CONFIG
from shared.cli import ServiceContext
from shared.config import describe
from shared.ingest.apply import Sink
from shared.ingest.cli import add_ingest_commands
from shared.serve import serve_options


class Context(ServiceContext):
    def __init__(self) -> None:
        super().__init__(CONFIG, sqlite_begin="IMMEDIATE")


pass_context = click.make_pass_decorator(Context)


@click.group()
@click.pass_context
def search(click_context: click.Context) -> None:
    """National search: the index of every published offer, its API and public site."""
    context = click_context.ensure_object(Context)
    click_context.call_on_close(context.close)


@search.command("config")
def show_config() -> None:
    """List every configuration key with its default and meaning."""
    click.echo(describe(CONFIG))


@search.group("db")
def db_group() -> None:
    """Create and upgrade the search database."""


@db_group.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    search_db.upgrade(ctx.settings["DATABASE_URL"])
    click.echo("The search database is at the newest revision.")


@db_group.command("check")
@pass_context
def db_check(ctx: Context) -> None:
    """Fail if the models and the migrations disagree."""
    search_db.check(ctx.settings["DATABASE_URL"])
    click.echo("Models and migrations agree.")


@search.command("serve")
@serve_options("search")
@pass_context
def serve(ctx: Context, host: str, port: int, workers: int) -> None:
    """Serve the API, the national HSDS API and the public site with gunicorn."""
    from services.search import create_app
    from shared.serve import run_gunicorn

    ctx.settings  # noqa: B018 - fail on bad configuration before gunicorn starts
    run_gunicorn(create_app, f"{host}:{port}", workers)


def _sink() -> Sink:
    from services.search.index.sink import SearchSink

    return SearchSink()


add_ingest_commands(search, pass_context, _sink)
