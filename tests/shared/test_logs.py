"""Structured logs: one JSON object a line, request ids, one access line per request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from shared.config import ConfigError
from shared.logs import ACCESS_LOGGER, JsonFormatter, init_request_logging, logging_config


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the root logger writes through the JSON formatter, for the test's duration."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("registry"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_is_json_with_the_fields(lines: io.StringIO) -> None:
    logging.getLogger("services.registry.test").warning(
        "offer %s refused", "abc", extra={"offer_id": "abc", "attempt": 2}
    )
    [line] = parsed(lines)
    assert line["level"] == "WARNING"
    assert line["logger"] == "services.registry.test"
    assert line["message"] == "offer abc refused"
    assert line["service"] == "registry"
    assert line["offer_id"] == "abc" and line["attempt"] == 2
    assert line["time"].endswith("+00:00") and "T" in line["time"]
    assert isinstance(line["pid"], int)
    assert "request_id" not in line  # outside a request


def test_exceptions_and_odd_values_stay_one_line(lines: io.StringIO) -> None:
    try:
        raise ValueError("bad input\nover two lines")
    except ValueError:
        logging.getLogger("x").exception("failed", extra={"thing": object()})
    [line] = parsed(lines)
    assert line["level"] == "ERROR"
    assert "ValueError: bad input" in line["exception"]
    assert line["thing"].startswith("<object object")


@pytest.fixture
def small_app() -> Flask:
    """A bare Flask app with request logging and nothing else."""
    app = Flask(__name__)
    init_request_logging(app)

    @app.get("/work")
    def work() -> str:
        logging.getLogger("services.registry.views").info("working")
        return "done"

    @app.get("/broken")
    def broken() -> str:
        raise RuntimeError("boom")

    return app


def test_requests_get_an_id_and_one_access_line(small_app: Flask, lines: io.StringIO) -> None:
    response = small_app.test_client().get("/work?secret=1", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    work, access = parsed(lines)
    # A line logged inside the request carries its id.
    assert (work["message"], work["request_id"]) == ("working", "abc-123")
    assert access["logger"] == ACCESS_LOGGER
    assert access["request_id"] == "abc-123"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/work", 200)
    assert access["message"].startswith("GET /work 200 ")
    assert access["bytes"] == 4 and access["duration_ms"] >= 0
    assert "secret" not in json.dumps(access)  # the query string is not logged


def test_an_odd_request_id_is_replaced(small_app: Flask, lines: io.StringIO) -> None:
    response = small_app.test_client().get("/work", headers={"X-Request-ID": 'x" injected\t'})
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32 and request_id.isalnum()
    assert parsed(lines)[-1]["request_id"] == request_id
    other = small_app.test_client().get("/work").headers["X-Request-ID"]
    assert other != request_id


def test_failed_requests_are_logged_with_their_status(small_app: Flask, lines: io.StringIO) -> None:
    assert small_app.test_client().get("/broken").status_code == 500
    access = [line for line in parsed(lines) if line["logger"] == ACCESS_LOGGER]
    assert [(line["path"], line["status"]) for line in access] == [("/broken", 500)]
    assert any("RuntimeError: boom" in line.get("exception", "") for line in parsed(lines))


def test_the_service_apps_log_requests(client: Any, lines: io.StringIO) -> None:
    client.get("/healthz")
    [access] = [line for line in parsed(lines) if line["logger"] == ACCESS_LOGGER]
    assert (access["path"], access["status"]) == ("/healthz", 200)


def test_logging_config_follows_the_environment() -> None:
    text = logging_config("search", {"LOG_FORMAT": "text", "LOG_LEVEL": "warning"})
    assert text["root"]["level"] == "WARNING"
    assert "format" in text["formatters"]["default"]
    json_config = logging_config("search", {})
    assert json_config["formatters"]["default"] == {"()": JsonFormatter, "service": "search"}
    assert json_config["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
    with pytest.raises(ConfigError, match="LOG_FORMAT: must be json or text"):
        logging_config("search", {"LOG_FORMAT": "xml"})


def test_access_lines_can_be_left_out_but_for_server_errors() -> None:
    # The demo's console: no line per feed poll, unless asked for (LOG_ACCESS=on, --verbose).
    quiet = logging_config("publisher", {"LOG_FORMAT": "text", "LOG_ACCESS": "off"})
    assert quiet["loggers"][ACCESS_LOGGER]["level"] == "WARNING"
    assert quiet["root"]["level"] == "INFO"  # what the processes report still shows
    assert logging_config("publisher", {})["loggers"][ACCESS_LOGGER]["level"] == "INFO"
    with pytest.raises(ConfigError, match="LOG_ACCESS: must be on or off"):
        logging_config("publisher", {"LOG_ACCESS": "quiet"})


def test_a_server_error_is_an_error_line(small_app: Flask, lines: io.StringIO) -> None:
    small_app.test_client().get("/broken")
    small_app.test_client().get("/work")
    levels = {line["path"]: line["level"] for line in parsed(lines) if "path" in line}
    assert levels == {"/broken": "ERROR", "/work": "INFO"}


def test_the_demo_is_quiet_unless_verbose() -> None:
    from services.cli import demo_logging

    assert demo_logging({}, verbose=False) == {"LOG_FORMAT": "text", "LOG_ACCESS": "off"}
    assert demo_logging({}, verbose=True) == {"LOG_FORMAT": "text", "LOG_ACCESS": "on"}
    assert demo_logging({"LOG_FORMAT": "json", "LOG_ACCESS": "on"}, verbose=False) == {
        "LOG_FORMAT": "json",
        "LOG_ACCESS": "on",
    }
