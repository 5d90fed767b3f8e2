"""The publisher's /healthz: its database, and the bus its relay publishes to."""

from __future__ import annotations

from pathlib import Path

from tests.health import UNREACHABLE_BUS, assert_serves_without_the_bus
from tests.publisher.conftest import make_publisher


def test_database_and_bus(standard_node, tmp_path: Path, bus_url: str) -> None:
    app = make_publisher(standard_node[0], tmp_path, BROKER_URL=bus_url)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "bus": "ok"}}
    app.extensions["nettungen.db"].engine.dispose()


def test_feeds_stay_up_without_the_bus(standard_node, tmp_path: Path) -> None:
    app = make_publisher(standard_node[0], tmp_path, BROKER_URL=UNREACHABLE_BUS)
    assert_serves_without_the_bus(app, "/ldes")
    app.extensions["nettungen.db"].engine.dispose()


def test_no_database_is_unavailable(tmp_path: Path) -> None:
    # A folder is no SQLite database: every connection fails.
    app = make_publisher(f"sqlite:///{tmp_path}", tmp_path / "instance", BROKER_URL=UNREACHABLE_BUS)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "failing",
        "checks": {"database": "failing", "bus": "failing"},
    }
    app.extensions["nettungen.db"].engine.dispose()


def test_health_is_documented(publisher) -> None:
    spec = publisher.get("/openapi.json").get_json()
    health = spec["paths"]["/healthz"]["get"]["responses"]
    assert {"200", "503"} <= set(health)
    [tag] = [t for t in spec["tags"] if t["name"] == "health"]
    assert "bus the relay publishes to" in tag["description"]
