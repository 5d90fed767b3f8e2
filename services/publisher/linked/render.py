"""RDF responses: Turtle, N-Triples and JSON-LD compacted with our own context.

JSON-LD is compacted against ``static/context.jsonld`` read from disk, and the document names
that context by its URL on this node (``{base}/context.jsonld``). Nothing is ever fetched: a
remote context at run time would make every response depend on someone else's server.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Response
from rdflib import Graph

from services.publisher.context import base_url
from services.publisher.negotiation import JSON_LD, RDFLIB_FORMATS

CONTEXT_FILE = Path(__file__).resolve().parent.parent / "static" / "context.jsonld"
CONTEXT_PATH = "/context.jsonld"


@lru_cache(maxsize=1)
def context_document() -> str:
    """Our JSON-LD context file, as served at ``/context.jsonld``."""
    return CONTEXT_FILE.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def local_context() -> dict[str, Any]:
    """The ``@context`` object of our JSON-LD context file."""
    context: dict[str, Any] = json.loads(context_document())["@context"]
    return context


def context_url(base: str) -> str:
    return f"{base}{CONTEXT_PATH}"


def compact_jsonld(graph: Graph, base: str) -> dict[str, Any]:
    """The graph as compacted JSON-LD whose ``@context`` is our context's URL."""
    text = graph.serialize(format="json-ld", context=local_context(), auto_compact=True)
    document = json.loads(text)
    if isinstance(document, list):  # rdflib gives a list for an empty graph
        document = {"@graph": document}
    document["@context"] = context_url(base)
    return dict(document)


def serialize(graph: Graph, mimetype: str, base: str) -> str:
    """The graph in one of the RDF media types of :mod:`services.publisher.negotiation`."""
    if mimetype == JSON_LD:
        return json.dumps(compact_jsonld(graph, base), ensure_ascii=False, indent=2)
    return graph.serialize(format=RDFLIB_FORMATS[mimetype])


def rdf_response(graph: Graph, mimetype: str, *, cache_control: str | None = None) -> Response:
    """Serialize ``graph`` as ``mimetype``; the response always varies by ``Accept``."""
    response = Response(serialize(graph, mimetype, base_url()), content_type=content_type(mimetype))
    response.vary.add("Accept")
    if cache_control is not None:
        response.headers["Cache-Control"] = cache_control
    return response


def content_type(mimetype: str) -> str:
    return mimetype if mimetype == JSON_LD else f"{mimetype}; charset=utf-8"
