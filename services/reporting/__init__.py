"""National reporting: the pyramid, coverage, statutory duties, overlaps, quality and trend of
the federation's offers, for any area or organisation, on any day.

It ingests every node's events (the bus, and each node's LDES feed to catch up) into a history
of every version (:mod:`services.reporting.history`), and serves the report pages (``/``), the
JSON API (``/api/v1/reports/...``) and CSV and XLSX downloads of every table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from shared.metrics import init_metrics
from shared.web import RequestDatabase, database_and_bus_health, service_app, trust_proxies

API_VERSION = "1.0"
TITLE = "Nettungen reporting"
DESCRIPTION = (
    "Reports on every offer for children, youth and families published in the Nettungen "
    "federation, for a municipality, county, region, the whole country or an organisation, as "
    "of any day: the pyramid, coverage of risk groups and ages, statutory duties, overlaps, "
    "quality, the trend, and two areas side by side. Every table also as CSV and XLSX."
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the reporting app; configuration comes from ``config``, then the environment."""
    from services.reporting.api.api import blp as reports_api
    from services.reporting.config import CONFIG
    from services.reporting.site.pages import init_site

    app, api, database = service_app(__name__, CONFIG, config, (TITLE, API_VERSION, DESCRIPTION))
    api.register_blueprint(reports_api)
    api.register_blueprint(
        database_and_bus_health(
            database,
            app.config["BROKER_URL"],
            "Liveness and readiness: the history database, and the bus ingest reads "
            "(BROKER_URL). Reports are drawn from the history without the bus (ingest catches "
            "up from the nodes' feeds), so a bus that cannot be reached makes it degraded, not "
            "unavailable.",
        )
    )
    init_site(app, api)
    init_metrics(app, "reporting", lambda: _gauges(database))
    trust_proxies(app)
    return app


def _gauges(database: RequestDatabase) -> Iterable[tuple[str, str, float]]:
    from services.reporting.history.models import OfferVersion
    from shared.ingest.metrics import ingest_gauges

    with database.sessionmaker() as session:
        versions = session.scalar(select(func.count()).select_from(OfferVersion)) or 0
        yield ("nettungen_reporting_versions", "Offer versions kept in the history.", versions)
        yield from ingest_gauges(session)
