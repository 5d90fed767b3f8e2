"""Scrape-time gauges of an ingesting service (see :mod:`shared.metrics`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.db import utcnow
from shared.ingest.bus_only import count_absent_from_feed
from shared.ingest.models import (
    KEY_PENDING,
    KEY_TRUSTED,
    FederationNode,
    FederationNodeKey,
    HarvestCursor,
    IngestedOffer,
    RejectedEvent,
)


def ingest_gauges(session: Session) -> Iterator[tuple[str, str, float]]:
    def total(statement: object) -> float:
        return float(session.scalar(statement) or 0)  # type: ignore[call-overload]

    yield (
        "nettungen_ingest_nodes",
        "Nodes in the directory, enabled or not.",
        total(select(func.count()).select_from(FederationNode)),
    )
    yield (
        "nettungen_ingest_offers_applied",
        "Offers whose newest version has been applied (withdrawn ones included).",
        total(select(func.count()).select_from(IngestedOffer)),
    )
    yield (
        "nettungen_ingest_rejected_events",
        "Events refused since the database was created.",
        total(select(func.count()).select_from(RejectedEvent)),
    )
    yield (
        "nettungen_harvest_failing_nodes",
        "Nodes whose last harvest round ended in an error.",
        total(
            select(func.count())
            .select_from(HarvestCursor)
            .where(HarvestCursor.last_error.is_not(None))
        ),
    )
    yield from _key_gauges(total)
    yield (
        "nettungen_ingest_bus_versions_absent_from_feed",
        "Versions applied from the bus that the node's feed, read past them, does not hold.",
        float(count_absent_from_feed(session)),
    )
    oldest = session.scalar(select(func.min(HarvestCursor.harvested_at)))
    yield (
        "nettungen_harvest_oldest_round_age_seconds",
        "Seconds since the least recently harvested node was last read (0 if none is).",
        (utcnow() - oldest).total_seconds() if oldest else 0.0,
    )


def _key_gauges(total: Callable[[object], float]) -> Iterator[tuple[str, str, float]]:
    """The nodes' keys by state: a pending or missing key waits for the operator."""
    keys = select(func.count()).select_from(FederationNodeKey)
    yield (
        "nettungen_ingest_keys_trusted",
        "Node keys that verify events (pinned when the node was added, or approved).",
        total(keys.where(FederationNodeKey.state == KEY_TRUSTED)),
    )
    yield (
        "nettungen_ingest_keys_pending",
        "Node keys read from a JWKS and waiting for the operator's approval.",
        total(keys.where(FederationNodeKey.state == KEY_PENDING)),
    )
    yield (
        "nettungen_ingest_keys_missing",
        "Node keys held here that the node's JWKS no longer lists.",
        total(keys.where(FederationNodeKey.missing_since.is_not(None))),
    )
