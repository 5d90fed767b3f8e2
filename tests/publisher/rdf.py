"""RDF helpers for the publisher tests: JSON-LD read with our local context, SHACL checks.

The official shapes live beside the repository (``STANDARDS_DIR``); nothing is fetched.
"""

from __future__ import annotations

from pyshacl import validate
from rdflib import Graph
from rdflib.plugins.parsers.jsonld import to_rdf

from services.publisher.linked.render import local_context
from tests.conftest import STANDARDS_DIR
from tests.publisher.node import BASE_URL


def load_standard(*parts: str) -> Graph:
    return Graph().parse(STANDARDS_DIR.joinpath(*parts), format="turtle")


def check(graph: Graph, shapes: tuple[Graph, Graph]) -> tuple[bool, str]:
    conforms, _, text = validate(
        graph, shacl_graph=shapes[0], ont_graph=shapes[1], inference="none", advanced=True
    )
    return bool(conforms), str(text)


def parse_jsonld(document: dict) -> Graph:
    """A JSON-LD document of ours as a graph, with the context read from disk, never fetched.

    rdflib 7.6's ``Graph.parse(format="json-ld")`` wraps the graph in its own deprecated
    ConjunctiveGraph (a DeprecationWarning raised inside rdflib). Our documents have no named
    graphs, so the parser's ``to_rdf`` writes straight into a plain graph instead.
    """
    assert document["@context"] == f"{BASE_URL}/context.jsonld"
    body = {key: value for key, value in document.items() if key != "@context"}
    graph = Graph()
    to_rdf(body, graph, context_data=local_context())
    return graph
