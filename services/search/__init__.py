"""National search: the federation's published offers, found by place, words and facets.

It ingests every node's events (the bus, and each node's LDES feed to catch up) into its own
index, and serves the JSON API (``/api/v1/offers``), the national HSDS 3.0 API (``/hsds/``) and
the public site.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from shared.metrics import init_metrics
from shared.web import RequestDatabase, database_and_bus_health, service_app, trust_proxies

API_VERSION = "1.0"
TITLE = "Nettungen national search"
DESCRIPTION = (
    "Every offer for children, youth and families published in the Nettungen federation: "
    "search by municipality, county, words and facets, and the national HSDS 3.0 API."
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the search app; configuration comes from ``config``, then the environment."""
    from services.search.api.api import blp as offers_api
    from services.search.config import CONFIG
    from services.search.hsds.api import blp as hsds_api
    from services.search.site import init_site

    app, api, database = service_app(__name__, CONFIG, config, (TITLE, API_VERSION, DESCRIPTION))
    api.register_blueprint(offers_api)
    api.register_blueprint(hsds_api)
    init_site(app, api)
    api.register_blueprint(
        database_and_bus_health(
            database,
            app.config["BROKER_URL"],
            "Liveness and readiness: the search index, and the bus ingest reads "
            "(BROKER_URL). Search answers from its index without the bus (ingest catches up "
            "from the nodes' feeds), so a bus that cannot be reached makes it degraded, not "
            "unavailable.",
        )
    )
    init_metrics(app, "search", lambda: _gauges(database))
    trust_proxies(app)
    return app


def _gauges(database: RequestDatabase) -> Iterable[tuple[str, str, float]]:
    from services.search.index.models import IndexedOffer
    from shared.ingest.metrics import ingest_gauges

    with database.sessionmaker() as session:
        offers = session.scalar(select(func.count()).select_from(IndexedOffer)) or 0
        yield ("nettungen_search_indexed_offers", "Offers in the search index.", offers)
        yield from ingest_gauges(session)
