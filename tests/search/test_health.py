"""National search's /healthz: its index, and the bus ingest reads."""

from __future__ import annotations

from pathlib import Path

from tests.health import UNREACHABLE_BUS, assert_serves_without_the_bus
from tests.search.conftest import make_search_app


def test_search_answers_without_the_bus(search_database_factory, tmp_path: Path) -> None:
    app = make_search_app(search_database_factory(), tmp_path, BROKER_URL=UNREACHABLE_BUS)
    assert_serves_without_the_bus(app, "/api/v1/offers")
    app.extensions["nettungen.db"].engine.dispose()


def test_search_checks_the_bus_it_is_given(
    search_database_factory, tmp_path: Path, bus_url: str
) -> None:
    app = make_search_app(search_database_factory(), tmp_path, BROKER_URL=bus_url)
    assert app.test_client().get("/healthz").get_json()["checks"] == {"database": "ok", "bus": "ok"}
    app.extensions["nettungen.db"].engine.dispose()
