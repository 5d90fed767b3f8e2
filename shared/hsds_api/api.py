"""The HSDS 3.1 API as a flask-smorest blueprint over a service's :class:`HsdsSource`.

Lists answer with the HSDS ``Page`` (``total_items`` ... ``contents``); ``format=ndjson``
streams every match instead, one JSON object a line, read on a session of its own. Lists are
ordered by name, then id; taxonomies and their terms keep the order of our vocabularies
(pyramid levels 1, 2, 3). Errors are the one error payload of ``shared.web``; a query
parameter that is malformed or that the endpoint does not know is a 400.

``/services?modified_after=`` also lists the offers withdrawn since then, after the published
ones, with status ``inactive``: a harvester that syncs by modification time learns what is
gone. Locations and services at locations are in :mod:`.locations`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from flask import Response, current_app, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from shared import hsds
from shared.fields import NoQuery
from shared.hsds_api import lookups
from shared.hsds_api.paging import page, paginate, window
from shared.hsds_api.schemas import (
    NDJSON,
    ApiInfoSchema,
    OrganizationItemQuerySchema,
    OrganizationQuerySchema,
    ServiceQuerySchema,
    TaxonomyQuerySchema,
    TaxonomyTermQuerySchema,
    hsds_schema,
    page_of,
)
from shared.hsds_api.source import (
    STREAM_BATCH,
    Document,
    HsdsSource,
    Provider,
    ServiceFilter,
    SourceFactory,
    id_text,
)
from shared.web import RequestDatabase
from shared.web.query import strict_query as query_of

# We serve HSDS 3.1 unmodified, so our profile is the base specification itself.
PROFILE_URL = "https://github.com/openreferral/specification/tree/3.1/schema"
LIST_RESPONSE = "An HSDS Page; with format=ndjson, every match instead, one object a line."

Render = Callable[[Any], dict[str, Any]]
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def hsds_blueprint(
    source: SourceFactory, *, description: str, openapi_url: Callable[[], str]
) -> Blueprint:
    """The ``/hsds`` blueprint over ``source``; ``openapi_url`` says where the app's OpenAPI
    document is (the HSDS root names it)."""
    blp = Blueprint("hsds", __name__, url_prefix="/hsds", description=description)
    _root(blp, openapi_url)
    _services(blp, source)
    _organizations(blp, source)
    _taxonomies(blp)
    from shared.hsds_api import locations  # its endpoints use this module's helpers

    locations.register(blp, source)
    return blp


def list_doc(blp: Blueprint, schema: str, item: str) -> Decorator:
    """Document a list endpoint's two answers: a Page of ``schema`` items, or NDJSON; and the
    link from a page to its first item at ``item`` (a path below the blueprint's prefix, with
    one parameter), so clients and stateful tests can follow it."""
    paged = blp.response(200, page_of(schema), description=LIST_RESPONSE)
    ndjson = blp.alt_response(
        200,
        schema=hsds_schema(schema),
        content_type=NDJSON,
        description=LIST_RESPONSE,
        success=True,
    )
    path = f"{blp.url_prefix}{item}"
    parameter = item.rsplit("{", 1)[1].rstrip("}")
    link = {
        "operationRef": "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/get",
        "parameters": {parameter: "$response.body#/contents/0/id"},
        "description": "The first item of the page.",
    }
    linked = blp.doc(responses={200: {"links": {"first_item": link}}})
    return lambda view: linked(paged(ndjson(view)))


def _root(blp: Blueprint, openapi_url: Callable[[], str]) -> None:
    @blp.route("/")
    class ApiInfo(MethodView):
        @no_query(blp)
        @blp.response(200, ApiInfoSchema)
        def get(self, _query: dict[str, Any]) -> dict[str, str]:
            """The HSDS version and profile of this API, and where its OpenAPI document is."""
            return {
                "version": hsds.HSDS_VERSION,
                "profile": PROFILE_URL,
                "openapi_url": openapi_url(),
            }


def _services(blp: Blueprint, source: SourceFactory) -> None:
    @blp.route("/services")
    class Services(MethodView):
        @query_of(blp, ServiceQuerySchema)
        @list_doc(blp, "compiled/service_list.json", "/services/{service_id}")
        def get(self, query: dict[str, Any]) -> Response:
            """Published services: one-to-one fields, only id, name, status and time (minimal),
            or fully nested (full)."""
            where = ServiceFilter.from_query(query)
            render = _service_render(query)
            if query["format"] == "ndjson":
                return streamed(source, lambda found: map(render, _every_service(found, where)))
            number, per_page = query["page"], query["per_page"]
            documents, total = _services_page(source(request_session()), where, number, per_page)
            return jsonify(page([render(d) for d in documents], total, number, per_page))

    @blp.route("/services/<service_id>")
    class Service(MethodView):
        @no_query(blp)
        @blp.response(200, hsds_schema("compiled/service.json"))
        @blp.alt_response(404, response="NOT_FOUND")
        def get(self, _query: dict[str, Any], service_id: str) -> Response:
            """One published service, fully nested."""
            return jsonify(hsds.service(source(request_session()).service(service_id)))


def no_query(blp: Blueprint) -> Decorator:
    """An endpoint that takes no query parameters, and refuses any."""
    return query_of(blp, NoQuery)


def _services_page(
    found: HsdsSource, where: ServiceFilter, number: int, per_page: int
) -> tuple[list[Document], int]:
    """Page ``number`` of the published matches, then (with ``modified_after``) the withdrawn
    ones, and how many there are in all."""
    documents, total = found.services_page(where, number, per_page)
    if where.modified_after is None:
        return documents, total
    withdrawn = found.withdrawn_services(where)
    shown = window(number, per_page)
    rest = withdrawn[max(shown.start - total, 0) : max(shown.stop - total, 0)]
    return documents + list(rest), total + len(withdrawn)


def _every_service(found: HsdsSource, where: ServiceFilter) -> Iterator[Document]:
    yield from found.stream_services(where)
    if where.modified_after is not None:
        yield from found.withdrawn_services(where)


def _service_render(query: Mapping[str, Any]) -> Callable[[Document], dict[str, Any]]:
    if query["minimal"]:
        return hsds.service_minimal
    if query["full"]:
        return hsds.service
    return hsds.service_summary


def _organizations(blp: Blueprint, source: SourceFactory) -> None:
    @blp.route("/organizations")
    class Organizations(MethodView):
        @query_of(blp, OrganizationQuerySchema)
        @list_doc(blp, "compiled/organization_list.json", "/organizations/{organization_id}")
        def get(self, query: dict[str, Any]) -> Response:
            """Organizations that provide published services."""
            if query["format"] == "ndjson":
                return streamed(
                    source, lambda found: _in_batches(found, _providers(found, query), query)
                )
            found = source(request_session())
            providers = _providers(found, query)
            shown = providers[window(query["page"], query["per_page"])]
            contents = _render_organizations(found, shown, query)
            return jsonify(page(contents, len(providers), query["page"], query["per_page"]))

    @blp.route("/organizations/<organization_id>")
    class Organization(MethodView):
        @query_of(blp, OrganizationItemQuerySchema)
        @blp.response(200, hsds_schema("compiled/organization.json"))
        @blp.alt_response(404, response="NOT_FOUND")
        def get(self, query: dict[str, Any], organization_id: str) -> Response:
            """One organization, fully nested, with its published services."""
            found = source(request_session())
            provider = found.provider(organization_id)
            [organization] = _render_organizations(found, [provider], {**query, "full": True})
            return jsonify(organization)


def _providers(found: HsdsSource, query: Mapping[str, Any]) -> list[Provider]:
    """The providers whose name matches ``search`` and, with a taxonomy filter, that provide
    a published service it matches (read from those services)."""
    providers = found.providers(query.get("search"))
    if not (query.get("taxonomy_term_id") or query.get("taxonomy_id")):
        return providers
    classified = ServiceFilter(
        taxonomy_term_id=id_text(query.get("taxonomy_term_id")),
        taxonomy_id=id_text(query.get("taxonomy_id")),
    )
    numbers = {d["provider"]["organisation_number"] for d in found.stream_services(classified)}
    return [p for p in providers if p["organisation_number"] in numbers]


def _render_organizations(
    found: HsdsSource, providers: Sequence[Provider], query: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Organizations as lists carry them, or (``full``) nested with their services."""
    if not query["full"]:
        return [hsds.organization(p, nested=False) for p in providers]
    grouped = found.services_of([p["organisation_number"] for p in providers])
    return [
        hsds.organization_with_services(
            p, grouped.get(p["organisation_number"], []), full=query["full_service"]
        )
        for p in providers
    ]


def _in_batches(
    found: HsdsSource, providers: Sequence[Provider], query: Mapping[str, Any]
) -> Iterator[dict[str, Any]]:
    # Services are read for a batch of organizations at a time, never for all of them at once.
    for start in range(0, len(providers), STREAM_BATCH):
        yield from _render_organizations(found, providers[start : start + STREAM_BATCH], query)


def _taxonomies(blp: Blueprint) -> None:
    @blp.route("/taxonomies")
    class Taxonomies(MethodView):
        @query_of(blp, TaxonomyQuerySchema)
        @list_doc(blp, "taxonomy.json", "/taxonomies/{taxonomy_id}")
        def get(self, query: dict[str, Any]) -> Response:
            """Our controlled vocabularies (felles begrepsapparat) as taxonomies."""
            return paged_list(query, lookups.taxonomies(query.get("search")), hsds.taxonomy)

    @blp.route("/taxonomies/<taxonomy_id>")
    class Taxonomy(MethodView):
        @no_query(blp)
        @blp.response(200, hsds_schema("taxonomy.json"))
        @blp.alt_response(404, response="NOT_FOUND")
        def get(self, _query: dict[str, Any], taxonomy_id: str) -> Response:
            """One of our controlled vocabularies."""
            return jsonify(hsds.taxonomy(lookups.find_taxonomy(taxonomy_id)))

    @blp.route("/taxonomy_terms")
    class TaxonomyTerms(MethodView):
        @query_of(blp, TaxonomyTermQuerySchema)
        @list_doc(blp, "taxonomy_term.json", "/taxonomy_terms/{term_id}")
        def get(self, query: dict[str, Any]) -> Response:
            """The terms of our vocabularies, each with its taxonomy."""
            terms = lookups.taxonomy_terms(
                query.get("search"),
                id_text(query.get("taxonomy_id")),
                id_text(query.get("parent_id")),
            )
            return paged_list(query, terms, lambda term: hsds.taxonomy_term(*term))

    @blp.route("/taxonomy_terms/<term_id>")
    class TaxonomyTerm(MethodView):
        @no_query(blp)
        @blp.response(200, hsds_schema("taxonomy_term.json"))
        @blp.alt_response(404, response="NOT_FOUND")
        def get(self, _query: dict[str, Any], term_id: str) -> Response:
            """One term of our vocabularies, with its taxonomy."""
            return jsonify(hsds.taxonomy_term(*lookups.find_taxonomy_term(term_id)))


def paged_list(query: Mapping[str, Any], items: Sequence[Any], render: Render) -> Response:
    if query["format"] == "ndjson":
        return _ndjson(map(render, items))
    return jsonify(paginate(items, query["page"], query["per_page"], render))


def streamed(
    source: SourceFactory, produce: Callable[[HsdsSource], Iterable[dict[str, Any]]]
) -> Response:
    """NDJSON read on a session of its own: the body is sent after the request's session is
    closed, and the session closes when the body ends or the client goes away."""
    make_session = _database().sessionmaker

    def objects() -> Iterator[dict[str, Any]]:
        with make_session() as session:
            yield from produce(source(session))

    return _ndjson(objects())


def _ndjson(objects: Iterable[dict[str, Any]]) -> Response:
    def lines() -> Iterator[str]:
        for item in objects:
            yield json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n"

    return Response(lines(), mimetype=NDJSON)


def _database() -> RequestDatabase:
    database: RequestDatabase = current_app.extensions["nettungen.db"]
    return database


def request_session() -> Session:
    return _database().session
