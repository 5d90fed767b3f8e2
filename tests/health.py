"""What every service's /healthz must say when the bus is gone but its database is not."""

from __future__ import annotations

from flask import Flask

# Nothing listens on port 1: every connection is refused at once.
UNREACHABLE_BUS = "amqp://guest:guest@127.0.0.1:1//"


def assert_serves_without_the_bus(app: Flask, readers_path: str) -> None:
    """Degraded, not unavailable: a load balancer keeps sending readers, monitoring sees it."""
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "degraded",
        "checks": {"database": "ok", "bus": "failing"},
    }
    assert client.get(readers_path).status_code == 200
