"""shared.web.query.strict_query with a StrictQuery schema: an operation that refuses a query
parameter it does not know (and a bad value) with a 400 in the one error format, where
QueryArguments ignores it; and shared.web's framing policy for a page others may frame."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_smorest
import pytest
from flask import Flask
from flask.views import MethodView
from marshmallow import fields

from shared.config import ConfigKey
from shared.fields import QueryArguments, StrictQuery
from shared.web import (
    CONTENT_SECURITY_POLICY,
    Health,
    ServiceApp,
    build_app,
    frame_ancestors,
    framed_by,
)
from shared.web.query import strict_query


class Strict(StrictQuery):
    n = fields.Integer()


class Lenient(QueryArguments):
    n = fields.Integer()


def _service() -> ServiceApp:
    blp = flask_smorest.Blueprint("things", __name__, url_prefix="/things")

    @blp.route("/strict")
    class StrictThings(MethodView):
        @strict_query(blp, Strict)
        def get(self, args: dict[str, Any]) -> dict[str, Any]:
            return args

    @blp.route("/lenient")
    class LenientThings(MethodView):
        @blp.arguments(Lenient, location="query")
        def get(self, args: dict[str, Any]) -> dict[str, Any]:
            return args

    return ServiceApp(
        __name__,
        name="test",
        settings=[ConfigKey("INSTANCE_PATH", "Folder."), ConfigKey("DATABASE_URL", "URL.")],
        title="Test service",
        version="1.0",
        description="A service of the tests.",
        blueprints=(blp,),
        health=Health("Only the database.", bus=False),
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Any]:
    config = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/t.db"}
    app: Flask = build_app(_service(), config)
    yield app.test_client()
    app.extensions["nettungen.db"].engine.dispose()


def test_an_unknown_parameter_is_refused_only_where_the_operation_is_strict(client: Any) -> None:
    assert client.get("/things/strict?n=3").get_json() == {"n": 3}
    assert client.get("/things/lenient?n=3&x=1").get_json() == {"n": 3}
    refused = client.get("/things/strict?n=3&x=1")
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["errors"] == {"query": {"x": ["Unknown field."]}}
    assert body["message"].endswith("see errors.query.")
    bad = client.get("/things/strict?n=three")
    assert bad.status_code == 400
    assert bad.get_json()["errors"] == {"query": {"n": ["Not a valid integer."]}}
    # The lenient operation keeps flask-smorest's 422 for a bad value.
    assert client.get("/things/lenient?n=three").status_code == 422


def test_the_openapi_says_a_strict_operation_answers_400(client: Any) -> None:
    spec = client.get("/openapi.json").get_json()
    assert "400" in spec["paths"]["/things/strict"]["get"]["responses"]
    assert "422" in spec["paths"]["/things/lenient"]["get"]["responses"]


def test_frame_ancestors_are_origins() -> None:
    assert frame_ancestors("") == ()
    assert frame_ancestors(" https://A.kommune.no/,http://127.0.0.1:8080  https://*.no ") == (
        "https://a.kommune.no",
        "http://127.0.0.1:8080",
        "https://*.no",
    )
    for wrong in ("https://a.no/path", "https://a.no?x", "javascript:x", "'self'", "*", "a.no"):
        with pytest.raises(ValueError, match="not an origin"):
            frame_ancestors(wrong)


def test_a_framed_page_keeps_every_other_directive() -> None:
    assert framed_by(()) == CONTENT_SECURITY_POLICY
    policy = framed_by(("https://a.no", "https://*.b.no"))
    assert policy.endswith("; frame-ancestors https://a.no https://*.b.no")
    assert policy.replace(" https://a.no https://*.b.no", " 'none'") == CONTENT_SECURITY_POLICY
