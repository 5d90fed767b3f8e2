"""Every configuration key of national search, declared once (``nettungen search config``)."""

from __future__ import annotations

from pathlib import Path

from shared.config import ConfigKey, absolute_path, base_url
from shared.db import sqlite_url_in
from shared.ingest.config import national_service_config
from shared.web.headers import frame_ancestors

CONFIG = [
    ConfigKey(
        "INSTANCE_PATH",
        "Folder for the search service's local state (the SQLite index by default).",
        absolute_path,
        "instance/search",
    ),
    ConfigKey(
        "DATABASE_URL",
        "SQLAlchemy URL of the search index (postgresql+psycopg://... in production).",
        str,
        lambda r: sqlite_url_in(Path(r["INSTANCE_PATH"]), "search.sqlite"),
    ),
    ConfigKey(
        "PUBLIC_BASE_URL",
        "Public base URL of the search service (links in the API and the HSDS documents).",
        base_url,
        "http://127.0.0.1:8020",
    ),
    ConfigKey(
        "EMBED_ALLOWED_ORIGINS",
        "Web sites that may show the embeddable search (/embed) in an iframe: origins such as "
        "https://www.drammen.kommune.no or https://*.kommune.no, separated by spaces or commas "
        "(the page's Content-Security-Policy frame-ancestors). Empty: no site may; every other "
        "page is never framed.",
        frame_ancestors,
        "",
    ),
    *national_service_config("nettungen.search"),
]
