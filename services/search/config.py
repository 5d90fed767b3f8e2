"""Every configuration key of national search, declared once (``nettungen search config``)."""

from __future__ import annotations

import re
from pathlib import Path

from shared.config import ConfigKey, absolute_path, base_url, optional_base_url, timeout_seconds
from shared.db import sqlite_url_in
from shared.ingest.config import national_service_config
from shared.web.headers import frame_ancestors

# An http(s) address of tiles with {z}, {x} and {y} in it, and nothing a page could run.
_TILE_URL = re.compile(r"https?://[a-z0-9.-]+(:\d{1,5})?/[^\s\"'<>]*")


def tile_url(value: str) -> str:
    """A map tile URL template (``https://host/…/{z}/{y}/{x}.png``); empty: no map."""
    url = value.strip()
    if url and not (
        _TILE_URL.fullmatch(url) and all(part in url for part in ("{z}", "{x}", "{y}"))
    ):
        raise ValueError(
            f"{value!r} is not a tile address such as https://host/{{z}}/{{x}}/{{y}}.png"
        )
    return url


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
    ConfigKey(
        "ADDRESS_SEARCH_URL",
        "Base URL of Kartverket's open address API, which the public site asks when a person "
        "types an address or a place name as the point to search from (GET <url>/sok). "
        "Empty: no address search; the point is typed as latitude,longitude.",
        optional_base_url,
        "https://ws.geonorge.no/adresser/v1",
    ),
    ConfigKey(
        "ADDRESS_SEARCH_TIMEOUT_SECONDS",
        "How long the site's address search waits for the address API before it says so.",
        timeout_seconds,
        3.0,
    ),
    ConfigKey(
        "MAP_TILE_URL",
        "Map tiles of the public site's map, as a Leaflet URL template with {z}, {x} and {y} "
        "(XYZ or a WMTS cache in web mercator); its origin is the one other place the pages "
        "may load images from (Content-Security-Policy img-src). Empty: no map, the list only.",
        tile_url,
        "https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png",
    ),
    ConfigKey(
        "MAP_TILE_ATTRIBUTION",
        "The credit the tiles' licence asks for, shown in the corner of the map (plain text).",
        str,
        "© Kartverket",
    ),
    ConfigKey(
        "MAP_ASSETS_DIR",
        "Folder holding Leaflet's dist files (leaflet.js, leaflet.css, images/), served at "
        "/kart/: `npm ci --prefix tools/leaflet` puts them in the default. Missing: no map, "
        "the list only.",
        absolute_path,
        "tools/leaflet/node_modules/leaflet/dist",
    ),
    *national_service_config("nettungen.search"),
]
