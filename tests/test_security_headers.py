"""Every page and API answer of every service carries the security headers, and HSTS only when
the request came over TLS: directly, or through the trusted proxy's X-Forwarded-Proto, never
through a header an untrusted client made up. The routes are enumerated from each app, so a new
route is covered as soon as it exists."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from services.reporting import db as reporting_db
from services.search import db as search_db
from shared.web import HSTS
from tests.conftest import TEST_PASSPHRASE
from tests.federation import national_app

SERVICES = ("registry", "publisher", "search", "reporting")


def _app(name: str, url: str, tmp_path: Any, proxies: int) -> Flask:
    overrides = {"TRUSTED_PROXIES": proxies, "INSTANCE_PATH": str(tmp_path)}
    if name == "registry":
        from services.registry import create_app as registry

        return registry(
            {
                **overrides,
                "DATABASE_URL": url,
                "SECRET_KEY": "test-secret-key",
                "SIGNING_KEY_PASSPHRASE": TEST_PASSPHRASE,
                "TESTING": True,
            }
        )
    if name == "publisher":
        from services.publisher import create_app as publisher

        return publisher(
            {
                **overrides,
                "DATABASE_URL": url,
                "NODE_BASE_URL": "https://node.test",
                "TESTING": True,
            }
        )
    if name == "search":
        from services.search import create_app as search

        return national_app(search, url, tmp_path, "https://sok.test", **overrides)
    from services.reporting import create_app as reporting

    return national_app(reporting, url, tmp_path, "https://rapport.test", **overrides)


@pytest.fixture(scope="module")
def databases(
    node_database_factory: Callable[[], str], database_factory: Callable[..., str]
) -> dict[str, str]:
    """Empty, migrated databases: a node's for the registry and the publisher, and one each for
    search and reporting."""
    node = node_database_factory()
    search, reporting = database_factory(), database_factory()
    search_db.upgrade(search)
    reporting_db.upgrade(reporting)
    return {"registry": node, "publisher": node, "search": search, "reporting": reporting}


@pytest.fixture(params=SERVICES)
def service(
    request: pytest.FixtureRequest, databases: dict[str, str], tmp_path: Any
) -> Iterator[tuple[Flask, Flask]]:
    """The service twice: straight on the network, and behind one trusted proxy."""
    name = request.param
    direct = _app(name, databases[name], tmp_path / "direct", 0)
    proxied = _app(name, databases[name], tmp_path / "proxied", 1)
    yield direct, proxied
    for app in (direct, proxied):
        app.extensions["nettungen.db"].engine.dispose()


def get_paths(app: Flask) -> list[str]:
    """A path for every GET route; a parameter becomes a value that names nothing (the error
    answer must carry the headers too)."""
    paths = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        paths.add(re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", _placeholder, rule.rule))
    return sorted(paths)


def _placeholder(match: re.Match[str]) -> str:
    return "1" if match.group(1) in {"page", "number", "version", "user_id", "item_id"} else "x"


def assert_protected(response: Any, path: str) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy, path
    assert "object-src 'none'" in policy, path
    # Only Swagger UI at /docs starts itself with an inline script.
    assert path == "/docs" or "'unsafe-inline'" not in policy, path
    assert headers.get("X-Content-Type-Options") == "nosniff", path
    assert headers.get("X-Frame-Options") == "DENY", path
    # A page whose address holds a one-time secret (an invitation, a password reset) sends no
    # referrer at all, so the secret never leaves in a Referer header.
    secret_in_address = path.startswith(("/invitation/", "/password/reset/"))
    expected = "no-referrer" if secret_in_address else "strict-origin-when-cross-origin"
    assert headers.get("Referrer-Policy") == expected, path


def test_every_answer_carries_the_headers_and_hsts_only_over_tls(service):
    direct, proxied = service
    plain, tls, behind = direct.test_client(), direct.test_client(), proxied.test_client()
    paths = get_paths(direct)
    assert len(paths) > 5
    for path in paths:
        with plain.get(path) as response:
            assert response.status_code < 500, path
            assert_protected(response, path)
            assert "Strict-Transport-Security" not in response.headers, path
            # Only the registry has sessions; the public services set no cookie at all.
            if direct.import_name != "services.registry":
                assert "Set-Cookie" not in response.headers, path
        with tls.get(path, base_url="https://service.test") as response:
            assert_protected(response, path)
            assert response.headers.get("Strict-Transport-Security") == HSTS, path
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.9"}
    for path in paths[:5]:
        # A client's own X-Forwarded-Proto is believed only from the trusted proxy.
        with plain.get(path, headers=forwarded) as response:
            assert "Strict-Transport-Security" not in response.headers, path
        with behind.get(path, headers=forwarded) as response:
            assert_protected(response, path)
            assert response.headers.get("Strict-Transport-Security") == HSTS, path


def test_only_the_registry_takes_writes(service):
    """The publisher, search and reporting are read-only: a write to any of their routes is a
    405 in the common error format, and the registry's writes are all in its access table."""
    direct, _proxied = service
    if direct.import_name == "services.registry":
        from tests.registry.access import ROUTES

        writes = {
            (method, rule.rule)
            for rule in direct.url_map.iter_rules()
            for method in (rule.methods or ()) - {"GET", "HEAD", "OPTIONS"}
        }
        assert writes <= ROUTES.keys()
        return
    client, routing = direct.test_client(), direct.url_map.bind("service.test")
    for rule in direct.url_map.iter_rules():
        assert (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"}, rule.rule
    for path in [p for p in get_paths(direct) if routing.test(p, method="GET")]:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.open(path, method=method)
            assert response.status_code == 405, (method, path)
            assert response.get_json()["code"] == 405
            assert_protected(response, path)


def test_the_registry_session_cookie_is_hardened(databases, tmp_path):
    """The cookie that carries the login (and, before it, the login form's CSRF token) is
    HttpOnly, SameSite=Lax and, unless a plain-HTTP demo turns it off, Secure."""
    app = _app("registry", databases["registry"], tmp_path, 0)
    try:
        cookie = app.test_client().get("/login").headers["Set-Cookie"]
    finally:
        app.extensions["nettungen.db"].engine.dispose()
    assert cookie.startswith("nettungen_registry=")
    assert {"HttpOnly", "Secure", "SameSite=Lax", "Path=/"} <= {
        part.strip() for part in cookie.split(";")
    }


def test_only_the_embedded_search_may_be_framed_by_the_origins_allowed(databases, tmp_path):
    """National search's /embed is the one page another site may frame, and only the origins
    in EMBED_ALLOWED_ORIGINS; every other answer keeps frame-ancestors 'none' and DENY."""
    from services.search import create_app as search

    allowed = "https://www.drammen.kommune.no https://*.kommune.no"
    app = national_app(
        search,
        databases["search"],
        tmp_path,
        "https://sok.test",
        INSTANCE_PATH=str(tmp_path),
        EMBED_ALLOWED_ORIGINS=allowed,
    )
    try:
        client = app.test_client()
        paths = get_paths(app)
        assert "/embed" in paths
        for path in paths:
            with client.get(path) as response:
                if path != "/embed":
                    assert_protected(response, path)
                    continue
                policy = response.headers["Content-Security-Policy"]
                assert policy.endswith(f"frame-ancestors {allowed}"), policy
                assert policy.count("frame-ancestors") == 1
                assert "default-src 'self'" in policy and "'unsafe-inline'" not in policy
                assert "X-Frame-Options" not in response.headers
                assert response.headers.get("X-Content-Type-Options") == "nosniff"
    finally:
        app.extensions["nettungen.db"].engine.dispose()
