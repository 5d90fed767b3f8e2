"""The full dump: every offer published now, as one RDF document, written offer by offer.

The offers are read in one transaction (one consistent snapshot) in batches, and each offer's
description is serialized as soon as it is built, so memory stays flat however many offers the
node has. Concatenated Turtle and N-Triples documents are one valid document (Turtle allows a
prefix to be declared again); for JSON-LD the node objects of every offer go into one
``@graph`` under our context.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from rdflib import Graph, URIRef
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.publisher.linked.cpsv import describe_offer
from services.publisher.linked.namespaces import new_graph
from services.publisher.linked.render import compact_jsonld, context_url, serialize
from services.publisher.negotiation import JSON_LD
from shared.publication.models import PublishedOffer

BATCH = 100


def published_graphs(session: Session, base_url: str) -> Iterator[Graph]:
    """The CPSV-AP-NO description of each published offer, in offer-URI order."""
    query = select(PublishedOffer.offer_uri, PublishedOffer.snapshot).order_by(
        PublishedOffer.offer_uri
    )
    for uri, snapshot in session.execute(query.execution_options(yield_per=BATCH)):
        graph = new_graph()
        describe_offer(graph, URIRef(uri), json.loads(snapshot), base_url)
        yield graph


def stream_dump(session: Session, base_url: str, mimetype: str) -> Iterator[str]:
    """The dump in ``mimetype``, in chunks of one offer each."""
    if mimetype != JSON_LD:
        for graph in published_graphs(session, base_url):
            yield serialize(graph, mimetype, base_url)
        return
    yield '{"@context": ' + json.dumps(context_url(base_url)) + ', "@graph": ['
    separator = ""
    for graph in published_graphs(session, base_url):
        document = compact_jsonld(graph, base_url)
        nodes = document.pop("@graph", None)
        document.pop("@context")
        for node in nodes if nodes is not None else [document]:
            yield separator + json.dumps(node, ensure_ascii=False)
            separator = ",\n"
    yield "]}\n"
