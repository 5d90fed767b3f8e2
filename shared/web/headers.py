"""The security headers every response carries, pages and API alike."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask import Response, request

# Pages load nothing but their own stylesheet, images and (where any) scripts, are never framed
# and post forms only to themselves. Swagger UI at /docs starts itself with an inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
IMAGES = "img-src 'self' data:"
HSTS = "max-age=63072000; includeSubDomains"
NOT_FRAMED = "frame-ancestors 'none'"
# An origin a page may be framed by: a scheme, a host (or *.domain) and perhaps a port.
_ORIGIN = re.compile(
    r"https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?"
)


def frame_ancestors(value: str | Sequence[str]) -> tuple[str, ...]:
    """The origins a setting lists (separated by spaces or commas), each as CSP writes it:
    ``https://www.drammen.kommune.no``, or ``https://*.kommune.no`` for every sub-domain.
    A path, a query or anything but http(s) is refused (a configuration error)."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    origins = []
    for item in items:
        origin = item.strip().rstrip("/").lower()
        if not _ORIGIN.fullmatch(origin):
            raise ValueError(f"{item!r} is not an origin such as https://www.kommune.no")
        origins.append(origin)
    return tuple(dict.fromkeys(origins))


def framed_by(origins: Sequence[str]) -> str:
    """The pages' policy for a page meant to be framed by ``origins`` (none: by nobody)."""
    ancestors = " ".join(origins) if origins else "'none'"
    return CONTENT_SECURITY_POLICY.replace(NOT_FRAMED, f"frame-ancestors {ancestors}")


def with_images_from(policy: str, origins: Sequence[str]) -> str:
    """``policy`` letting images also come from ``origins`` (such as a map's tile server)."""
    if not origins:
        return policy
    return policy.replace(IMAGES, f"{IMAGES} {' '.join(origins)}", 1)


def security_headers(response: Response) -> Response:
    """Add the headers a view has not set itself (an ``after_request`` function)."""
    headers = response.headers
    policy = DOCS_CONTENT_SECURITY_POLICY if request.path == "/docs" else CONTENT_SECURITY_POLICY
    headers.setdefault("Content-Security-Policy", policy)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # A page that lets some origins frame it (see framed_by) cannot say so to the browsers
    # that only know X-Frame-Options; every other page is framed by nobody, in both ways.
    if NOT_FRAMED in headers["Content-Security-Policy"]:
        headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
