"""Guards on what a request may carry, checked before any view sees it."""

from __future__ import annotations

import hmac
import io
import ipaddress
from typing import TYPE_CHECKING, Any

from flask import Response, current_app, request

from shared.config import ConfigKey, non_negative_int
from shared.messages import Message
from shared.web.errors import error_response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Methods whose requests carry no content (RFC 9110 gives a body on them no meaning).
BODILESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
TOO_LARGE_MESSAGE = "The request body is larger than this service accepts; nothing was changed."
NO_BODY_MESSAGE = "This request takes no body; nothing was changed."
_TOO_LARGE = "nettungen.body_too_large"

METRICS_TOKEN_KEY = ConfigKey(
    "METRICS_TOKEN",
    "Bearer token a Prometheus scraper must send to read /metrics. Unset: /metrics answers "
    "only clients on this machine that come through no proxy.",
    str,
    None,
    secret=True,
)


def max_content_length(default: int) -> ConfigKey:
    """The ``MAX_CONTENT_LENGTH`` setting of a service (Flask's own name, which it also
    enforces while a body is read), with the service's own default."""
    return ConfigKey(
        "MAX_CONTENT_LENGTH",
        "Largest request body accepted, in bytes; larger ones get 413 before they are read "
        "(0: the service takes no request body at all).",
        non_negative_int,
        default,
    )


class BoundedChunkedBodies:
    """WSGI middleware: a body sent in chunks (no ``Content-Length`` to check up front) is read
    here, but never more than ``limit`` bytes and one, and handed on with its length, so
    :func:`refuse_unexpected_bodies` judges it like any other. Past the limit reading stops
    and the request is marked too large."""

    def __init__(self, app: WSGIApplication, limit: int | None) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if self.limit is not None and chunked and not environ.get("CONTENT_LENGTH"):
            body = _read_at_most(environ["wsgi.input"], self.limit + 1)
            if len(body) > self.limit:
                environ[_TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("wsgi.input_terminated", None)
            del environ["HTTP_TRANSFER_ENCODING"]
        return self.app(environ, start_response)


def _read_at_most(stream: Any, size: int) -> bytes:
    parts, left = [], size
    while left > 0:
        part = stream.read(min(left, 65536))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def refuse_unexpected_bodies() -> Response | None:
    """Refuse a body larger than ``MAX_CONTENT_LENGTH``, or one where none is expected, before
    any of it is read (a ``before_request`` function that must run first)."""
    if request.environ.get(_TOO_LARGE):
        return error_response(413, TOO_LARGE_MESSAGE)
    length = request.content_length
    if not length:
        return None
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    # A declared length is checked up front, so the server never reads a byte of it.
    if limit is not None and length > limit:
        return error_response(413, TOO_LARGE_MESSAGE)
    if request.method in BODILESS_METHODS:
        return error_response(400, NO_BODY_MESSAGE)
    return None


def reject_nul_characters() -> Response | None:
    """Refuse a NUL character in the address or the body (a ``before_request`` function)."""
    # PostgreSQL cannot store NUL in text and SQLite can: refuse it at the edge, so every
    # backend answers the same and no NUL reaches a feed.
    if "\x00" in request.path or b"%00" in request.query_string:
        return error_response(400, Message("request.nul_in_address"))
    if request.mimetype == "multipart/form-data":
        # Uploaded files are binary (an XLSX workbook is a zip archive): check the text fields.
        if any("\x00" in value for value in request.form.values()):
            return error_response(400, Message("request.nul_in_body"))
        return None
    body = request.get_data() if request.content_length else b""
    if b"\\u0000" in body or b"\x00" in body:
        return error_response(400, Message("request.nul_in_body"))
    return None


def refuse_metrics_scraper() -> Response | None:
    """An error answer unless this request may read ``/metrics``: with ``METRICS_TOKEN`` set,
    only a scraper sending ``Authorization: Bearer <token>``; without it, only a client on
    this machine (loopback) that came through no proxy, since a proxy on the same host would
    otherwise make every visitor look local."""
    token = current_app.config.get(METRICS_TOKEN_KEY.name)
    if token:
        sent = request.headers.get("Authorization", "")
        if hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return None
        return error_response(
            401, "The metrics need the scraper's token.", headers={"WWW-Authenticate": "Bearer"}
        )
    if _is_loopback(request.remote_addr) and "X-Forwarded-For" not in request.headers:
        return None
    return error_response(403, "The metrics answer only on this machine, or with a token.")


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
