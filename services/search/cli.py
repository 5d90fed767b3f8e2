"""``nettungen search ...``: national search's database, node directory, ingest and server."""

from __future__ import annotations

from flask import Flask

from services.search import db as search_db
from services.search.config import CONFIG
from shared.ingest.apply import Sink
from shared.ingest.cli import national_service_group


def _create_app() -> Flask:
    from services.search import create_app

    return create_app()


def _sink() -> Sink:
    from services.search.index.sink import SearchSink

    return SearchSink()


search = national_service_group(
    "search",
    "National search: the index of every published offer, its API and public site.",
    config=CONFIG,
    migrations=search_db.MIGRATIONS,
    create_app=_create_app,
    sink=_sink,
)
