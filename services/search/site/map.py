"""The map of the results and offer pages: an enhancement over the list, never instead of it.

Leaflet comes from npm (``tools/leaflet``, pinned by its lock) and is served by us at
``/kart/`` from ``MAP_ASSETS_DIR``; nothing is fetched from a CDN. The tiles come from
``MAP_TILE_URL`` (Kartverket's open cache by default), the one host besides our own the pages may
load images from. A page lists its offers' points in a JSON block (no inline script), from which
our own ``site_map.js`` builds the map and its heading; without JavaScript, without Leaflet's
files or without a tile source there is no map at all, only the list.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Response, abort, current_app, send_from_directory, url_for

from services.search import present
from services.search.index.models import IndexedOffer
from services.search.site.pages import bp
from shared.web import CONTENT_SECURITY_POLICY, with_images_from

# The files of Leaflet's dist folder the pages use; nothing else of the folder is served.
LEAFLET_FILES = frozenset(
    {
        "leaflet.js",
        "leaflet.css",
        "images/layers.png",
        "images/layers-2x.png",
        "images/marker-icon.png",
        "images/marker-icon-2x.png",
        "images/marker-shadow.png",
    }
)


def tile_origin(url: str) -> str | None:
    """The origin tiles come from (``https://cache.kartverket.no``); none without tiles."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def map_ready() -> bool:
    """Whether the pages can show a map: a tile source is set and Leaflet's files are there."""
    folder = Path(current_app.config["MAP_ASSETS_DIR"])
    return bool(current_app.config["MAP_TILE_URL"]) and all(
        (folder / name).is_file() for name in ("leaflet.js", "leaflet.css")
    )


def offer_points(
    offers: Iterable[IndexedOffer], municipality: str | None = None
) -> list[dict[str, Any]]:
    """Every place with a point of ``offers``: the offer's name and page, the place's name and
    its coordinates, in the order of the list."""
    points = []
    for offer in offers:
        url = url_for("site.offer", offer_id=offer.offer_id, municipality=municipality)
        for place in present.document(offer).get("locations") or []:
            if place.get("latitude") is None or place.get("longitude") is None:
                continue
            points.append(
                {
                    "name": offer.name,
                    "url": url,
                    "place": place.get("name") or "",
                    "lat": float(place["latitude"]),
                    "lon": float(place["longitude"]),
                }
            )
    return points


@bp.app_context_processor
def _map_helpers() -> dict[str, Any]:
    return {"map_ready": map_ready, "offer_points": offer_points}


@bp.get("/kart/<path:filename>")
def map_asset(filename: str) -> Response:
    """Leaflet's script, stylesheet and marker images, from the npm package we pin."""
    if filename not in LEAFLET_FILES:
        abort(404)
    return send_from_directory(current_app.config["MAP_ASSETS_DIR"], filename, max_age=86400)


@bp.after_request
def _allow_tiles(response: Response) -> Response:
    """The site's pages may show the map's tiles: images from the tile host, and no other."""
    origin = tile_origin(current_app.config["MAP_TILE_URL"])
    if origin:
        policy = with_images_from(CONTENT_SECURITY_POLICY, [origin])
        response.headers.setdefault("Content-Security-Policy", policy)
    return response
