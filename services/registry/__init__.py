"""The registry: where offers are born. Write side of a node, with its internal API and app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Flask

from shared.publication.keys import Signer
from shared.web import Health, ServiceApp, build_app

API_VERSION = "1.0"
DESCRIPTION = (
    "The write side of a Nettungen node: member organisations, users and roles, offers "
    "and the publishing workflow. Authenticate with 'Authorization: Bearer <token>' "
    "or a browser session (writes then need the X-CSRFToken header)."
)
HEALTH = Health(
    "Liveness and readiness: the node database. The registry has no bus to check: it writes "
    "each event to the node's log in the database, and the publisher's relay carries the log "
    "to the bus.",
    bus=False,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the registry app; configuration comes from ``config``, then the environment."""
    from services.registry.accounts.api import blp as accounts_api
    from services.registry.config import CONFIG
    from services.registry.context import authenticate, csrf
    from services.registry.duties.api import blp as duties_api
    from services.registry.offers.api import blp as offers_api
    from services.registry.organisations.api import blp as organisations_api
    from services.registry.reference.api import blp as reference_api
    from services.registry.ui.app import init_pages

    return build_app(
        ServiceApp(
            __name__,
            name="registry",
            settings=CONFIG,
            title="Nettungen registry",
            version=API_VERSION,
            description=DESCRIPTION,
            blueprints=(organisations_api, accounts_api, offers_api, duties_api, reference_api),
            health=HEALTH,
            # Writers queue for the database rather than fail on SQLite's lock upgrade.
            engine_options={"sqlite_begin": "IMMEDIATE"},
            openapi={
                "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
                "security": [{"bearer": []}],
            },
            extensions=(_browser_sessions, _signer, _national, csrf.init_app),
            pages=init_pages,
            before_request=(authenticate,),
        ),
        config,
    )


def _browser_sessions(app: Flask) -> None:
    # Session cookies for the internal app; CSRF is checked only where a view asks for it.
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=app.config["SESSION_LIFETIME_HOURS"]),
        # The cookie lasts the absolute lifetime from login; the server ends the session on
        # idle time and on logout (services.registry.context).
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
    )


def _signer(app: Flask) -> None:
    app.extensions["nettungen.signer"] = Signer(app.config["SIGNING_KEY_PASSPHRASE"])


def _national(app: Flask) -> None:
    from services.registry.national.services import National

    app.extensions["nettungen.national"] = National.create(
        app.config["NATIONAL_SEARCH_URL"],
        app.config["NATIONAL_REPORTING_URL"],
        app.config["NATIONAL_TIMEOUT_SECONDS"],
    )
