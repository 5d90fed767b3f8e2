"""The one rule for a node's base URL in the national directory: ``https://``.

Plain HTTP lets anyone on the path change what a node serves (its feed, its JWKS), so the
directory refuses it; only the demo and tests, whose nodes run on this machine, may ask for
``http://`` on a loopback address.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from shared.errors import InvalidInput
from shared.messages import Message


def require_https(url: str, allow_http_loopback: bool = False) -> str:
    """``url`` (already a well-formed base URL) if it is ``https://``, or ``http://`` on this
    machine when ``allow_http_loopback``; else :class:`InvalidInput`."""
    if url.startswith("https://") or (allow_http_loopback and is_loopback(url)):
        return url
    raise InvalidInput("node.invalid_base_url", {"base_url": [Message("node.base_url_https")]})


def is_loopback(url: str) -> bool:
    """Whether ``url``'s host is this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
