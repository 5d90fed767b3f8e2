"""``nettungen publisher ...``: serve a node's open feeds and relay its log to the bus."""

from __future__ import annotations

import logging
from typing import Any

import click

from services.publisher.config import CONFIG
from shared.cli import log_to_stdout, stop_on_signals
from shared.config import ConfigError, describe, load_config
from shared.serve import serve_options

log = logging.getLogger(__name__)


def _settings() -> dict[str, Any]:
    try:
        return load_config(CONFIG)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def publisher() -> None:
    """The publisher of this node: LDES, DCAT, CPSV-AP-NO, HSDS, and the bus relay."""


@publisher.command("config")
def show_config() -> None:
    """List every configuration key with its default and meaning."""
    click.echo(describe(CONFIG))


@publisher.command("relay")
@click.option("--until-caught-up", is_flag=True, help="Stop once every log row is confirmed.")
def relay(until_caught_up: bool) -> None:
    """Relay the node's event log to the bus until stopped (SIGTERM or Ctrl-C)."""
    from sqlalchemy.engine import make_url

    from services.publisher.relay import Relay, RelaySettings
    from shared.bus import destination_of, open_publisher
    from shared.db import create_engine

    settings = _settings()
    log_to_stdout("publisher")
    engine = create_engine(settings["DATABASE_URL"])
    worker = Relay(
        engine,
        open_publisher(settings["BROKER_URL"]),
        RelaySettings(
            batch_size=settings["RELAY_BATCH_SIZE"],
            idle_seconds=settings["RELAY_IDLE_SECONDS"],
            confirm_timeout=settings["RELAY_CONFIRM_TIMEOUT_SECONDS"],
            max_backoff=settings["RELAY_MAX_BACKOFF_SECONDS"],
            check_processes=max(0, settings["RELAY_CHECK_PROCESSES"]),
        ),
    )
    stop = stop_on_signals()
    database = make_url(settings["DATABASE_URL"]).render_as_string(hide_password=True)
    log.info("relaying %s to %s", database, destination_of(settings["BROKER_URL"]))
    try:
        worker.run(stop, until_caught_up=until_caught_up)
    finally:
        engine.dispose()
    log.info("relay stopped at sequence %d", worker.cursor())


@publisher.command("serve")
@serve_options("publisher")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the publisher with gunicorn."""
    from services.publisher import create_app
    from shared.serve import run_gunicorn

    _settings()
    run_gunicorn(create_app, f"{host}:{port}", workers)
