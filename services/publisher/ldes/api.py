"""``/ldes``: the node's LDES event stream, and each offer version's own IRI.

Turtle, JSON-LD, N-Triples and ``application/json`` (signed CloudEvents for our harvesters) by
``Accept`` or ``?format=``. A complete page's members never change, with one exception: a
redaction rewrites the versions of an offer that held a person's contact details (see
:mod:`shared.publication.redaction`). So a complete page holding no personal data is immutable
for caches (a year, ``immutable``); one that holds any may change, and caches keep it for
``LDES_PERSONAL_MAX_AGE`` seconds (an hour by default), which bounds how long a redacted
contact can stay in a cache. Complete pages are rendered once per process, and the rendering is
used while the page's rows (their signatures) are the same. The root and the newest page live a
few seconds. Every response has a strong ``ETag`` and answers ``If-None-Match`` with ``304``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import flask_smorest
from flask import Response, current_app, request
from flask.views import MethodView
from rdflib import Graph
from sqlalchemy import select

from services.publisher.context import base_url
from services.publisher.ldes import stream
from services.publisher.linked.namespaces import new_graph
from services.publisher.linked.render import content_type, serialize
from services.publisher.negotiation import JSON, RDF_TYPES, TURTLE, negotiate
from shared.errors import NotFound
from shared.publication.keys import entry_event
from shared.publication.models import LogEntry
from shared.publication.uris import offer_uri
from shared.web import db_session

blp = flask_smorest.Blueprint(
    "ldes",
    __name__,
    description="The node's offer versions as a Linked Data Event Stream (LDES, TREE).",
)
FORMATS = (*RDF_TYPES, JSON)
IMMUTABLE = "public, max-age=31536000, immutable"
_RESPONSES = {
    "200": {
        "description": "Turtle, JSON-LD or N-Triples; application/json gives signed CloudEvents.",
        "content": {media: {} for media in FORMATS},
    },
    "304": {"description": "Not modified (If-None-Match)."},
    "406": {"description": "None of the offered formats is acceptable."},
}


# Part of every ETag: bump it when the RDF mapping changes, so caches see new representations.
REPRESENTATION = "2"  # 2: hours on the channels and contact point, not the service


# A rendered complete page: body, content type, ETag, Cache-Control.
_Rendered = tuple[str, str, str, str]


class _PageCache:
    """Rendered complete pages; the most recently used are kept."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self.items: OrderedDict[tuple[int, int, str], _Rendered] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[int, int, str]) -> _Rendered | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple[int, int, str], value: _Rendered) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def _cache() -> _PageCache:
    cache: _PageCache = current_app.extensions.setdefault("nettungen.ldes_pages", _PageCache())
    return cache


def _etag(mimetype: str, *parts: object, rows: Sequence[stream.Stamp | LogEntry] = ()) -> str:
    """A weak ETag from what the representation is made of, not from its bytes.

    RDF serialisers need not write the same graph byte for byte in every process, so every
    worker must name a page by the log rows (and signatures) in it: then If-None-Match works
    whichever worker answers, and a page whose rows are fixed keeps its tag for good.
    """
    digest = hashlib.sha256("|".join([REPRESENTATION, mimetype, *map(str, parts)]).encode())
    for row in rows:
        digest.update(f"|{row.seq}:{row.event_id}:{row.signature}".encode())
    return digest.hexdigest()[:32]


def _render(
    mimetype: str, rdf: Callable[[], Graph], document: Callable[[], Any]
) -> tuple[str, str]:
    """The body and its content type."""
    if mimetype == JSON:
        body = json.dumps(document(), ensure_ascii=False, separators=(",", ":"))
        return body, "application/json"
    return serialize(rdf(), mimetype, base_url()), content_type(mimetype)


def _respond(
    body: str, kind: str, etag: str, cache_control: str, links: dict[str, str]
) -> Response:
    response = Response(body, content_type=kind)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = cache_control
    if links:
        response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    response.set_etag(etag, weak=True)
    response.make_conditional(request)  # 304 with an empty body when If-None-Match matches
    return response


def _short_lived() -> str:
    return f"public, max-age={current_app.config['LDES_NEWEST_MAX_AGE']}"


def _lasting(rows: Sequence[LogEntry]) -> str:
    """How long caches may keep complete rows: for good, unless a redaction may change them."""
    if stream.holds_personal_data(rows):
        return f"public, max-age={current_app.config['LDES_PERSONAL_MAX_AGE']}"
    return IMMUTABLE


@blp.route("/ldes")
class Root(MethodView):
    @blp.doc(responses=_RESPONSES)
    def get(self) -> Response:
        """The root view: how the stream is versioned and timed, and a link to its first page."""
        mimetype = negotiate(FORMATS, default=TURTLE)
        base = base_url()
        paging = stream.paging(db_session(), current_app.config["LDES_PAGE_SIZE"])
        body, kind = _render(
            mimetype,
            lambda: stream.root_graph(base, paging, current_app.config["NODE_TITLE"]),
            lambda: stream.root_json(base, paging),
        )
        links = {"first": stream.page_url(base, 1)}
        etag = _etag(
            mimetype, base, paging.page_size, paging.last_seq, current_app.config["NODE_TITLE"]
        )
        return _respond(body, kind, etag, _short_lived(), links)


@blp.route("/ldes/pages/<int:page>")
class Page(MethodView):
    @blp.doc(responses={**_RESPONSES, "404": {"description": "No such page (yet)."}})
    def get(self, page: int) -> Response:
        """One page of members in log order; complete pages change only by a redaction."""
        mimetype = negotiate(FORMATS, default=TURTLE)
        base = base_url()
        session = db_session()
        paging = stream.paging(session, current_app.config["LDES_PAGE_SIZE"])
        if not paging.exists(page):
            raise NotFound("ldes.page_out_of_range", count=paging.page_count)
        complete = paging.is_complete(page)
        links = {"next": stream.page_url(base, page + 1)} if complete else {}
        if page > 1:
            links["prev"] = stream.page_url(base, page - 1)
        key = (paging.page_size, page, mimetype)
        etag = _etag(
            mimetype,
            base,
            paging.page_size,
            page,
            complete,
            rows=stream.page_stamps(session, paging, page),
        )
        cached = _cache().get(key) if complete else None
        if cached is not None and cached[2] == etag:
            return _respond(*cached, links)
        rows = stream.page_rows(session, paging, page)
        body, kind = _render(
            mimetype,
            lambda: stream.page_graph(base, paging, page, rows),
            lambda: stream.page_json(base, paging, page, rows),
        )
        if complete:
            rendered = (body, kind, etag, _lasting(rows))
            _cache().put(key, rendered)
            return _respond(*rendered, links)
        return _respond(body, kind, etag, _short_lived(), links)


@blp.route("/offers/<offer_id>/versions/<int:version>")
class Version(MethodView):
    @blp.doc(responses={**_RESPONSES, "404": {"description": "No such version."}})
    def get(self, offer_id: str, version: int) -> Response:
        """One version of an offer, as its LDES member (it changes only by a redaction)."""
        mimetype = negotiate(FORMATS, default=TURTLE)
        base = base_url()
        uri = offer_uri(base, offer_id)
        row = db_session().scalar(
            select(LogEntry).where(LogEntry.offer_uri == uri, LogEntry.version == version)
        )
        if row is None:
            raise NotFound("ldes.no_such_version")

        def rdf() -> Graph:
            graph = new_graph()
            stream.describe_member(graph, stream.version_iri(uri, version), row, base)
            return graph

        body, kind = _render(mimetype, rdf, lambda: entry_event(row))
        etag = _etag(mimetype, base, rows=[row])
        return _respond(body, kind, etag, _lasting([row]), {})
