"""Public answers a cache may keep: a weak ``ETag`` made of the service's count of changes and
of what else the answer depends on (:meth:`shared.change_count.ChangeCount.answer_tag`), a
bodiless ``304`` to a request that names it in ``If-None-Match``, and ``Cache-Control: public,
max-age=60``.

The tag is weak (``W/"..."``): what it names is the answer's content, not its bytes (a proxy
that compresses the answer, or a workbook's file stamps, change those). ``If-None-Match`` is
compared weakly anyway (RFC 9110, 13.1.2), so a client that sends the tag back weak, strong, in
a list or as ``*`` gets its ``304``.

A view reads the tag first (one statement: the count's row) and answers :func:`not_modified`
before it builds anything; otherwise it builds the answer and hands it to :func:`cacheable`.
Only answers that are the same for every reader may be made public: nothing here is for a
page that depends on who is logged in.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from flask import Response, request
from werkzeug.sansio.response import Response as ResponseBase

PUBLIC_CACHE = "public, max-age=60"
AnyResponse = TypeVar("AnyResponse", bound=ResponseBase)


def not_modified(
    etag: str, vary: Iterable[str] = (), mimetype: str = "application/json"
) -> Response | None:
    """A bodiless ``304`` with the answer's caching headers if the request's ``If-None-Match``
    names ``etag`` (weakly, as RFC 9110 compares it), else none.

    It has the answer's ``mimetype``, so that what the app adds to every answer of that kind
    is added to it alike (RFC 9110, 15.4.5: a 304 carries the headers the 200 would): a page
    remembers a language chosen by ``?lang=`` in a cookie (and is then private,
    :mod:`shared.i18n`), an API answer never does. Werkzeug takes the ``Content-Type`` off
    every 304 it sends."""
    if not request.if_none_match.contains_weak(etag):
        return None
    return cacheable(Response(status=304, mimetype=mimetype), etag, vary)


def cacheable(response: AnyResponse, etag: str, vary: Iterable[str] = ()) -> AnyResponse:
    """``response`` as a public answer: cached for a minute by anyone, then revalidated by its
    weak ``etag``; ``vary`` names the request headers that chose it (the language, when a
    cookie or ``Accept-Language`` chose it)."""
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = PUBLIC_CACHE
    for header in vary:
        response.vary.add(header)
    return response
