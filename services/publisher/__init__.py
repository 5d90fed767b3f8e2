"""The publisher: the read side of a node.

It relays the node's event log to the bus (``nettungen publisher relay``) and serves it openly:
the LDES event stream, the DCAT-AP-NO catalog, CPSV-AP-NO offer descriptions and the HSDS 3.1
API. It reads what the registry writes and never changes it.
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
DESCRIPTION = (
    "The open, read-only side of a Nettungen node: the LDES event stream of its offer "
    "versions, its DCAT-AP-NO catalog, CPSV-AP-NO offer descriptions, the HSDS 3.1 API "
    "and the public keys its events are signed with."
)
# The open data any web page may read (shared.web.cors): everything but the landing page,
# /healthz and /metrics.
OPEN_PATHS = (
    "/ldes",
    "/catalog",
    "/hsds",
    "/offers",
    "/offers.csv",
    "/offers.xlsx",
    "/vocabularies",
    "/areas",
    "/context.jsonld",
    "/.well-known/jwks.json",
    "/openapi.json",
)
HEALTH = Health(
    "Liveness and readiness: the node database, and the bus the relay "
    "publishes to (BROKER_URL). The feeds are served without the bus, so a bus that "
    "cannot be reached makes the publisher degraded, not unavailable."
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the publisher app; configuration comes from ``config``, then the environment."""
    from services.publisher.config import CONFIG
    from services.publisher.exports.api import blp as exports_api
    from services.publisher.home.pages import init_home
    from services.publisher.hsds.api import blp as hsds_api
    from services.publisher.keys.api import blp as keys_api
    from services.publisher.ldes.api import blp as ldes_api
    from services.publisher.linked.api import blp as linked_api

    return build_app(
        ServiceApp(
            __name__,
            name="publisher",
            settings=CONFIG,
            title="Nettungen node publisher",
            version=API_VERSION,
            description=DESCRIPTION,
            blueprints=(ldes_api, linked_api, hsds_api, keys_api, exports_api),
            health=HEALTH,
            gauges=_gauges,
            open_paths=OPEN_PATHS,
            pages=init_home,
        ),
        config,
    )


def _gauges(session: Session) -> Iterator[Gauge]:
    from shared.publication.models import LogHead, PublishedOffer, RelayCursor

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
