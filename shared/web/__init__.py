"""Flask plumbing shared by every service, one module per concern.

- :mod:`~shared.web.errors`: the one error payload, the ``Api`` and the error handlers;
- :mod:`~shared.web.headers`: the security headers;
- :mod:`~shared.web.cors`: cross-origin reads of the open data;
- :mod:`~shared.web.guards`: what a request may not carry (a body too large or not expected,
  NUL characters);
- :mod:`~shared.web.context`: one session and one transaction per request, ``db_session()``;
- :mod:`~shared.web.health`: ``GET /healthz``;
- :mod:`~shared.web.assembly`: :func:`build_app`, the one way to build a service's app.
"""

from shared.web.assembly import (
    TRUSTED_PROXIES_KEY,
    Health,
    ServiceApp,
    build_app,
    init_web,
    openapi_settings,
    trust_proxies,
)
from shared.web.context import RequestDatabase, db_session, request_database
from shared.web.errors import (
    STATEMENT_TIMEOUT_KEY,
    STATEMENT_TIMEOUT_MESSAGE,
    Api,
    error_response,
)
from shared.web.guards import max_content_length, refuse_unexpected_bodies, reject_nul_characters
from shared.web.headers import (
    CONTENT_SECURITY_POLICY,
    DOCS_CONTENT_SECURITY_POLICY,
    HSTS,
    frame_ancestors,
    framed_by,
    with_images_from,
)
from shared.web.health import HealthSchema, database_and_bus_health, health_blueprint

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "DOCS_CONTENT_SECURITY_POLICY",
    "HSTS",
    "STATEMENT_TIMEOUT_KEY",
    "STATEMENT_TIMEOUT_MESSAGE",
    "Api",
    "Health",
    "HealthSchema",
    "RequestDatabase",
    "ServiceApp",
    "build_app",
    "database_and_bus_health",
    "db_session",
    "error_response",
    "frame_ancestors",
    "framed_by",
    "with_images_from",
    "health_blueprint",
    "init_web",
    "max_content_length",
    "openapi_settings",
    "refuse_unexpected_bodies",
    "reject_nul_characters",
    "request_database",
    "TRUSTED_PROXIES_KEY",
    "trust_proxies",
]
