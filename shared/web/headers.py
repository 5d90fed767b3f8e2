"""The security headers every response carries, pages and API alike."""

from __future__ import annotations

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
HSTS = "max-age=63072000; includeSubDomains"


def security_headers(response: Response) -> Response:
    """Add the headers a view has not set itself (an ``after_request`` function)."""
    headers = response.headers
    policy = DOCS_CONTENT_SECURITY_POLICY if request.path == "/docs" else CONTENT_SECURITY_POLICY
    headers.setdefault("Content-Security-Policy", policy)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response
