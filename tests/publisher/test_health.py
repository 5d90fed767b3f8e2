"""The publisher's /healthz: its database, and the bus its relay publishes to."""

from __future__ import annotations

from pathlib import Path

from tests.publisher.conftest import make_publisher

UNREACHABLE_BUS = "amqp://guest:guest@127.0.0.1:1//"


def test_database_and_bus(standard_node, tmp_path: Path, bus_url: str) -> None:
    app = make_publisher(standard_node[0], tmp_path, BROKER_URL=bus_url)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "bus": "ok"}}
    app.extensions["nettungen.db"].engine.dispose()


def test_feeds_stay_up_without_the_bus(standard_node, tmp_path: Path) -> None:
    app = make_publisher(standard_node[0], tmp_path, BROKER_URL=UNREACHABLE_BUS)
    client = app.test_client()
    response = client.get("/healthz")
    # Degraded, not unavailable: a load balancer keeps sending readers, monitoring sees it.
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "degraded",
        "checks": {"database": "ok", "bus": "failing"},
    }
    assert client.get("/ldes").status_code == 200
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
