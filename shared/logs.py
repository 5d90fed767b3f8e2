"""Structured logs: one JSON object a line on stdout, for every process of every service.

Web workers, the relay and ingest all log through the root logger to stdout (the process
manager, journald or the container runtime, keeps them). Each line has ``time`` (UTC, ISO 8601),
``level``, ``logger``, ``message``, ``service`` and ``pid``, plus whatever the call passed in
``extra``; inside a request also ``request_id``. Every HTTP request gives one access line from
the logger ``nettungen.access`` with ``method``, ``path``, ``status``, ``duration_ms`` and
``remote_addr`` (at level ERROR for a server error, else INFO; ``LOG_ACCESS=off`` leaves out
all but the errors). ``LOG_FORMAT=text`` gives plain lines for people at a terminal (the demo).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
import re
import time
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, g, has_request_context, request, request_finished
from flask import request_started as flask_request_started

from shared.config import ConfigKey, load_config

ACCESS_LOGGER = "nettungen.access"
REQUEST_ID_HEADER = "X-Request-ID"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# An id from the proxy in front (nginx's $request_id) is kept when it is plainly an id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# What every LogRecord has; anything else on a record came in through ``extra``.
_RECORD_ATTRIBUTES = frozenset(
    logging.LogRecord("", logging.INFO, "", 0, "", None, None).__dict__
) | {"message", "asctime", "taskName"}


def _log_format(value: str) -> str:
    if value not in {"json", "text"}:
        raise ValueError("must be json or text")
    return value


def _log_level(value: str) -> str:
    name = value.strip().upper()
    if name not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return name


def _on_off(value: str) -> bool:
    word = value.strip().lower()
    if word not in {"on", "off"}:
        raise ValueError("must be on or off")
    return word == "on"


LOG_CONFIG = [
    ConfigKey(
        "LOG_FORMAT",
        "json: one JSON object a line on stdout (production); text: plain lines for people at "
        "a terminal (the demo sets it).",
        _log_format,
        "json",
    ),
    ConfigKey(
        "LOG_LEVEL", "The lowest level logged: DEBUG, INFO, WARNING or ERROR.", _log_level, "INFO"
    ),
    ConfigKey(
        "LOG_ACCESS",
        "on: one access line per HTTP request (logger nettungen.access); off: none, but for "
        "requests that fail with a server error (the demo sets it, unless --verbose).",
        _on_off,
        "on",
    ),
]


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
            "pid": record.process,
        }
        if has_request_context() and "request_id" in g:
            line["request_id"] = g.request_id
        for key, value in record.__dict__.items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(service: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The :func:`logging.config.dictConfig` of a process of ``service`` (also gunicorn's
    ``logconfig_dict``): everything to stdout in ``LOG_FORMAT``, at ``LOG_LEVEL``."""
    settings = load_config(LOG_CONFIG, environ=environ)
    level = settings["LOG_LEVEL"]
    formatter: dict[str, Any] = (
        {"()": JsonFormatter, "service": service}
        if settings["LOG_FORMAT"] == "json"
        else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "default",
            }
        },
        "root": {"level": level, "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            # The app writes one access line per request itself (with its request id, see
            # init_request_logging); gunicorn's own would repeat each one.
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
            # A line per feed request of the harvester is noise; its failures still show.
            "httpx": {"level": "WARNING"},
            ACCESS_LOGGER: {"level": level if settings["LOG_ACCESS"] else "WARNING"},
        },
    }


def configure_logging(service: str, environ: Mapping[str, str] | None = None) -> None:
    """Log this process (a relay, an ingest) as :func:`logging_config` says."""
    logging.config.dictConfig(logging_config(service, environ))


def init_request_logging(app: Flask) -> None:
    """Give every request an id (kept from ``X-Request-ID`` when the proxy sent a plain one,
    else new), return it in ``X-Request-ID``, and write one access line per request.

    Flask's request signals run around every before- and after-request function, so the line
    has the status the client really got, whatever the other hooks did.
    """
    flask_request_started.connect(_request_started, app)
    request_finished.connect(_request_finished, app)


def _request_started(sender: Flask, **_: Any) -> None:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _request_finished(sender: Flask, response: Response, **_: Any) -> None:
    request_id = g.get("request_id")
    if request_id is None:
        return
    response.headers[REQUEST_ID_HEADER] = request_id
    duration_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    logging.getLogger(ACCESS_LOGGER).log(
        logging.ERROR if response.status_code >= 500 else logging.INFO,
        "%s %s %s %sms",
        request.method,
        request.path,
        response.status_code,
        duration_ms,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "remote_addr": request.remote_addr,
            "bytes": response.content_length,
        },
    )
