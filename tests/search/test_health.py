"""National search's /healthz: its index, and the bus ingest reads."""

from __future__ import annotations

from pathlib import Path

from tests.search.conftest import make_search_app


def test_search_answers_without_the_bus(search_database_factory, tmp_path: Path) -> None:
    app = make_search_app(
        search_database_factory(), tmp_path, BROKER_URL="amqp://guest:guest@127.0.0.1:1//"
    )
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "degraded",
        "checks": {"database": "ok", "bus": "failing"},
    }
    assert client.get("/api/v1/offers").status_code == 200
    app.extensions["nettungen.db"].engine.dispose()


def test_search_checks_the_bus_it_is_given(
    search_database_factory, tmp_path: Path, bus_url: str
) -> None:
    app = make_search_app(search_database_factory(), tmp_path, BROKER_URL=bus_url)
    assert app.test_client().get("/healthz").get_json()["checks"] == {"database": "ok", "bus": "ok"}
    app.extensions["nettungen.db"].engine.dispose()
