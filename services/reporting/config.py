"""Every configuration key of national reporting, declared once (``nettungen reporting config``)."""

from __future__ import annotations

from pathlib import Path

from shared.config import ConfigKey, absolute_path, base_url
from shared.db import sqlite_url_in
from shared.ingest.config import national_service_config

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
    *national_service_config("nettungen.reporting"),
]
