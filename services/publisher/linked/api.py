"""Linked-data routes: offers (CPSV-AP-NO), the DCAT-AP-NO catalog and dump, vocabularies, areas.

Every resource is Turtle by default, JSON-LD or N-Triples by ``Accept`` or ``?format=``; the
offer is also an HTML page for people. Unknown resources are 404 in the standard error format.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import flask_smorest
from flask import Response, current_app, render_template, stream_with_context
from flask.views import MethodView
from rdflib import URIRef

from services.publisher.context import base_url
from services.publisher.keys.api import JWKS_PATH
from services.publisher.linked import services
from services.publisher.linked.areas import describe_area
from services.publisher.linked.cpsv import describe_offer
from services.publisher.linked.dcat import NodeSettings, describe_catalog
from services.publisher.linked.dump import stream_dump
from services.publisher.linked.namespaces import new_graph
from services.publisher.linked.render import (
    CONTEXT_PATH,
    content_type,
    context_document,
    rdf_response,
)
from services.publisher.linked.skos import describe_concept, describe_scheme
from services.publisher.negotiation import HTML, JSON_LD, RDF_TYPES, negotiate
from shared.errors import NotFound
from shared.web import RequestDatabase, db_session

blp = flask_smorest.Blueprint(
    "linked",
    __name__,
    description="CPSV-AP-NO offer descriptions, the DCAT-AP-NO catalog and the SKOS vocabularies.",
)

OFFER_CACHE = "public, max-age=60"
CATALOG_CACHE = "public, max-age=300"
# Vocabulary codes never change meaning and areas change once a decade.
REFERENCE_CACHE = "public, max-age=86400"


def _responses(media_types: tuple[str, ...], description: str) -> dict[str, Any]:
    return {
        "responses": {
            "200": {"description": description, "content": {t: {} for t in media_types}},
            "404": {"description": "No such resource."},
            "406": {"description": "None of the accepted media types is offered."},
        }
    }


@blp.route("/offers/<offer_id>")
class Offer(MethodView):
    @blp.doc(
        **_responses((*RDF_TYPES, HTML), "The offer's current published version."),
    )
    @blp.alt_response(410, description="The offer was withdrawn.")
    def get(self, offer_id: str) -> Response:
        """An offer as CPSV-AP-NO (Turtle, JSON-LD, N-Triples), or as a page for people.

        Browsers get the HTML page; ``?format=ttl|jsonld|nt|html`` chooses explicitly.
        """
        document = services.current_offer(db_session(), base_url(), offer_id)
        mimetype = negotiate((*RDF_TYPES, HTML))
        if mimetype == HTML:
            page = render_template("offer.html", **services.offer_page(document))
            response = Response(page, content_type="text/html; charset=utf-8")
            response.vary.add("Accept")
            response.headers["Cache-Control"] = OFFER_CACHE
            return response
        graph = new_graph()
        describe_offer(graph, URIRef(document["uri"]), document, base_url())
        return rdf_response(graph, mimetype, cache_control=OFFER_CACHE)


@blp.route("/catalog")
class Catalog(MethodView):
    @blp.doc(**_responses(RDF_TYPES, "The node's DCAT-AP-NO catalog."))
    def get(self) -> Response:
        """The node's DCAT-AP-NO catalog: its offers dataset, distributions, vocabularies, keys."""
        mimetype = negotiate(RDF_TYPES)
        graph = new_graph()
        describe_catalog(graph, db_session(), _node_settings())
        return rdf_response(graph, mimetype, cache_control=CATALOG_CACHE)


@blp.route("/catalog/dump")
class Dump(MethodView):
    @blp.doc(**_responses(RDF_TYPES, "Every offer published now, in one document."))
    def get(self) -> Response:
        """All currently published offers as one CPSV-AP-NO document, streamed offer by offer."""
        mimetype = negotiate(RDF_TYPES)
        database: RequestDatabase = current_app.extensions["nettungen.db"]
        base = base_url()

        def chunks() -> Iterator[str]:
            # The request's session is closed before a streamed body is read; the dump reads
            # in a session of its own, one transaction for the whole document.
            with database.sessionmaker() as session:
                yield from stream_dump(session, base, mimetype)

        response = Response(stream_with_context(chunks()), content_type=content_type(mimetype))
        response.vary.add("Accept")
        response.headers["Cache-Control"] = CATALOG_CACHE
        return response


@blp.route("/vocabularies/<vocabulary_id>")
class Vocabulary(MethodView):
    @blp.doc(**_responses(RDF_TYPES, "A SKOS concept scheme with its concepts."))
    def get(self, vocabulary_id: str) -> Response:
        """One of the node's controlled vocabularies as a SKOS concept scheme."""
        graph = new_graph()
        if describe_scheme(graph, base_url(), vocabulary_id) is None:
            raise NotFound("vocabulary.no_such_id")
        return rdf_response(graph, negotiate(RDF_TYPES), cache_control=REFERENCE_CACHE)


@blp.route("/vocabularies/<vocabulary_id>/<code>")
class Concept(MethodView):
    @blp.doc(**_responses(RDF_TYPES, "A SKOS concept."))
    def get(self, vocabulary_id: str, code: str) -> Response:
        """One concept of a controlled vocabulary, with its labels and scheme."""
        graph = new_graph()
        if describe_concept(graph, base_url(), vocabulary_id, code) is None:
            raise NotFound("vocabulary.no_such_concept")
        return rdf_response(graph, negotiate(RDF_TYPES), cache_control=REFERENCE_CACHE)


@blp.route("/areas/<code>")
class Area(MethodView):
    @blp.doc(**_responses(RDF_TYPES, "A municipality, county or region as dct:Location."))
    def get(self, code: str) -> Response:
        """An area an offer covers: a municipality, county or region, by its code."""
        graph = new_graph()
        if describe_area(graph, base_url(), code) is None:
            raise NotFound("area.no_such_code")
        return rdf_response(graph, negotiate(RDF_TYPES), cache_control=REFERENCE_CACHE)


@blp.route(CONTEXT_PATH)
class Context(MethodView):
    @blp.doc(**_responses((JSON_LD,), "The JSON-LD context of every JSON-LD document here."))
    def get(self) -> Response:
        """The JSON-LD context our JSON-LD documents name: our prefixes and class names."""
        response = Response(context_document(), content_type=JSON_LD)
        response.headers["Cache-Control"] = REFERENCE_CACHE
        # JSON-LD processors in browsers load contexts across origins.
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response


def _node_settings() -> NodeSettings:
    config = current_app.config
    return NodeSettings(
        base_url=base_url(),
        title=config["NODE_TITLE"],
        publisher_orgnr=config.get("NODE_PUBLISHER_ORGNR"),
        contact_email=config.get("NODE_CONTACT_EMAIL"),
        jwks_path=JWKS_PATH,
    )
