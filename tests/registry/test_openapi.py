"""The OpenAPI document is valid OpenAPI 3 and documents every API endpoint."""

from __future__ import annotations

import json
import re

from openapi_spec_validator import validate

from tests.registry.conftest import ORG_A


def test_openapi_document_is_valid(client):
    spec = client.get("/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")


def test_every_api_route_is_documented_with_schemas(app, client):
    spec = client.get("/openapi.json").get_json()
    documented = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") or rule.rule == "/healthz"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - documented == set()
    for path, method in documented:
        operation = spec["paths"][path][method.lower()]
        if method in {"POST", "PATCH", "PUT"} and not path.endswith(
            ("/submit", "/recall", "/publish", "/withdraw", "/send-back", "/resend")
        ):
            assert "requestBody" in operation, (method, path)
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert success, (method, path)
        for code in success:
            if code != "204":
                assert "schema" in operation["responses"][code]["content"]["application/json"]
        assert "default" in operation["responses"]  # the error payload


def test_pagination_header_is_documented_as_json(client, world):
    # Found by schemathesis: the header was documented as an object "schema", which OpenAPI 3
    # reads as name=value pairs, while the API sends JSON.
    spec = client.get("/openapi.json").get_json()
    header = spec["components"]["headers"]["PAGINATION"]
    assert "schema" not in header
    assert header["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginationMetadata"
    }
    response = client.get(f"/api/v1/organisations/{ORG_A}/offers", headers=world.auth("a_reader"))
    assert json.loads(response.headers["X-Pagination"]) == {"total": 0, "total_pages": 0}


def test_docs_page_serves_swagger_ui_locally(client):
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs-assets/swagger-ui-bundle.js" in page
    with client.get("/docs-assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200
        assert asset.mimetype in {"text/javascript", "application/javascript"}


def test_healthz_checks_the_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "checks": {"database": "ok"}}
    # The registry has no bus: its health documentation says why.
    [tag] = [t for t in client.get("/openapi.json").get_json()["tags"] if t["name"] == "health"]
    assert "The registry has no bus" in tag["description"]


def test_metrics(client):
    client.get("/healthz")
    metrics = client.get("/metrics").get_data(as_text=True)
    assert (
        'nettungen_http_requests_total{endpoint="/healthz",method="GET",service="registry"'
        in metrics
    )
