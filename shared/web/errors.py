"""The one error payload of every service, and the handlers that turn failures into it.

Every error any service returns has the same JSON body::

    {"code": 422, "status": "Unprocessable Entity", "message": "...",
     "errors": {"json": {"age_min": ["..."]}}}

``errors`` is present when there are field-level messages, keyed by where the field was sent
(``json``, ``query``, ``path``) and then by field name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import flask_smorest
from flask import Flask, Response, jsonify, request
from flask_smorest.pagination import PaginationMetadataSchema
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from shared.config import ConfigKey, non_negative_int
from shared.db import is_statement_timeout
from shared.errors import DomainError, TooManyRequests
from shared.i18n import for_api
from shared.messages import Message

log = logging.getLogger(__name__)

# Declared by the national services, whose requests may ask for heavy aggregates: a request
# that runs away is cancelled with a 503 rather than holding a worker and a connection.
STATEMENT_TIMEOUT_KEY = ConfigKey(
    "STATEMENT_TIMEOUT_MS",
    "Milliseconds a database statement of a web request may run before it is cancelled and "
    "the request answered 503 (0 = no limit).",
    non_negative_int,
    10_000,
)
STATEMENT_TIMEOUT_MESSAGE = Message("request.statement_timeout")
CONFLICT_MESSAGE = Message("request.conflict")
# A query string refused as a whole (shared.web.query.strict_query): what is wrong is in
# errors.query.
BAD_QUERY_MESSAGE = Message("request.bad_query")


def error_response(
    status: int,
    message: str,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error payload with ``status``, ``message`` and, if any, field-level ``errors``."""
    payload: dict[str, Any] = {
        "code": status,
        "status": HTTP_STATUS_CODES.get(status, "Error"),
        "message": for_api(message),
    }
    if errors:
        payload["errors"] = for_api(errors)
    response = jsonify(payload)
    response.status_code = status
    response.headers.update(headers or {})
    return response


class Api(flask_smorest.Api):
    """flask-smorest's Api with our error payload for every HTTP error, routed or not, and the
    pagination header documented as what it is."""

    def _register_pagination_header(self) -> None:
        # X-Pagination holds a JSON object. flask-smorest describes it with a `schema` of type
        # object, which in OpenAPI 3 means comma-separated name=value pairs; `content` says
        # JSON, so clients (and schemathesis) read the header as it is sent.
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata, a JSON object.",
                "content": {"application/json": {"schema": PaginationMetadataSchema}},
            },
            lazy=True,
        )

    def handle_http_exception(self, error: HTTPException) -> Response:
        data = getattr(error, "data", None) or {}
        status = error.code or 500
        message: str
        if status >= 500:
            log.error("request failed", exc_info=getattr(error, "original_exception", None))
            message = Message("request.internal_error")
        else:
            message = data.get("message") or error.description or error.name
        errors = data.get("errors") or data.get("messages")
        if status == 400 and not data.get("message") and "query" in (errors or {}):
            message = BAD_QUERY_MESSAGE
        # Keep the headers the exception carries besides its own body's type: a 405 must say
        # which methods are allowed (RFC 9110), a 401 how to authenticate.
        headers = {
            name: value for name, value in error.get_headers() if name.lower() != "content-type"
        }
        headers.update(data.get("headers") or {})
        return error_response(status, message, errors, headers)


def register_error_handlers(app: Flask, api: Api) -> None:
    """Answer service errors, refused values and database failures with the error payload
    (or a page blueprint's HTML error page, for a database failure under a page)."""
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(IntegrityError, _handle_integrity_error)
    app.register_error_handler(DataError, _handle_data_error)
    app.register_error_handler(OverflowError, _handle_data_error)

    def database_error(error: OperationalError) -> Response | tuple[str, int]:
        return _handle_database_error(app, api, error)

    app.register_error_handler(OperationalError, database_error)


def _handle_domain_error(error: DomainError) -> Response:
    errors = {"json": error.errors} if error.errors else None
    headers = {}
    if isinstance(error, TooManyRequests):
        headers["Retry-After"] = str(error.retry_after)
    return error_response(error.status_code, error.message, errors, headers)


def _handle_data_error(error: Exception) -> Response:
    # A value the database cannot store (a NUL byte, a number beyond 64 bits) that validation
    # let through: the client's input, so a 400, and the transaction is rolled back.
    log.info("value refused by the database: %s", error)
    return error_response(400, Message("request.unstorable_value"))


def _handle_integrity_error(error: IntegrityError) -> Response:
    log.info("write refused by a database constraint: %s", error.orig)
    return error_response(409, CONFLICT_MESSAGE)


def _handle_database_error(
    app: Flask, api: Api, error: OperationalError
) -> Response | tuple[str, int]:
    timed_out = is_statement_timeout(error)
    if timed_out:
        log.warning("statement cancelled after %s ms", app.config.get(STATEMENT_TIMEOUT_KEY.name))
        exception: HTTPException = ServiceUnavailable(STATEMENT_TIMEOUT_MESSAGE, retry_after=30)
    else:
        exception = InternalServerError(original_exception=error)
    # A page blueprint answers with its own HTML error page, as for any other failure.
    page = _page_error_handler(app)
    if page is not None:
        if not timed_out:
            log.error("request failed", exc_info=error)
        return page(exception)
    if not timed_out:
        return api.handle_http_exception(exception)
    return error_response(503, STATEMENT_TIMEOUT_MESSAGE, headers={"Retry-After": "30"})


def _page_error_handler(app: Flask) -> Callable[[HTTPException], Any] | None:
    """The HTTP error handler of the blueprint (or a parent) serving this request, if any:
    page blueprints register one that renders an HTML error page."""
    for name in request.blueprints:
        handler = app.error_handler_spec.get(name, {}).get(None, {}).get(HTTPException)
        if handler is not None:
            return handler
    return None
