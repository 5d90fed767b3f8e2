"""``/embed``: the search made to sit in an iframe on a municipality's own web site.

A compact page (a search field, the results, a pager) for one place, chosen by the embedding
site in the address (``/embed?municipality=3301``, or ``county=``, ``region=``, with any of the
search's filters and ``lang=``). Its links lead to the full site in a new tab, never inside the
frame. Only the origins in ``EMBED_ALLOWED_ORIGINS`` may frame it (its own
``Content-Security-Policy: frame-ancestors``); every other page of the site is framed by nobody.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, make_response, render_template, request, url_for

from services.search.index import query as index
from services.search.site.pages import bp, search_url
from services.search.site.params import InvalidSearch, SearchParams, parse
from shared.i18n import current_language
from shared.web import db_session, framed_by

PER_PAGE = 10
PLACES = ("municipality", "county", "region")


def embed_url(params: SearchParams, **changes: Any) -> str:
    """The address of this embedded search with ``changes``, in the language asked for."""
    query = params.replace(**changes).query_string() if changes else params.query_string()
    return _with_language(url_for("site.embed") + (f"?{query}" if query else ""))


def _with_language(url: str) -> str:
    lang = _asked_language()
    if not lang:
        return url
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


@bp.get("/embed")
def embed() -> Response:
    """One page of the offers of a place, to be framed by the sites allowed to."""
    try:
        params = parse(request.args)
    except InvalidSearch as invalid:
        context = _context(invalid.valid, problems=invalid.problems)
        return _framed(render_template("site/embed.html", **context), 400)
    page = index.search(
        db_session(), params.query(), params.page, PER_PAGE, facets=False, after=params.after
    )
    # A page past the last one (a cursor's page is wherever its offer now is).
    status = 404 if params.after is None and params.page > page.pages else 200
    return _framed(render_template("site/embed.html", **_context(params, page=page)), status)


def _context(params: SearchParams, **context: Any) -> dict[str, Any]:
    place = next((params.data[name] for name in PLACES if name in params.data), None)
    return {
        "params": params,
        "page": None,
        "problems": (),
        **context,
        "place": place,
        "municipality": params.data.get("municipality"),
        "hidden": [(n, v) for n, v in params.pairs() if n not in ("q", "page", "cursor")],
        "lang": _asked_language(),
        "full_url": _with_language(search_url(params.replace())),  # from its first page
        "embed_url": lambda **changes: embed_url(params, **changes),
    }


def _asked_language() -> str | None:
    """The language the embedding site asked for (``lang=``), kept by the form and the pager:
    a frame on another site gets no cookie to remember it by."""
    return current_language() if request.args.get("lang") == current_language() else None


def _framed(html: str, status: int) -> Response:
    response = make_response(html, status)
    origins = current_app.config["EMBED_ALLOWED_ORIGINS"]
    response.headers["Content-Security-Policy"] = framed_by(origins)
    return response
