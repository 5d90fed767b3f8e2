"""A statement that runs longer than STATEMENT_TIMEOUT_MS is cancelled: the request gets a 503
in the error format, and the next request on the same worker is served as usual."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from shared.web import db_session
from tests.search.conftest import make_search_app

# Seconds on both databases: far past the 250 ms limit below, which ordinary queries on a
# busy CI machine stay well within.
SLOW = {
    "postgresql": "SELECT pg_sleep(3)",
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
    "WHERE i < 10000000) SELECT count(*) FROM n",
}


def _app(search_database_factory: Any, tmp_path: Any, **config: Any) -> Flask:
    app = make_search_app(search_database_factory(), tmp_path, **config)

    def slow() -> dict[str, Any]:
        session = db_session()
        return {"n": session.scalar(text(SLOW[session.get_bind().dialect.name]))}

    def broken() -> dict[str, Any]:
        return {"n": db_session().scalar(text("SELECT * FROM no_such_table"))}

    app.add_url_rule("/slow", view_func=slow)
    app.add_url_rule("/broken", view_func=broken)
    return app


@pytest.fixture
def app(search_database_factory, tmp_path) -> Any:  # type: ignore[no-untyped-def]
    app = _app(search_database_factory, tmp_path, STATEMENT_TIMEOUT_MS=250)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a failure is a 500 page
    yield app
    app.extensions["nettungen.db"].engine.dispose()


def test_a_statement_past_the_limit_is_a_503(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/slow")
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == 503 and "longer than the service allows" in body["message"]
    assert response.headers["Retry-After"] == "30"
    after = client.get("/api/v1/offers")  # the worker's connection serves the next request
    assert after.status_code == 200 and after.get_json()["total"] == 0


def test_other_database_errors_stay_500(app: Flask) -> None:
    response = app.test_client().get("/broken")
    assert response.status_code == 500
    assert response.get_json()["message"] == "An internal error occurred; nothing was changed."


def test_no_limit_when_set_to_zero(search_database_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = _app(search_database_factory, tmp_path, STATEMENT_TIMEOUT_MS=0)
    try:
        response = app.test_client().get("/slow")
        assert response.status_code == 200
    finally:
        app.extensions["nettungen.db"].engine.dispose()


def test_the_limit_must_be_a_number_of_milliseconds(search_database_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shared.config import ConfigError

    with pytest.raises(ConfigError, match="STATEMENT_TIMEOUT_MS"):
        _app(search_database_factory, tmp_path, STATEMENT_TIMEOUT_MS="-1")


def test_search_connections_plan_without_jit(search_database_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_search_app(search_database_factory(), tmp_path).extensions["nettungen.db"].engine
    try:
        if engine.dialect.name != "postgresql":
            pytest.skip("JIT is PostgreSQL's")
        with engine.connect() as connection:
            assert connection.scalar(text("SHOW jit")) == "off"
    finally:
        engine.dispose()
