"""The publisher: the read side of a node.

It relays the node's event log to the bus (``nettungen publisher relay``) and serves it openly:
the LDES event stream, the DCAT-AP-NO catalog, CPSV-AP-NO offer descriptions and the HSDS 3.0
API. It reads what the registry writes and never changes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from shared.config import load_config
from shared.db import create_engine
from shared.metrics import init_metrics
from shared.web import (
    Api,
    RequestDatabase,
    database_and_bus_health,
    init_web,
    openapi_settings,
    trust_proxies,
)

API_VERSION = "1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the publisher app; configuration comes from ``config``, then the environment."""
    from services.publisher.config import CONFIG
    from services.publisher.hsds.api import blp as hsds_api
    from services.publisher.keys.api import blp as keys_api
    from services.publisher.ldes.api import blp as ldes_api
    from services.publisher.linked.api import blp as linked_api

    settings = load_config(CONFIG, config)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"])
    app.config.update(settings)
    app.config.update(
        openapi_settings(
            "Nettungen node publisher",
            API_VERSION,
            "The open, read-only side of a Nettungen node: the LDES event stream of its offer "
            "versions, its DCAT-AP-NO catalog, CPSV-AP-NO offer descriptions, the HSDS 3.0 API "
            "and the public keys its events are signed with.",
        ),
    )
    database = RequestDatabase(create_engine(settings["DATABASE_URL"]))
    database.init_app(app)
    api = Api()
    init_web(app, api)
    for blueprint in (ldes_api, linked_api, hsds_api, keys_api):
        api.register_blueprint(blueprint)
    api.register_blueprint(
        database_and_bus_health(
            database,
            settings["BROKER_URL"],
            "Liveness and readiness: the node database, and the bus the relay "
            "publishes to (BROKER_URL). The feeds are served without the bus, so a bus that "
            "cannot be reached makes the publisher degraded, not unavailable.",
        )
    )
    init_metrics(app, "publisher", lambda: _gauges(database))
    trust_proxies(app)
    return app


def _gauges(database: RequestDatabase) -> Iterable[tuple[str, str, float]]:
    from shared.publication.models import LogHead, PublishedOffer, RelayCursor

    with database.sessionmaker() as session:
        head = session.get(LogHead, 1)
        last = head.last_seq if head else 0
        published = session.scalar(select(func.count()).select_from(PublishedOffer)) or 0
        cursors = session.scalars(select(RelayCursor)).all()
    yield ("nettungen_log_last_sequence", "Last sequence number in the node's log.", last)
    yield ("nettungen_published_offers", "Offers published now.", published)
    if cursors:
        # The slowest destination is what matters (old ones linger when BROKER_URL changes,
        # so the newest cursor's lag is the live relay's).
        newest = max(cursors, key=lambda c: c.updated_at)
        yield (
            "nettungen_relay_lag_events",
            "Log rows the relay's bus has not yet confirmed.",
            last - newest.last_seq,
        )
