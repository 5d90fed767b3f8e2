"""Cross-origin reads (shared.web.cors): ``Access-Control-Allow-Origin: *`` on every public read
API of every service, preflights answered, and never on a page, an operator's route or
anything of the registry (which has logins and cookies)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request, session

from shared.web.cors import init_cors, is_open
from tests.test_security_headers import databases, get_paths, service  # noqa: F401

ORIGIN = {"Origin": "https://www.drammen.kommune.no"}
# Per service, paths any web page may read, and paths it may not (written by hand).
OPEN = {
    "services.publisher": [
        "/ldes",
        "/catalog",
        "/hsds/",
        "/hsds/services",
        "/hsds/locations",
        "/offers.csv",
        "/offers/x",
        "/vocabularies/levels",
        "/.well-known/jwks.json",
        "/openapi.json",
    ],
    "services.search": [
        "/api/v1/offers",
        "/api/v1/nodes",
        "/hsds/services",
        "/hsds/service_at_locations",
        "/catalog",
        "/offers.csv",
        "/openapi.json",
    ],
    "services.reporting": ["/api/v1/reports/pyramid?area=NO", "/openapi.json"],
    "services.registry": [],
}
CLOSED = {
    "services.publisher": ["/", "/healthz", "/docs"],
    "services.search": ["/", "/healthz", "/docs", "/noder"],
    "services.reporting": ["/", "/healthz"],
}


def test_open_data_is_readable_from_any_origin(service: Any) -> None:  # noqa: F811
    app, _proxied = service
    client = app.test_client()
    for path in OPEN[app.import_name]:
        response = client.get(path, headers=ORIGIN)
        assert response.status_code < 500, path
        assert response.headers.get("Access-Control-Allow-Origin") == "*", path
        assert "ETag" in response.headers["Access-Control-Expose-Headers"], path
        assert "Set-Cookie" not in response.headers, path


def test_pages_and_the_registry_are_not(service: Any) -> None:  # noqa: F811
    app, _proxied = service
    client = app.test_client()
    # The registry: not one of its routes, API or page, may be read by another site.
    closed = get_paths(app) if app.import_name == "services.registry" else CLOSED[app.import_name]
    assert closed
    for path in closed:
        response = client.get(path, headers=ORIGIN)
        assert "Access-Control-Allow-Origin" not in response.headers, path


def test_a_preflight_is_answered_for_reads_only(service: Any) -> None:  # noqa: F811
    app, _proxied = service
    if not OPEN[app.import_name]:
        return
    path = OPEN[app.import_name][0].split("?")[0]
    response = app.test_client().options(
        path,
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept-language, if-none-match",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "accept-language, if-none-match"
    assert response.headers["Access-Control-Max-Age"] == "86400"
    # A plain OPTIONS (no preflight) says what the route allows, and nothing about preflights.
    plain = app.test_client().options(path)
    assert "Access-Control-Allow-Methods" not in plain.headers


def test_a_registry_preflight_gets_no_permission(service: Any) -> None:  # noqa: F811
    app, _proxied = service
    if app.import_name != "services.registry":
        return
    response = app.test_client().options(
        "/login", headers={**ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "Access-Control-Allow-Origin" not in response.headers


def test_prefixes_cover_their_subtree_only() -> None:
    assert is_open("/hsds", ["/hsds"]) and is_open("/hsds/services", ["/hsds"])
    assert not is_open("/hsdsx", ["/hsds"]) and not is_open("/", ["/hsds"])
    assert is_open("/hsds/", ["/hsds/"])


def test_never_beside_a_cookie() -> None:
    app = Flask(__name__)

    @app.get("/open/plain")
    def plain() -> str:
        return "ok"

    @app.get("/open/cookie")
    def cookie() -> Response:
        response = Response("ok")
        response.set_cookie("session", "1")
        return response

    init_cors(app, ["/open"])
    client = app.test_client()
    assert client.get("/open/plain").headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/open/cookie").headers


def test_never_beside_a_cookie_set_after_the_view() -> None:
    """A cookie set by an ``after_request`` function (registered before or after) or by the
    session is on the finished response: that response is not open."""
    app = Flask(__name__)
    app.secret_key = "test"

    @app.get("/open/page")
    def page() -> str:
        return "ok"

    @app.get("/open/session")
    def session_page() -> str:
        session["seen"] = True
        return "ok"

    def remember(response: Response) -> Response:
        if request.args.get("lang"):
            response.set_cookie("lang", request.args["lang"])
        return response

    app.after_request(remember)
    init_cors(app, ["/open"])
    client = app.test_client()
    assert client.get("/open/page").headers["Access-Control-Allow-Origin"] == "*"
    by_hook = client.get("/open/page?lang=en")
    assert "Set-Cookie" in by_hook.headers
    assert "Access-Control-Allow-Origin" not in by_hook.headers
    by_session = client.get("/open/session")
    assert "Set-Cookie" in by_session.headers
    assert "Access-Control-Allow-Origin" not in by_session.headers
