"""Every configuration key of the publisher, declared once (see ``nettungen publisher config``).

The publisher shares the node's instance folder and database with the registry: it reads the
event log, the published snapshot and the public keys the registry writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared import orgnr
from shared.config import ConfigKey, absolute_path, base_url, positive_int
from shared.db import sqlite_url_in
from shared.web import TRUSTED_PROXIES_KEY
from shared.web.guards import METRICS_TOKEN_KEY, max_content_length


def _embedded_bus(resolved: dict[str, Any]) -> str:
    return f"embedded://{Path(resolved['INSTANCE_PATH']) / 'bus.sqlite'}"


CONFIG = [
    ConfigKey(
        "INSTANCE_PATH",
        "The node's local state folder, shared with the registry.",
        absolute_path,
        "instance/node",
    ),
    ConfigKey(
        "DATABASE_URL",
        "SQLAlchemy URL of the node database the registry writes (read here).",
        str,
        lambda r: sqlite_url_in(Path(r["INSTANCE_PATH"]), "node.sqlite"),
    ),
    ConfigKey(
        "NODE_BASE_URL",
        "Public base URL of this publisher; the registry's NODE_BASE_URL must be the same.",
        base_url,
        "http://127.0.0.1:8011",
    ),
    # Read-only and public: no request carries a body.
    max_content_length(0),
    METRICS_TOKEN_KEY,
    ConfigKey("NODE_TITLE", "The node's name in its catalog.", str, "Nettungen-node"),
    ConfigKey(
        "NODE_PUBLISHER_ORGNR",
        "Organisation number of whoever runs the node (the catalog's publisher). "
        "Default: the node's first member organisation.",
        orgnr.validate,
        None,
    ),
    ConfigKey(
        "NODE_CONTACT_EMAIL",
        "Contact address for questions about the node's open data.",
        str,
        None,
    ),
    ConfigKey(
        "LDES_PAGE_SIZE",
        "Members per LDES page. Changing it re-cuts every page, so choose once.",
        positive_int,
        250,
    ),
    ConfigKey(
        "LDES_PERSONAL_MAX_AGE",
        "Seconds caches may keep a complete LDES page or version that names a person as "
        "contact (a redaction can change it; pages without personal data are immutable).",
        int,
        3600,
    ),
    ConfigKey(
        "LDES_NEWEST_MAX_AGE",
        "Seconds caches may keep the newest (still filling) LDES page.",
        int,
        5,
    ),
    ConfigKey(
        "BROKER_URL",
        "Where the relay publishes: amqp://user:password@host:5672/vhost for RabbitMQ, or "
        "embedded:///path/bus.sqlite for the embedded bus. Default: embedded, in the instance "
        "folder.",
        str,
        _embedded_bus,
        secret=True,
    ),
    ConfigKey("RELAY_BATCH_SIZE", "Events published per batch of confirms.", positive_int, 200),
    ConfigKey(
        "RELAY_IDLE_SECONDS",
        "How long the relay sleeps when it has caught up with the log (a small indexed query "
        "per wake-up). On PostgreSQL the registry's notification wakes it as soon as a "
        "publication commits, so this only bounds the wait should a notification be lost; "
        "elsewhere it bounds how long a publication waits before it is relayed.",
        float,
        0.1,
    ),
    ConfigKey(
        "RELAY_CONFIRM_TIMEOUT_SECONDS",
        "How long the relay waits for the broker to confirm a batch before reconnecting.",
        float,
        30.0,
    ),
    ConfigKey(
        "RELAY_CHECK_PROCESSES",
        "Processes that verify the signatures of large batches beside the relay, while it "
        "publishes the batch before (0: the relay verifies them itself).",
        int,
        1,
    ),
    ConfigKey(
        "RELAY_MAX_BACKOFF_SECONDS",
        "Longest wait between reconnection attempts when the broker is down.",
        float,
        30.0,
    ),
    TRUSTED_PROXIES_KEY,
]
