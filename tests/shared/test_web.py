"""The shared app builder: what a service declares ends up in its app, the request's session is
one, and /healthz says ok, degraded or failing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flask_smorest
import pytest
from flask import Flask, g
from flask.views import MethodView
from sqlalchemy import text
from sqlalchemy.orm import Session

from shared.config import ConfigKey
from shared.metrics import Gauge
from shared.web import (
    Api,
    Health,
    ServiceApp,
    build_app,
    db_session,
    health_blueprint,
    request_database,
)

SETTINGS = [
    ConfigKey("INSTANCE_PATH", "Folder for local state."),
    ConfigKey("DATABASE_URL", "SQLAlchemy URL."),
]


def _declared(calls: list[str]) -> ServiceApp:
    blp = flask_smorest.Blueprint("things", __name__, url_prefix="/things")

    @blp.route("")
    class Things(MethodView):
        def get(self) -> dict[str, Any]:
            session = db_session()
            return {
                "same": session is db_session() and session is request_database().session,
                "one": session.scalar(text("SELECT 1")),
                "hook": g.get("hooked", False),
            }

    def gauges(session: Session) -> Iterator[Gauge]:
        yield (
            "nettungen_test_gauge",
            "A gauge read in its own session.",
            session.scalar(text("SELECT 7")),
        )

    def extension(app: Flask) -> None:
        calls.append("extension" if "nettungen.db" in app.extensions else "too early")

    def pages(app: Flask, api: Api) -> None:
        calls.append("pages" if "things" in app.blueprints else "before the API")

    return ServiceApp(
        __name__,
        name="test",
        settings=SETTINGS,
        title="Test service",
        version="9.9",
        description="A service of the tests.",
        blueprints=(blp,),
        health=Health("Only the database.", bus=False),
        gauges=gauges,
        openapi={"security": [{"bearer": []}]},
        extensions=(extension,),
        pages=pages,
        before_request=(lambda: setattr(g, "hooked", True),),
    )


@pytest.fixture
def built(tmp_path: Path) -> Iterator[tuple[Flask, list[str]]]:
    calls: list[str] = []
    config = {"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/t.db"}
    app = build_app(_declared(calls), config)
    yield app, calls
    app.extensions["nettungen.db"].engine.dispose()


def test_the_declaration_is_what_the_app_serves(built: tuple[Flask, list[str]]) -> None:
    app, calls = built
    client = app.test_client()
    assert calls == ["extension", "pages"]
    assert client.get("/things").get_json() == {"same": True, "one": 1, "hook": True}
    document = client.get("/openapi.json").get_json()
    assert document["info"] == {
        "title": "Test service",
        "version": "9.9",
        "description": "A service of the tests.",
    }
    assert document["security"] == [{"bearer": []}]
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()) == (
        200,
        {"status": "ok", "checks": {"database": "ok"}},
    )
    assert "nettungen_test_gauge 7.0" in client.get("/metrics").get_data(as_text=True)
    assert client.get("/things").headers["X-Frame-Options"] == "DENY"


def _broken() -> None:
    raise ConnectionError("unreachable")


@pytest.mark.parametrize(
    ("failing", "status", "verdict"),
    [((), 200, "ok"), (("bus",), 200, "degraded"), (("database", "bus"), 503, "failing")],
)
def test_health_is_failing_only_without_what_the_service_needs(
    failing: tuple[str, ...], status: int, verdict: str
) -> None:
    checks = {name: _broken if name in failing else (lambda: None) for name in ("database", "bus")}
    app = Flask(__name__)
    api = Api(app, spec_kwargs={"title": "t", "version": "1", "openapi_version": "3.0.3"})
    api.register_blueprint(health_blueprint(checks, degrading={"bus"}))
    response = app.test_client().get("/healthz")
    assert response.status_code == status
    assert response.get_json()["status"] == verdict
    assert response.get_json()["checks"] == {
        name: "failing" if name in failing else "ok" for name in ("database", "bus")
    }


def test_degrading_names_only_checks_that_exist() -> None:
    with pytest.raises(ValueError, match="missing"):
        health_blueprint({"database": lambda: None}, degrading={"missing"})


def test_the_web_layers_own_refusals_are_translated_by_code(
    built: tuple[Flask, list[str]],
) -> None:
    client = built[0].test_client()
    english = client.get("/things?q=%00")
    assert (english.status_code, english.get_json()["message"]) == (
        400,
        "NUL characters are not allowed in the address.",
    )
    bokmal = client.get("/things?q=%00", headers={"Accept-Language": "nb"})
    assert bokmal.get_json()["message"] == "NUL-tegn er ikke tillatt i adressen."
    nynorsk = client.post("/things", data=b'{"a": "\\u0000"}', headers={"Accept-Language": "nn"})
    assert (
        nynorsk.get_json()["message"] == "NUL-teikn er ikkje tillatne i innhaldet i førespurnaden."
    )
