"""One way to build a service's Flask app: each service declares what is its own
(:class:`ServiceApp`) and :func:`build_app` assembles the rest the same for all four."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flask_smorest
from flask import Blueprint, Flask, Response, send_from_directory
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.config import ConfigKey, load_config
from shared.db import create_engine, limit_statement_time
from shared.logs import init_request_logging
from shared.metrics import Gauge, Gauges, init_metrics
from shared.web.context import RequestDatabase
from shared.web.cors import init_cors
from shared.web.errors import STATEMENT_TIMEOUT_KEY, Api, register_error_handlers
from shared.web.guards import (
    BoundedChunkedBodies,
    refuse_metrics_scraper,
    refuse_unexpected_bodies,
    reject_nul_characters,
)
from shared.web.headers import security_headers
from shared.web.health import database_and_bus_health, health_blueprint

SHARED_ASSETS = Path(__file__).resolve().parent.parent / "static"
# Page parts every service's templates include (as "shared/<name>.html").
SHARED_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Health:
    """What ``GET /healthz`` checks: the database always, and the bus (``BROKER_URL``) when
    the service has one beside it; a service answers without the bus, degraded."""

    description: str
    bus: bool = True


@dataclass(frozen=True)
class ServiceApp:
    """What differs between the services' apps; everything else :func:`build_app` does the
    same for all of them."""

    import_name: str
    name: str  # the ``service`` label of its metrics
    settings: Sequence[ConfigKey]
    title: str
    version: str
    description: str
    blueprints: Sequence[flask_smorest.Blueprint]
    health: Health
    # Computed at scrape time in a session of their own, such as how far a relay lags.
    gauges: Callable[[Session], Iterable[Gauge]] | None = None
    engine_options: Mapping[str, Any] = field(default_factory=dict)
    # More of the OpenAPI document's top level, such as ``components`` and ``security``.
    openapi: Mapping[str, Any] = field(default_factory=dict)
    # Run with the app before the web plumbing is set up: settings, CSRF, extensions.
    extensions: Sequence[Callable[[Flask], None]] = ()
    # Registers the HTML pages, after the API's blueprints.
    pages: Callable[[Flask, Api], None] | None = None
    before_request: Sequence[Callable[[], Any]] = ()
    # Path prefixes of the public, anonymous read APIs any web page may read (shared.web.cors).
    open_paths: Sequence[str] = ()


def build_app(service: ServiceApp, config: Mapping[str, Any] | None = None) -> Flask:
    """The service's app with its settings (``config``, then the environment), one transaction
    per request, the error format, the security headers, the OpenAPI document and ``/docs``,
    its blueprints and pages, ``/healthz``, ``/metrics``, cross-origin reads of its open paths,
    and the proxies it trusts."""
    settings = load_config(service.settings, config)
    app = Flask(service.import_name, instance_path=settings["INSTANCE_PATH"])
    app.config.update(settings)
    app.config.update(openapi_settings(service.title, service.version, service.description))
    app.config["API_SPEC_OPTIONS"].update(service.openapi)
    database = RequestDatabase(_engine(settings, service.engine_options))
    database.init_app(app)
    for extension in service.extensions:
        extension(app)
    api = Api()
    init_web(app, api)
    for blueprint in service.blueprints:
        api.register_blueprint(blueprint)
    if service.pages is not None:
        service.pages(app, api)
    api.register_blueprint(_health(service.health, database, settings))
    gauges = service.gauges and _reading(database, service.gauges)
    init_metrics(app, service.name, gauges, refuse_metrics_scraper)
    for hook in service.before_request:
        app.before_request(hook)
    init_cors(app, service.open_paths)
    app.wsgi_app = BoundedChunkedBodies(  # type: ignore[method-assign]
        app.wsgi_app, settings.get("MAX_CONTENT_LENGTH")
    )
    trust_proxies(app)
    return app


def _engine(settings: Mapping[str, Any], options: Mapping[str, Any]) -> Engine:
    engine = create_engine(settings["DATABASE_URL"], **options)
    limit_statement_time(engine, settings.get(STATEMENT_TIMEOUT_KEY.name) or 0)
    return engine


def _health(
    health: Health, database: RequestDatabase, settings: Mapping[str, Any]
) -> flask_smorest.Blueprint:
    if health.bus:
        return database_and_bus_health(database, settings["BROKER_URL"], health.description)
    return health_blueprint({"database": database.ping}, description=health.description)


def _reading(database: RequestDatabase, gauges: Callable[[Session], Iterable[Gauge]]) -> Gauges:
    def collect() -> Iterator[Gauge]:
        with database.sessionmaker() as session:
            yield from gauges(session)

    return collect


def init_web(app: Flask, api: Api) -> None:
    """Register the request ids and access log lines, the error handlers, the input guards (the
    body's size first), the security headers, the shared stylesheet (``/assets/``) and the
    local Swagger UI for ``/docs``."""
    init_request_logging(app)
    # Before any other hook, an extension's too (CSRF reads the form): nothing may read a
    # body this refuses.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_unexpected_bodies)
    app.before_request(reject_nul_characters)
    app.after_request(security_headers)
    api.init_app(app)
    register_error_handlers(app, api)
    app.register_blueprint(_docs_assets_blueprint())
    app.register_blueprint(_shared_assets_blueprint())


TRUSTED_PROXIES_KEY = ConfigKey(
    "TRUSTED_PROXIES",
    "How many reverse proxies in front of the service set X-Forwarded-* (0 = none).",
    int,
    0,
)


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


def _shared_assets_blueprint() -> Blueprint:
    bp = Blueprint("assets", __name__, template_folder=SHARED_TEMPLATES)

    @bp.get("/assets/<path:filename>")
    def asset(filename: str) -> Response:
        return send_from_directory(SHARED_ASSETS, filename, max_age=3600)

    return bp


def _docs_assets_blueprint() -> Blueprint:
    # Swagger UI ships inside the swagger-ui-bundle package; nothing is fetched from a CDN.
    import swagger_ui_bundle

    directory = Path(swagger_ui_bundle.swagger_ui_path)
    bp = Blueprint("docs_assets", __name__)

    @bp.get("/docs-assets/<path:filename>")
    def asset(filename: str) -> Response:
        return send_from_directory(directory, filename, max_age=86400)

    return bp
