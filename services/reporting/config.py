"""Every configuration key of national reporting, declared once (``nettungen reporting config``)."""

from __future__ import annotations

from pathlib import Path

from shared.config import ConfigKey, absolute_path, base_url
from shared.db import sqlite_url_in
from shared.ingest.config import ingest_config
from shared.web import STATEMENT_TIMEOUT_KEY
from shared.web.guards import METRICS_TOKEN_KEY, max_content_length

CONFIG = [
    ConfigKey(
        "INSTANCE_PATH",
        "Folder for the reporting service's local state (the SQLite history by default).",
        absolute_path,
        "instance/reporting",
    ),
    ConfigKey(
        "DATABASE_URL",
        "SQLAlchemy URL of the version history (postgresql+psycopg://... in production).",
        str,
        lambda r: sqlite_url_in(Path(r["INSTANCE_PATH"]), "reporting.sqlite"),
    ),
    ConfigKey(
        "PUBLIC_BASE_URL",
        "Public base URL of the reporting service (links in the API's answers).",
        base_url,
        "http://127.0.0.1:8030",
    ),
    STATEMENT_TIMEOUT_KEY,
    # Read-only and public: no request carries a body.
    max_content_length(0),
    METRICS_TOKEN_KEY,
    *ingest_config("nettungen.reporting"),
    ConfigKey(
        "TRUSTED_PROXIES",
        "How many reverse proxies in front of the service set X-Forwarded-* (0 = none).",
        int,
        0,
    ),
]
