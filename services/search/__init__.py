"""National search: the federation's published offers, found by place, words and facets.

It ingests every node's events (the bus, and each node's LDES feed to catch up) into its own
index, and serves the JSON API (``/api/v1/offers``), the national HSDS 3.1 API (``/hsds/``) and
the public site.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.metrics import Gauge
from shared.web import Health, ServiceApp, build_app

API_VERSION = "1.0"
TITLE = "Nettungen national search"
DESCRIPTION = (
    "Every offer for children, youth and families published in the Nettungen federation: "
    "search by municipality, county, words and facets, and the national HSDS 3.1 API."
)
# The open data any web page may read (shared.web.cors); never the site's pages.
OPEN_PATHS = ("/api/v1", "/hsds", "/catalog", "/offers.csv", "/offers.xlsx", "/openapi.json")
HEALTH = Health(
    "Liveness and readiness: the search index, and the bus ingest reads "
    "(BROKER_URL). Search answers from its index without the bus (ingest catches up "
    "from the nodes' feeds), so a bus that cannot be reached makes it degraded, not "
    "unavailable."
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the search app; configuration comes from ``config``, then the environment."""
    from services.search.api.api import blp as offers_api
    from services.search.api.opendata import blp as opendata_api
    from services.search.config import CONFIG
    from services.search.db import plan_for_search
    from services.search.hsds.api import blp as hsds_api
    from services.search.site import init_site
    from shared.ingest.status_web import status_api

    app = build_app(
        ServiceApp(
            __name__,
            name="search",
            settings=CONFIG,
            title=TITLE,
            version=API_VERSION,
            description=DESCRIPTION,
            blueprints=(offers_api, hsds_api, opendata_api, status_api()),
            health=HEALTH,
            gauges=_gauges,
            pages=init_site,
            open_paths=OPEN_PATHS,
        ),
        config,
    )
    plan_for_search(app.extensions["nettungen.db"].engine)
    return app


def _gauges(session: Session) -> Iterator[Gauge]:
    from services.search.index.models import IndexedOffer
    from shared.ingest.metrics import ingest_gauges

    offers = session.scalar(select(func.count()).select_from(IndexedOffer)) or 0
    yield ("nettungen_search_indexed_offers", "Offers in the search index.", offers)
    yield from ingest_gauges(session)
