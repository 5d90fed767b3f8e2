"""Configuration keys every ingesting service declares, and the objects built from them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from shared.bus import DEAD_LETTER_LIMIT, open_consumer
from shared.config import ConfigKey, non_negative_int, positive_float, positive_int
from shared.ingest.apply import Sink
from shared.ingest.consumer import BINDINGS, PREFETCH, BusIngest
from shared.ingest.directory import DirectoryCache
from shared.ingest.harvester import Harvester, HarvestSettings
from shared.ingest.http import MAX_PAGE_BYTES, Limits, new_client
from shared.ingest.rates import NodeRates
from shared.ingest.verifier import Verifier
from shared.web import STATEMENT_TIMEOUT_KEY, TRUSTED_PROXIES_KEY
from shared.web.guards import METRICS_TOKEN_KEY, max_content_length


def _default_bus(_resolved: dict[str, Any]) -> str:
    # The bus of a node run with the defaults in this folder (instance/node), so that
    # `nettungen publisher relay` and this service meet with no configuration at all.
    return f"embedded://{Path('instance/node/bus.sqlite').resolve()}"


def _ca_file(value: str) -> str:
    if value and not Path(value).is_file():
        raise ValueError(f"no file {value}")
    return str(Path(value).resolve()) if value else ""


def national_service_config(queue: str) -> list[ConfigKey]:
    """The settings national search and reporting share: their web limits (read-only and
    public, so no request carries a body), metrics, ingest from ``queue`` and proxies."""
    return [
        STATEMENT_TIMEOUT_KEY,
        max_content_length(0),
        METRICS_TOKEN_KEY,
        *ingest_config(queue),
        TRUSTED_PROXIES_KEY,
    ]


def ingest_config(queue: str) -> list[ConfigKey]:
    """The ingest keys, with ``queue`` as the default name of the service's own queue."""
    return [*_bus_config(queue), *_HARVEST_CONFIG, *_KEYS_CONFIG]


def _bus_config(queue: str) -> list[ConfigKey]:
    """The keys of the bus consumer."""
    return [
        ConfigKey(
            "BROKER_URL",
            "The federation's bus: amqp://user:password@host:5672/vhost for RabbitMQ, or "
            "embedded:///path/bus.sqlite. Default: the embedded bus of a node run with the "
            "defaults from this folder.",
            str,
            _default_bus,
            secret=True,
        ),
        ConfigKey("INGEST_QUEUE", "This service's own durable queue on the bus.", str, queue),
        ConfigKey(
            "INGEST_PREFETCH",
            "Messages the broker may hand over unacknowledged.",
            positive_int,
            PREFETCH,
        ),
        ConfigKey(
            "INGEST_NODE_EVENTS_PER_MINUTE",
            "Most events of one node applied a minute (by bus and feed each), in bursts of up "
            "to a minute's worth; more are deferred, never lost (0: no limit).",
            non_negative_int,
            6000,
        ),
        ConfigKey(
            "INGEST_DEAD_LETTER_LIMIT",
            "Most messages kept in this service's dead-letter queue (<queue>.dead); past it "
            "the oldest are dropped. Fixed when the queue is first declared (see "
            "docs/operations.md to change it).",
            positive_int,
            DEAD_LETTER_LIMIT,
        ),
    ]


# The keys of the feed harvester.
_HARVEST_CONFIG = [
    ConfigKey(
        "HARVEST_INTERVAL_SECONDS",
        "Seconds between harvest rounds over the nodes reached by feed.",
        positive_float,
        30.0,
    ),
    ConfigKey(
        "HARVEST_TIMEOUT_SECONDS",
        "Longest time one feed request may take, body included.",
        positive_float,
        30.0,
    ),
    ConfigKey(
        "HARVEST_MAX_PAGE_BYTES",
        "Largest feed page accepted from a node, in bytes (decompressed); a larger one is "
        "refused unparsed, by its Content-Length or as soon as it grows past the limit.",
        positive_int,
        MAX_PAGE_BYTES,
    ),
    ConfigKey(
        "HARVEST_ROUND_SECONDS",
        "Longest time one harvest round spends on one node; the next round goes on.",
        positive_float,
        60.0,
    ),
    ConfigKey(
        "HARVEST_MAX_PAGES", "Most feed pages read from one node per round.", positive_int, 400
    ),
    ConfigKey(
        "HARVEST_CONCURRENCY",
        "Nodes a harvest round reads at the same time, so a slow node delays only itself.",
        positive_int,
        4,
    ),
    ConfigKey(
        "HARVEST_VERIFY_PROCESSES",
        "Worker processes verifying the events of a feed page (signatures and the contract); "
        "0 or 1: the harvester verifies them itself (the default; see docs/benchmarks.md, "
        "issue 22: no gain measured on a loaded machine).",
        non_negative_int,
        0,
    ),
    ConfigKey(
        "HARVEST_CA_FILE",
        "PEM file of certificate authorities to trust for nodes' HTTPS besides the public "
        "ones (a federation's own CA). Certificates are always verified.",
        _ca_file,
        "",
    ),
]

# The key of the verifier's copies of the nodes' keys.
_KEYS_CONFIG = [
    ConfigKey(
        "KEYS_MAX_AGE_SECONDS",
        "How old a node's copy of keys may get before the harvester reads its JWKS again.",
        positive_float,
        300.0,
    ),
    ConfigKey(
        "INGEST_MAX_FUTURE_MINUTES",
        "How far in the future a version's published_at may lie (the nodes' clocks drift a "
        "little); a version dated later is refused.",
        positive_float,
        5.0,
    ),
]


def build_client(settings: dict[str, Any]) -> httpx.Client:
    """The HTTP client the harvester and the key refresher reach nodes with."""
    return new_client(ca_file=settings["HARVEST_CA_FILE"] or None)


def build_verifier(
    settings: dict[str, Any], sessions: sessionmaker[Session], client: httpx.Client | None
) -> Verifier:
    return Verifier(
        sessions,
        DirectoryCache(sessions),
        client,
        keys_max_age=settings["KEYS_MAX_AGE_SECONDS"],
        max_future=dt.timedelta(minutes=settings["INGEST_MAX_FUTURE_MINUTES"]),
    )


def build_consumer(
    settings: dict[str, Any],
    sessions: sessionmaker[Session],
    sink: Sink,
    client: httpx.Client | None = None,
) -> BusIngest:
    bus = open_consumer(
        settings["BROKER_URL"],
        settings["INGEST_QUEUE"],
        BINDINGS,
        settings["INGEST_PREFETCH"],
        settings["INGEST_DEAD_LETTER_LIMIT"],
    )
    return BusIngest(
        sessions,
        bus,
        sink,
        build_verifier(settings, sessions, client),
        rates=node_rates(settings),
    )


def node_rates(settings: dict[str, Any]) -> NodeRates | None:
    """Each node's ingest rate, or None when it is not limited."""
    per_minute = settings["INGEST_NODE_EVENTS_PER_MINUTE"]
    return NodeRates(per_minute) if per_minute else None


def build_harvester(
    settings: dict[str, Any],
    sessions: sessionmaker[Session],
    sink: Sink,
    client: httpx.Client | None = None,
) -> Harvester:
    client = client or build_client(settings)
    return Harvester(
        sessions,
        sink,
        build_verifier(settings, sessions, client),
        client,
        HarvestSettings(
            limits=Limits(
                timeout=settings["HARVEST_TIMEOUT_SECONDS"],
                max_bytes=settings["HARVEST_MAX_PAGE_BYTES"],
            ),
            round_seconds=settings["HARVEST_ROUND_SECONDS"],
            max_pages=settings["HARVEST_MAX_PAGES"],
            concurrency=settings["HARVEST_CONCURRENCY"],
            rates=node_rates(settings),
            verify_processes=settings["HARVEST_VERIFY_PROCESSES"],
        ),
    )
