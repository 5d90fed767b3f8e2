"""The deployed commands, run: gunicorn with each service's config file, ``nettungen ... serve``,
the relay and ingest, each writing JSON lines on stdout; and nginx in front of a publisher."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import sessionmaker

from shared.db import create_engine
from tests.conftest import TEST_PASSPHRASE, migrated_database
from tests.deploy.processes import Running, environment, free_port, wait_for_port
from tests.deploy.tools import require
from tests.publisher.node import BASE_URL, build_standard_node

REQUEST_ID = "deploy-test-0001"
FIELDS = {"time", "level", "logger", "message", "service", "pid"}


@pytest.fixture(scope="module")
def node_url(database_factory: Callable[[], str]) -> str:
    """A node database with published offers (nine log rows)."""
    url = database_factory()
    migrated_database(url)
    engine = create_engine(url, sqlite_begin="IMMEDIATE")
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        build_standard_node(session)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def search_url(database_factory: Callable[[], str]) -> str:
    from services.search import db as search_db

    url = database_factory()
    search_db.upgrade(url)
    return url


def settings_of(service: str, node_url: str, search_url: str, tmp_path: Path) -> dict[str, str]:
    """What each service needs besides the defaults (its database, its secrets, a bus)."""
    bus = f"embedded://{tmp_path / 'bus.sqlite'}"
    return {
        "registry": {
            "DATABASE_URL": node_url,
            "SECRET_KEY": "deploy-test-secret",
            "SIGNING_KEY_PASSPHRASE": TEST_PASSPHRASE,
            "NODE_BASE_URL": BASE_URL,
        },
        "publisher": {"DATABASE_URL": node_url, "NODE_BASE_URL": BASE_URL, "BROKER_URL": bus},
        "search": {"DATABASE_URL": search_url, "BROKER_URL": bus},
    }[service] | {"INSTANCE_PATH": str(tmp_path / service)}


def start_gunicorn(
    service: str, settings: dict[str, str], tmp_path: Path, *extra: str
) -> tuple[Running, int]:
    port = free_port()
    env = environment(WEB_PORT=str(port), **settings)
    server = Running.python(
        "gunicorn",
        "-c",
        f"deploy/gunicorn/{service}.conf.py",
        *extra,
        f"services.{service}:create_app()",
        env=env,
        output=tmp_path / f"{service}.log",
    )
    wait_for_port(port, server.process)
    return server, port


def access_lines(lines: list[dict[str, Any]], path: str) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "nettungen.access" and line["path"] == path]


@pytest.mark.parametrize("service", ["registry", "publisher", "search"])
def test_gunicorn_runs_each_service_with_its_config_file(
    service: str, node_url: str, search_url: str, tmp_path: Path
) -> None:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left by an earlier run")
    settings = settings_of(service, node_url, search_url, tmp_path)
    settings["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    server, port = start_gunicorn(service, settings, tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        health = httpx.get(f"{base}/healthz", headers={"X-Request-ID": REQUEST_ID}, timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        assert health.headers["X-Request-ID"] == REQUEST_ID
        for _ in range(5):
            assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        metrics = httpx.get(f"{base}/metrics", timeout=10).text
        assert not (metrics_dir / "counter_999999.db").exists()  # emptied at start
    finally:
        assert server.stop() == 0
    # Both workers' requests are in one scrape (the multiprocess folder works).
    counted = f'endpoint="/healthz",method="GET",service="{service}",status="200"}} 6.0'
    assert counted in metrics
    lines = server.json_lines()
    assert all(FIELDS <= set(line) and line["service"] == service for line in lines)
    booted = [line for line in lines if line["message"].startswith("Booting worker")]
    assert len(booted) == 2 and all(line["logger"] == "gunicorn.error" for line in booted)
    [first] = [
        line for line in access_lines(lines, "/healthz") if line.get("request_id") == REQUEST_ID
    ]
    assert (first["method"], first["status"], first["level"]) == ("GET", 200, "INFO")
    assert first["duration_ms"] >= 0 and first["remote_addr"] == "127.0.0.1"
    assert len(access_lines(lines, "/healthz")) == 6


def test_preloaded_workers_reset_the_pools_they_inherit(
    node_url: str, search_url: str, tmp_path: Path
) -> None:
    settings = settings_of("publisher", node_url, search_url, tmp_path)
    server, port = start_gunicorn("publisher", settings, tmp_path, "--preload")
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/ldes", timeout=10).status_code == 200
    finally:
        assert server.stop() == 0
    resets = [line for line in server.json_lines() if "inherited database pool" in line["message"]]
    assert len(resets) == 2  # one line per worker


def test_serve_command_takes_the_same_settings(
    node_url: str, search_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = environment(
        WEB_PORT=str(port),
        WEB_CONCURRENCY="1",
        **settings_of("publisher", node_url, search_url, tmp_path),
    )
    server = Running.python(
        "services.cli", "publisher", "serve", env=env, output=tmp_path / "serve.log"
    )
    try:
        wait_for_port(port, server.process)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    finally:
        assert server.stop() == 0
    lines = server.json_lines()
    assert len([line for line in lines if line["message"].startswith("Booting worker")]) == 1
    assert any(
        line["message"] == f"Listening at: http://127.0.0.1:{port} ({line['pid']})"
        for line in lines
    )
    assert access_lines(lines, "/healthz")


def run_to_end(service: str, settings: dict[str, str], tmp_path: Path, *args: str) -> Running:
    """``nettungen <service> <args>`` run to its end, successfully."""
    command = Running.python(
        "services.cli", service, *args, env=environment(**settings), output=tmp_path / "out.log"
    )
    assert command.wait() == 0, command.text()
    return command


def test_relay_logs_json_lines(node_url: str, search_url: str, tmp_path: Path) -> None:
    settings = settings_of("publisher", node_url, search_url, tmp_path)
    lines = run_to_end("publisher", settings, tmp_path, "relay", "--until-caught-up").json_lines()
    assert all(FIELDS <= set(line) and line["service"] == "publisher" for line in lines)
    messages = [line["message"] for line in lines]
    assert any(message.startswith("relaying ") for message in messages)
    assert messages[-1] == "relay stopped at sequence 9"


def test_ingest_logs_json_lines(node_url: str, search_url: str, tmp_path: Path) -> None:
    settings = settings_of("search", node_url, search_url, tmp_path)
    lines = run_to_end("search", settings, tmp_path, "ingest", "--once", "--no-feeds").json_lines()
    assert lines and all(FIELDS <= set(line) and line["service"] == "search" for line in lines)
    assert any(line["message"].startswith("bus: ") for line in lines)


def test_log_format_text_is_for_people(node_url: str, search_url: str, tmp_path: Path) -> None:
    settings = settings_of("publisher", node_url, search_url, tmp_path) | {"LOG_FORMAT": "text"}
    text = run_to_end("publisher", settings, tmp_path, "relay", "--until-caught-up").text()
    assert " INFO services.publisher.cli: relay stopped at sequence 9" in text
    assert not text.lstrip().startswith("{")


@dataclass
class Proxied:
    client: httpx.Client  # to nginx's TLS port, trusting its certificate
    http_port: int
    publisher: Running


@pytest.fixture
def nginx_in_front(node_url: str, search_url: str, tmp_path: Path) -> Iterator[Proxied]:
    """nginx with deploy/nginx/node.conf before a publisher (pages of two members) and a
    registry."""
    from tests.deploy.test_nginx import installable_config

    nginx_path = require("nginx")
    publisher, publisher_port = start_gunicorn(
        "publisher",
        settings_of("publisher", node_url, search_url, tmp_path)
        | {"LDES_PAGE_SIZE": "2", "TRUSTED_PROXIES": "1"},
        tmp_path,
    )
    registry, registry_port = start_gunicorn(
        "registry",
        settings_of("registry", node_url, search_url, tmp_path) | {"TRUSTED_PROXIES": "1"},
        tmp_path,
    )
    http_port, https_port = free_port(), free_port()
    main = installable_config(
        tmp_path, http_port, https_port, {"publisher": publisher_port, "registry": registry_port}
    )
    nginx = Running(
        [nginx_path, "-p", str(tmp_path), "-c", str(main), "-g", "daemon off;"],
        environment(),
        tmp_path / "nginx.out",
    )
    try:
        wait_for_port(https_port, nginx.process)
        with httpx.Client(
            base_url=f"https://127.0.0.1:{https_port}",
            verify=ssl.create_default_context(cafile=tmp_path / "certificate.pem"),
            timeout=10,
        ) as client:
            yield Proxied(client, http_port, publisher)
    finally:
        nginx.stop()
        registry.stop()
        publisher.stop()


def test_nginx_caches_complete_pages_and_passes_the_registry_through(
    nginx_in_front: Proxied,
) -> None:
    client, publisher = nginx_in_front.client, nginx_in_front.publisher
    node = {"Host": "node.example.no", "Accept": "text/turtle"}
    first = client.get("/ldes/pages/1", headers=node)
    again = client.get("/ldes/pages/1", headers=node)
    assert first.status_code == again.status_code == 200
    assert (first.headers["X-Cache-Status"], again.headers["X-Cache-Status"]) == ("MISS", "HIT")
    # The page names a contact person, whom a redaction may remove: an hour, not immutable
    # (tests/publisher/test_redaction.py has the immutable pages of a node without one).
    assert again.headers["Cache-Control"] == "public, max-age=3600"
    assert again.content == first.content
    assert again.headers.get_list("Strict-Transport-Security") == [
        "max-age=63072000; includeSubDomains"
    ]
    # Another representation of the same page is another entry.
    as_json = client.get("/ldes/pages/1", headers={**node, "Accept": "application/json"})
    assert as_json.headers["X-Cache-Status"] == "MISS" and as_json.json()
    # A client's conditional request is answered from the cache.
    unchanged = client.get(
        "/ldes/pages/1", headers={**node, "If-None-Match": first.headers["ETag"]}
    )
    assert (unchanged.status_code, unchanged.headers["X-Cache-Status"]) == (304, "HIT")
    # The root lives seconds: cached, but briefly.
    root = [client.get("/ldes", headers=node) for _ in range(2)]
    assert [r.headers["X-Cache-Status"] for r in root] == ["MISS", "HIT"]
    assert root[1].headers["Cache-Control"] == "public, max-age=5"
    # The registry: nothing cached, the client's address and https seen through the proxy.
    registry = {"Host": "registry.node.example.no"}
    login = [client.get("/login", headers=registry) for _ in range(2)]
    assert [r.status_code for r in login] == [200, 200]
    assert "X-Cache-Status" not in login[1].headers
    plain = httpx.get(f"http://127.0.0.1:{nginx_in_front.http_port}/login", headers=registry)
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://registry.node.example.no/login"
    # The publisher logged the misses with nginx's request id, and its client's address.
    misses = [line for line in publisher.json_lines() if line.get("path") == "/ldes/pages/1"]
    assert len(misses) == 2  # Turtle and JSON; the hits and the 304 never reached it
    assert misses[0]["request_id"] == first.headers["X-Request-ID"]
    assert misses[0]["remote_addr"] == "127.0.0.1"
