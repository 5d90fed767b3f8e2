"""The offer URI rule of the publication contract: ``<node base URL>/offers/<offer id>``.

The registry mints an offer's URI with :func:`offer_uri`, the publisher looks offers up by it,
and a consumer finds the node that published an offer with :func:`source_of`; keeping both
directions here is what keeps them the inverse of each other.
"""

from __future__ import annotations

OFFERS_PATH = "/offers/"
KEYS_PATH = "/keys/"


def key_uri(base_url: str, key_id: str) -> str:
    """The subject of the event announcing the node's key ``key_id``."""
    return f"{base_url.rstrip('/')}{KEYS_PATH}{key_id}"


def source_of_key(uri: str) -> str:
    """The node's base URL of a :func:`key_uri`."""
    base, sep, _ = uri.rpartition(KEYS_PATH)
    if not sep or not base:
        raise ValueError(f"not a key URI: {uri!r}")
    return base


def offer_uri(base_url: str, offer_id: str) -> str:
    """The URI of offer ``offer_id`` on the node at ``base_url`` (a trailing slash is ignored)."""
    return f"{base_url.rstrip('/')}{OFFERS_PATH}{offer_id}"


def source_of(offer_uri: str) -> str:
    """A node's base URL is the prefix of its offer URIs: ``<base>/offers/<id>``."""
    base, sep, _ = offer_uri.rpartition(OFFERS_PATH)
    if not sep or not base:
        raise ValueError(f"not an offer URI: {offer_uri!r}")
    return base
