"""Content negotiation for the publisher's RDF resources.

Every RDF resource is offered as Turtle, JSON-LD (with our context, served locally) and
N-Triples; HTML is offered where a page for people exists. Responses say ``Vary: Accept``.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from werkzeug.exceptions import NotAcceptable

TURTLE = "text/turtle"
JSON_LD = "application/ld+json"
N_TRIPLES = "application/n-triples"
JSON = "application/json"
HTML = "text/html"
RDF_TYPES = (TURTLE, JSON_LD, N_TRIPLES)
RDFLIB_FORMATS = {TURTLE: "turtle", JSON_LD: "json-ld", N_TRIPLES: "nt"}
# ?format= for links people can click and tools that cannot set headers.
FORMAT_PARAMETER = {"ttl": TURTLE, "jsonld": JSON_LD, "nt": N_TRIPLES, "json": JSON, "html": HTML}


def negotiate(offered: Sequence[str], default: str = TURTLE) -> str:
    """The media type to answer with: ``?format=``, else the best ``Accept`` match.

    A client that accepts anything (``*/*`` or no header) gets ``default``; one that accepts
    none of ``offered`` gets 406 in the standard error format.
    """
    wanted = request.args.get("format")
    if wanted is not None:
        chosen = FORMAT_PARAMETER.get(wanted)
        if chosen is None or chosen not in offered:
            raise NotAcceptable(
                f"format must be one of: "
                f"{', '.join(k for k, v in FORMAT_PARAMETER.items() if v in offered)}."
            )
        return chosen
    accept = request.accept_mimetypes
    if not accept or accept.best == "*/*":
        return default
    best = accept.best_match(offered)
    if best is None:
        raise NotAcceptable(f"This resource is available as: {', '.join(offered)}.")
    return best
