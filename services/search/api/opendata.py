"""National open data beside the search API: the DCAT-AP-NO catalogue of every node
(``/catalog``), the public list of nodes and their feeds (``/api/v1/nodes``), and every offer
as a table (``/offers.csv``, ``/offers.xlsx``, with the search API's filters).

The tables have :mod:`shared.offer_table`'s columns, the same as each node's. The CSV is
streamed from a session of its own, so a country's worth of offers is never all in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate
from rdflib import Graph
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import NotAcceptable

from services.search.api.catalogue import describe_national_catalogue
from services.search.api.schemas import OfferSearchSchema, to_offer_query
from services.search.context import public_url
from services.search.index.models import IndexedOffer
from services.search.index.nodes import FEEDS, public_nodes
from services.search.index.query import OfferQuery, where_clauses
from shared import offer_table
from shared.fields import NoQuery, StrictQuery
from shared.hsds_api.source import STREAM_BATCH
from shared.spreadsheet import with_separator
from shared.web import RequestDatabase, db_session
from shared.web.query import strict_query

blp = Blueprint(
    "opendata",
    __name__,
    description="National open data: the DCAT-AP-NO catalogue of every node's catalogue and "
    "feeds, the list of nodes, and every offer as a table (CSV, XLSX).",
)
CACHE = "public, max-age=300"
TABLE_CACHE = "public, max-age=60"
RDF_FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
}


class CatalogQuery(StrictQuery):
    format = fields.String(
        validate=validate.OneOf(list(RDF_FORMATS)),
        metadata={"description": "ttl, jsonld or nt; else by Accept (Turtle by default)."},
    )


class StrictTableFilters(OfferSearchSchema):
    """The search API's filters, without its paging, facets and language; any other
    parameter is refused."""

    class Meta:
        unknown = RAISE
        exclude = ("page", "cursor", "per_page", "facets", "lang")


class OrganisationSchema(Schema):
    organisation_number = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(allow_none=True, required=True)


class NodeSchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    base_url = fields.Url(required=True)
    offers = fields.Integer(
        required=True, metadata={"description": "Its offers national search holds now."}
    )
    feeds = fields.Dict(
        keys=fields.String(validate=validate.OneOf(list(FEEDS))),
        values=fields.Url(),
        required=True,
        metadata={"description": "Its landing page, catalogue, LDES, HSDS, tables and keys."},
    )
    organisations = fields.List(fields.Nested(OrganisationSchema), required=True)


class NodeListSchema(Schema):
    nodes = fields.List(fields.Nested(NodeSchema), required=True)


@blp.route("/catalog")
class Catalogue(MethodView):
    @strict_query(blp, CatalogQuery)
    @blp.doc(
        responses={
            "200": {
                "description": "The national catalogue.",
                "content": {media: {} for media, _ in RDF_FORMATS.values()},
            },
            "406": {"description": "None of the accepted media types is offered."},
        }
    )
    def get(self, query: dict[str, Any]) -> Response:
        """The DCAT-AP-NO catalogue of every node's catalogue and feeds, and of the national
        dataset; Turtle, JSON-LD or N-Triples."""
        media_type, rdf_format = _rdf_format(query.get("format"))
        graph = Graph()
        describe_national_catalogue(graph, public_url(), public_nodes(db_session()))
        response = Response(graph.serialize(format=rdf_format), content_type=media_type)
        response.vary.add("Accept")
        response.headers["Cache-Control"] = CACHE
        return response


def _rdf_format(chosen: str | None) -> tuple[str, str]:
    """``?format=``, else the best ``Accept`` match; Turtle to a client that takes anything,
    406 to one that takes none of them (as the node's catalogue answers)."""
    if chosen:
        return RDF_FORMATS[chosen]
    offered = [media for media, _ in RDF_FORMATS.values()]
    accept = request.accept_mimetypes
    best = offered[0] if not accept or accept.best == "*/*" else accept.best_match(offered)
    if best is None:
        raise NotAcceptable(f"This resource is available as: {', '.join(offered)}.")
    return next(v for v in RDF_FORMATS.values() if v[0] == best)


@blp.route("/api/v1/nodes")
class Nodes(MethodView):
    @strict_query(blp, NoQuery)
    @blp.response(200, NodeListSchema)
    def get(self, _query: dict[str, Any]) -> dict[str, Any]:
        """Every node of the federation: its organisations, how many offers it has, and the
        addresses of its feeds."""
        nodes = public_nodes(db_session())
        return {
            "nodes": [
                {
                    "id": n.id,
                    "name": n.name,
                    "base_url": n.base_url,
                    "offers": n.offers,
                    "feeds": n.feeds,
                    "organisations": [vars(o) for o in n.organisations],
                }
                for n in nodes
            ]
        }


@blp.route("/offers.csv")
class OffersCsv(MethodView):
    @strict_query(blp, with_separator(StrictTableFilters))
    @blp.doc(responses={"200": {"description": "The table.", "content": {"text/csv": {}}}})
    def get(self, query: dict[str, Any]) -> Response:
        """Every published offer that the filters find (those of /api/v1/offers), a row each,
        by name: UTF-8 with a byte-order mark, semicolon-separated with decimal commas (or
        ``separator=comma``: commas and decimal points)."""
        database: RequestDatabase = current_app.extensions["nettungen.db"]
        chosen = to_offer_query(query)
        chunks = _streamed_csv(database.sessionmaker, chosen, query["separator"])
        return _download(Response(chunks, content_type=offer_table.CSV_TYPE), "csv")


@blp.route("/offers.xlsx")
class OffersXlsx(MethodView):
    @strict_query(blp, StrictTableFilters)
    @blp.doc(
        responses={"200": {"description": "The table.", "content": {offer_table.XLSX_TYPE: {}}}}
    )
    def get(self, query: dict[str, Any]) -> Response:
        """Every published offer that the filters find, a row each, as an XLSX workbook."""
        chosen = to_offer_query(query)
        workbook = offer_table.xlsx_bytes(_documents(db_session(), chosen))
        return _download(Response(workbook, mimetype=offer_table.XLSX_TYPE), "xlsx")


def _documents(session: Session, chosen: OfferQuery) -> Iterator[dict[str, Any]]:
    rows = session.scalars(
        select(IndexedOffer.document)
        .where(*where_clauses(session, chosen))
        .order_by(IndexedOffer.name_sort, IndexedOffer.offer_id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    try:
        for document in rows:
            yield json.loads(document)
    finally:
        rows.close()  # a client that goes away leaves no cursor open


def _streamed_csv(
    make_session: sessionmaker[Session], chosen: OfferQuery, dialect: str
) -> Iterator[str]:
    """The CSV read on a session of its own: the body is sent after the request's session is
    closed, and the session closes when the body ends or the client goes away."""
    with make_session() as session:
        yield from offer_table.csv_chunks(_documents(session, chosen), dialect)


def _download(response: Response, extension: str) -> Response:
    name = f"nettungen-tilbud-nasjonalt.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = TABLE_CACHE
    return response
