"""``nettungen reporting ...``: the reporting database, node directory, ingest and server."""

from __future__ import annotations

from flask import Flask

from services.reporting import db as reporting_db
from services.reporting.config import CONFIG
from shared.ingest.apply import Sink
from shared.ingest.cli import national_service_group


def _create_app() -> Flask:
    from services.reporting import create_app

    return create_app()


def _sink() -> Sink:
    from services.reporting.history.sink import HistorySink

    return HistorySink()


reporting = national_service_group(
    "reporting",
    "National reporting: the history of every published offer, its reports, API and pages.",
    config=CONFIG,
    migrations=reporting_db.MIGRATIONS,
    create_app=_create_app,
    sink=_sink,
)
