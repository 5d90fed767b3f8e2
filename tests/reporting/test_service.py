"""The service's own edges: OpenAPI, interactive docs, health, metrics, and the migration."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from services.reporting import db as reporting_db


def test_openapi_document_is_valid_and_documents_every_report(fixture, api):
    spec = api.get("/openapi.json").get_json()
    validate(spec)
    documented = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    routes = {
        (re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in fixture.app.url_map.iter_rules()
        if rule.rule.startswith("/api/") or rule.rule == "/healthz"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - documented == set()
    for kind in (
        "pyramid",
        "coverage",
        "duties",
        "overlaps",
        "quality",
        "trend",
        "comparison",
        "offers",
    ):
        operation = spec["paths"][f"/api/v1/reports/{kind}"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert "at" in names and "lang" in names
        assert "200" in operation["responses"] and "400" in operation["responses"]
        assert f"/api/v1/reports/{kind}/{{table}}.{{extension}}" in spec["paths"]


def test_docs_health_and_metrics(api):
    docs = api.get("/docs")
    assert docs.status_code == 200 and b"swagger" in docs.data.lower()
    health = api.get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "ok", "checks": {"database": "ok", "bus": "ok"}}
    api.get("/api/v1/reports/pyramid?area=3301")
    metrics = api.get("/metrics").get_data(as_text=True)
    assert "nettungen_reporting_versions 18.0" in metrics
    assert "nettungen_ingest_nodes 4.0" in metrics
    assert 'endpoint="/api/v1/reports/pyramid"' in metrics


def test_models_and_migrations_agree(reporting_database_factory):
    reporting_db.check(reporting_database_factory())  # raises if they differ


def test_pages_send_the_security_headers(api):
    response = api.get("/pyramid?area=3301")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "style=" not in response.get_data(as_text=True)
