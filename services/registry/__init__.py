"""The registry: where offers are born. Write side of a node, with its internal API and app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import Flask

from shared.config import load_config
from shared.db import create_engine
from shared.metrics import init_metrics
from shared.publication.keys import Signer
from shared.web import (
    Api,
    RequestDatabase,
    health_blueprint,
    init_web,
    openapi_settings,
    trust_proxies,
)

API_VERSION = "1.0"


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

    settings = load_config(CONFIG, config)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"])
    app.config.update(settings)
    app.config.update(
        openapi_settings(
            "Nettungen registry",
            API_VERSION,
            "The write side of a Nettungen node: member organisations, users and roles, offers "
            "and the publishing workflow. Authenticate with 'Authorization: Bearer <token>' "
            "or a browser session (writes then need the X-CSRFToken header).",
        ),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings["SESSION_LIFETIME_HOURS"]),
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config["API_SPEC_OPTIONS"]["components"] = {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
    }
    app.config["API_SPEC_OPTIONS"]["security"] = [{"bearer": []}]

    database = RequestDatabase(create_engine(settings["DATABASE_URL"], sqlite_begin="IMMEDIATE"))
    database.init_app(app)
    app.extensions["nettungen.signer"] = Signer(settings["SIGNING_KEY_PASSPHRASE"])
    csrf.init_app(app)
    api = Api()
    init_web(app, api)
    for blueprint in (organisations_api, accounts_api, offers_api, duties_api, reference_api):
        api.register_blueprint(blueprint)
    api.register_blueprint(
        health_blueprint(
            {"database": database.ping},
            description="Liveness and readiness: the node database. The registry has no bus "
            "to check: it writes each event to the node's log in the database, and the "
            "publisher's relay carries the log to the bus.",
        )
    )
    init_metrics(app, "registry")
    init_pages(app, api)
    app.before_request(authenticate)
    trust_proxies(app)
    return app
