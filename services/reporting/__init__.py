"""National reporting: the pyramid, coverage, statutory duties, overlaps, quality and trend of
the federation's offers, for any area or organisation, on any day.

It ingests every node's events (the bus, and each node's LDES feed to catch up) into a history
of every version (:mod:`services.reporting.history`), and serves the report pages (``/``), the
JSON API (``/api/v1/reports/...``) and CSV and XLSX downloads of every table.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.metrics import Gauge
from shared.web import Health, ServiceApp, build_app

API_VERSION = "1.0"
TITLE = "Nettungen reporting"
DESCRIPTION = (
    "Reports on every offer for children, youth and families published in the Nettungen "
    "federation, for a municipality, county, region, the whole country or an organisation, as "
    "of any day: the pyramid, coverage of risk groups and ages, statutory duties, overlaps, "
    "quality, the trend, and two areas side by side. Every table also as CSV and XLSX."
)
# The public JSON API (and its tables as CSV and XLSX) any web page may read
# (shared.web.cors); never the report pages.
OPEN_PATHS = ("/api/v1", "/openapi.json")
HEALTH = Health(
    "Liveness and readiness: the history database, and the bus ingest reads "
    "(BROKER_URL). Reports are drawn from the history without the bus (ingest catches "
    "up from the nodes' feeds), so a bus that cannot be reached makes it degraded, not "
    "unavailable."
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the reporting app; configuration comes from ``config``, then the environment."""
    from services.reporting.api.api import blp as reports_api
    from services.reporting.config import CONFIG
    from services.reporting.site.pages import init_site
    from shared.ingest.status_web import status_api

    app = build_app(
        ServiceApp(
            __name__,
            name="reporting",
            settings=CONFIG,
            title=TITLE,
            version=API_VERSION,
            description=DESCRIPTION,
            blueprints=(reports_api, status_api()),
            health=HEALTH,
            gauges=_gauges,
            pages=init_site,
            open_paths=OPEN_PATHS,
        ),
        config,
    )
    # What is built so far (the routes, the schemas, the vocabularies, the area tree) lives as
    # long as the worker: out of the collector's way. Otherwise a national report, which makes
    # some 100,000 short-lived objects, set off full collections that walked all of it, a
    # third of the report's time (issue 21).
    gc.collect()
    gc.freeze()
    return app


def _gauges(session: Session) -> Iterator[Gauge]:
    from services.reporting.history.models import OfferVersion
    from shared.ingest.metrics import ingest_gauges

    versions = session.scalar(select(func.count()).select_from(OfferVersion)) or 0
    yield ("nettungen_reporting_versions", "Offer versions kept in the history.", versions)
    yield from ingest_gauges(session)
