"""Flask plumbing shared by every service: one error format, one transaction per request, docs.

Every error any service returns has the same JSON body::

    {"code": 422, "status": "Unprocessable Entity", "message": "...",
     "errors": {"json": {"age_min": ["..."]}}}

``errors`` is present when there are field-level messages, keyed by where the field was sent
(``json``, ``query``, ``path``) and then by field name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import flask_smorest
from flask import Blueprint, Flask, Response, g, jsonify, request, send_from_directory
from flask.views import MethodView
from flask_smorest.pagination import PaginationMetadataSchema
from marshmallow import Schema, fields
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.config import ConfigKey, load_config, non_negative_int
from shared.db import create_engine, is_statement_timeout, limit_statement_time
from shared.errors import DomainError, TooManyRequests
from shared.i18n import for_api
from shared.logs import init_request_logging

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


def error_response(
    status: int,
    message: str,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
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
        if status >= 500:
            log.error("request failed", exc_info=getattr(error, "original_exception", None))
            message = "An internal error occurred; nothing was changed."
        else:
            message = data.get("message") or error.description or error.name
        errors = data.get("errors") or data.get("messages")
        # Keep the headers the exception carries besides its own body's type: a 405 must say
        # which methods are allowed (RFC 9110), a 401 how to authenticate.
        headers = {
            name: value for name, value in error.get_headers() if name.lower() != "content-type"
        }
        headers.update(data.get("headers") or {})
        return error_response(status, message, errors, headers)


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
    return error_response(400, "The request holds a value that cannot be stored.")


def _handle_integrity_error(error: IntegrityError) -> Response:
    log.info("write refused by a database constraint: %s", error.orig)
    return error_response(409, "The change conflicts with existing data; nothing was changed.")


class RequestDatabase:
    """One SQLAlchemy session and one transaction per request.

    Views never commit. After the view, a successful response (status below 400) commits and
    any other rolls back, so a failed request changes nothing. A constraint that only the
    database can check (a unique name raced by two requests) becomes a 409, not a 500.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessionmaker = sessionmaker(bind=engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        app.extensions["nettungen.db"] = self
        app.after_request(self._finish)
        app.teardown_request(self._close)

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.sessionmaker()
        session: Session = g.db_session
        return session

    def keep_despite_error(self) -> None:
        """Commit this request's writes even though it answers with an error status.

        For records that must outlive a refusal, such as a failed login counted by the
        throttle; the view must have written nothing else.
        """
        g.db_keep_despite_error = True

    def _finish(self, response: Response) -> Response:
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if response.status_code < 400 or g.pop("db_keep_despite_error", False):
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    log.info("commit refused by a database constraint", exc_info=True)
                    return error_response(
                        409, "The change conflicts with existing data; nothing was changed."
                    )
            else:
                session.rollback()
        finally:
            session.close()
        return response

    def _close(self, _exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()

    def ping(self) -> None:
        with self.sessionmaker() as session:
            session.execute(text("SELECT 1"))


def _reject_nul_characters() -> Response | None:
    # PostgreSQL cannot store NUL in text and SQLite can: refuse it at the edge, so every
    # backend answers the same and no NUL reaches a feed.
    if "\x00" in request.path or b"%00" in request.query_string:
        return error_response(400, "NUL characters are not allowed in the address.")
    if request.mimetype == "multipart/form-data":
        # Uploaded files are binary (an XLSX workbook is a zip archive): check the text fields.
        if any("\x00" in value for value in request.form.values()):
            return error_response(400, "NUL characters are not allowed in the request body.")
        return None
    body = request.get_data() if request.content_length else b""
    if b"\\u0000" in body or b"\x00" in body:
        return error_response(400, "NUL characters are not allowed in the request body.")
    return None


def init_web(app: Flask, api: Api) -> None:
    """Register the request ids and access log lines, the error handlers, the input guard, the
    security headers, the shared stylesheet (``/assets/``) and the local Swagger UI for
    ``/docs``."""
    init_request_logging(app)
    app.before_request(_reject_nul_characters)
    app.after_request(_security_headers)
    api.init_app(app)
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(IntegrityError, _handle_integrity_error)
    app.register_error_handler(DataError, _handle_data_error)
    app.register_error_handler(OverflowError, _handle_data_error)

    def database_error(error: OperationalError) -> Response | tuple[str, int]:
        timed_out = is_statement_timeout(error)
        if timed_out:
            log.warning(
                "statement cancelled after %s ms", app.config.get(STATEMENT_TIMEOUT_KEY.name)
            )
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

    app.register_error_handler(OperationalError, database_error)
    app.register_blueprint(_docs_assets_blueprint())
    app.register_blueprint(_shared_assets_blueprint())


STATEMENT_TIMEOUT_MESSAGE = (
    "The request took longer than the service allows; nothing was changed. Narrow it (a "
    "municipality, a filter, fewer words) or try again later."
)


def _page_error_handler(app: Flask) -> Callable[[HTTPException], Any] | None:
    """The HTTP error handler of the blueprint (or a parent) serving this request, if any:
    page blueprints register one that renders an HTML error page."""
    for name in request.blueprints:
        handler = app.error_handler_spec.get(name, {}).get(None, {}).get(HTTPException)
        if handler is not None:
            return handler
    return None


# Pages load nothing but their own stylesheet, images and (where any) scripts, are never framed
# and post forms only to themselves. Swagger UI at /docs starts itself with an inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
HSTS = "max-age=63072000; includeSubDomains"


def _security_headers(response: Response) -> Response:
    headers = response.headers
    policy = DOCS_CONTENT_SECURITY_POLICY if request.path == "/docs" else CONTENT_SECURITY_POLICY
    headers.setdefault("Content-Security-Policy", policy)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _shared_assets_blueprint() -> Blueprint:
    bp = Blueprint("assets", __name__)
    directory = Path(__file__).parent / "static"

    @bp.get("/assets/<path:filename>")
    def asset(filename: str) -> Response:
        return send_from_directory(directory, filename, max_age=3600)

    return bp


def service_app(
    import_name: str,
    declarations: Sequence[ConfigKey],
    config: Mapping[str, Any] | None,
    info: tuple[str, str, str],
) -> tuple[Flask, Api, RequestDatabase]:
    """A service's app with its settings (``config``, then the environment), one transaction
    per request, the error format, the security headers and the OpenAPI document described by
    ``info`` (title, version, description). The caller registers its blueprints."""
    settings = load_config(declarations, config)
    app = Flask(import_name, instance_path=settings["INSTANCE_PATH"])
    app.config.update(settings)
    app.config.update(openapi_settings(*info))
    engine = create_engine(settings["DATABASE_URL"])
    limit_statement_time(engine, settings.get(STATEMENT_TIMEOUT_KEY.name) or 0)
    database = RequestDatabase(engine)
    database.init_app(app)
    api = Api()
    init_web(app, api)
    return app, api, database


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-* from as many proxies as ``TRUSTED_PROXIES`` says (0: none)."""
    count = app.config.get("TRUSTED_PROXIES") or 0
    if count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )


def openapi_settings(title: str, version: str, description: str) -> dict[str, Any]:
    """flask-smorest settings: ``/openapi.json`` and ``/docs``, with Swagger UI served locally."""
    return {
        "API_TITLE": title,
        "API_VERSION": version,
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs-assets/",
        "API_SPEC_OPTIONS": {"info": {"description": description}},
    }


def _docs_assets_blueprint() -> Blueprint:
    # Swagger UI ships inside the swagger-ui-bundle package; nothing is fetched from a CDN.
    import swagger_ui_bundle

    directory = Path(swagger_ui_bundle.swagger_ui_path)
    bp = Blueprint("docs_assets", __name__)

    @bp.get("/docs-assets/<path:filename>")
    def asset(filename: str) -> Response:
        return send_from_directory(directory, filename, max_age=86400)

    return bp


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok, degraded or failing"})
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


def health_blueprint(
    checks: Mapping[str, Callable[[], None]],
    degrading: Collection[str] = (),
    description: str = "Liveness and readiness.",
) -> flask_smorest.Blueprint:
    """``GET /healthz``: every check's result, and whether the service can do its job.

    200 ``ok`` when every check passes; 503 ``failing`` when one fails that the service cannot
    answer without (its database). A check named in ``degrading`` guards something the service
    can answer without for a while, such as the bus beside a service whose readers never touch
    it: when only those fail the answer is 200 ``degraded``, naming them, so a load balancer
    keeps serving the feeds and the API while monitoring sees the fault.
    """
    unknown = set(degrading) - set(checks)
    if unknown:
        raise ValueError(f"degrading names checks that do not exist: {sorted(unknown)}")
    bp = flask_smorest.Blueprint("health", __name__, description=description)

    @bp.route("/healthz")
    class Health(MethodView):
        @bp.doc(security=[])  # open to the load balancer, whatever the API's own scheme
        @bp.response(
            200, HealthSchema, description="Every check passes, or only degrading ones fail."
        )
        @bp.alt_response(503, schema=HealthSchema, description="A dependency is failing.")
        def get(self) -> tuple[dict[str, Any], int]:
            results = {}
            for name, check in checks.items():
                try:
                    check()
                    results[name] = "ok"
                except Exception as exc:  # noqa: BLE001 - a health check reports every failure
                    log.warning("health check %s failed: %s", name, exc)
                    results[name] = "failing"
            failing = {name for name, result in results.items() if result != "ok"}
            if not failing:
                return {"status": "ok", "checks": results}, 200
            if failing <= set(degrading):
                return {"status": "degraded", "checks": results}, 200
            return {"status": "failing", "checks": results}, 503

    return bp


def database_and_bus_health(
    database: RequestDatabase, broker_url: str, description: str
) -> flask_smorest.Blueprint:
    """``GET /healthz`` of a service that answers from its database and has the bus beside it
    (the publisher's relay, an ingest): failing without the database, degraded without the
    bus."""
    from shared.bus import ping

    return health_blueprint(
        {"database": database.ping, "bus": lambda: ping(broker_url)},
        degrading={"bus"},
        description=description,
    )
