"""Cross-origin reads of a service's open data: ``Access-Control-Allow-Origin: *``.

A service names the path prefixes of its public, anonymous read APIs (:class:`ServiceApp`'s
``open_paths``): a node's LDES feed, catalog, HSDS and vocabularies, national search's API,
HSDS and catalogue. Any web page may read those, as the Open Referral UK profile asks of an
HSDS API. Nothing else gets the header: not a page, not an API behind a login, and never a
response that sets a cookie (the wildcard is only safe where nothing is personal).

A preflight (``OPTIONS`` with ``Access-Control-Request-Method``) on an open path is answered
by Flask's automatic ``OPTIONS`` response, with the methods (reads only), the headers asked
for and how long a browser may keep the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask, Response, request

READ_METHODS = "GET, HEAD, OPTIONS"
# What a script may read of an answer beyond the CORS-safelisted headers: caching, paging
# and the links between feed pages.
EXPOSED_HEADERS = "ETag, Link, Location, Content-Language, Retry-After, X-Pagination"
PREFLIGHT_MAX_AGE = "86400"


def is_open(path: str, prefixes: Sequence[str]) -> bool:
    """Whether ``path`` is one of ``prefixes`` or lies below one (``/hsds`` covers
    ``/hsds/services``, never ``/hsdsx``)."""
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


def init_cors(app: Flask, prefixes: Sequence[str]) -> None:
    """Answer cross-origin reads of ``prefixes``, deciding on the finished response: after
    every ``after_request`` function (the language cookie's among them, whatever order they
    were registered in) and after the session is saved, so a response that sets any cookie is
    seen with it and never gets the header."""
    if not prefixes:
        return

    def allow_any_origin(response: Response) -> Response:
        if not is_open(request.path, prefixes) or "Set-Cookie" in response.headers:
            return response
        headers = response.headers
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            headers["Access-Control-Allow-Methods"] = READ_METHODS
            asked = request.headers.get("Access-Control-Request-Headers")
            if asked:
                headers["Access-Control-Allow-Headers"] = asked
            headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        return response

    finish = app.process_response

    def process_response(response: Response) -> Response:
        return allow_any_origin(finish(response))

    app.process_response = process_response  # type: ignore[method-assign]
