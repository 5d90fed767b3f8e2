"""The node's HSDS 3.0 API (Open Referral): its published offers as services.

Lists answer with the HSDS ``Page`` (``total_items`` ... ``contents``); ``format=ndjson``
streams every match instead, one JSON object a line. Lists are ordered by name, then id;
taxonomies and their terms keep the order of our vocabularies (pyramid levels 1, 2, 3).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from flask import Response, current_app, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy.orm import Session, sessionmaker

from services.publisher.hsds import services
from services.publisher.hsds.schemas import (
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
from services.publisher.web import base_url, db_session
from shared import hsds

# We serve HSDS 3.0 unmodified, so our profile is the base specification itself.
PROFILE_URL = "https://github.com/openreferral/specification/tree/3.0/schema"

blp = Blueprint(
    "hsds",
    __name__,
    url_prefix="/hsds",
    description="HSDS 3.0 (Open Referral): the node's published offers as services, their "
    "organizations and our vocabularies as taxonomies. Text is in Norwegian (bokmål).",
)


LIST_RESPONSE = "An HSDS Page; with format=ndjson, every match instead, one object a line."


def _list_doc(schema: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Document a list endpoint's two answers: a Page of ``schema`` items, or NDJSON."""
    page = blp.response(200, page_of(schema), description=LIST_RESPONSE)
    ndjson = blp.alt_response(
        200,
        schema=hsds_schema(schema),
        content_type=NDJSON,
        description=LIST_RESPONSE,
        success=True,
    )
    return lambda view: page(ndjson(view))


@blp.route("/")
class ApiInfo(MethodView):
    @blp.response(200, ApiInfoSchema)
    def get(self) -> dict[str, str]:
        """The HSDS version and profile of this API, and where its OpenAPI document is."""
        return {
            "version": hsds.HSDS_VERSION,
            "profile": PROFILE_URL,
            "openapi_url": f"{base_url().rstrip('/')}/openapi.json",
        }


@blp.route("/services")
class Services(MethodView):
    @blp.arguments(ServiceQuerySchema, location="query")
    @_list_doc("compiled/service_list.json")
    def get(self, query: dict[str, Any]) -> Response:
        """Published services: one-to-one fields, only id, name, status and time (minimal),
        or fully nested (full)."""
        where = services.ServiceFilter(
            search=query.get("search"),
            taxonomy_term_id=_text(query.get("taxonomy_term_id")),
            taxonomy_id=_text(query.get("taxonomy_id")),
            organization_id=_text(query.get("organization_id")),
            modified_after=query.get("modified_after"),
        )
        render: Callable[[Mapping[str, Any]], dict[str, Any]] = hsds.service_summary
        if query["minimal"]:
            render = hsds.service_minimal
        elif query["full"]:
            render = hsds.service
        if query["format"] == "ndjson":
            return _ndjson(map(render, services.stream_documents(_sessionmaker(), where)))
        documents = services.matching_documents(db_session(), where)
        return jsonify(services.paginate(documents, query["page"], query["per_page"], render))


@blp.route("/services/<service_id>")
class Service(MethodView):
    @blp.response(200, hsds_schema("compiled/service.json"))
    def get(self, service_id: str) -> Response:
        """One published service, fully nested."""
        return jsonify(hsds.service(services.find_document(db_session(), service_id)))


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.arguments(OrganizationQuerySchema, location="query")
    @_list_doc("compiled/organization_list.json")
    def get(self, query: dict[str, Any]) -> Response:
        """Organizations that provide published services."""
        session = db_session()
        providers = services.latest_providers(session, query.get("search"))
        render: Callable[[Mapping[str, Any]], dict[str, Any]]
        if query["full"]:
            grouped = services.documents_by_organisation(session)

            def render(provider: Mapping[str, Any]) -> dict[str, Any]:
                return hsds.organization_with_services(
                    provider,
                    grouped.get(provider["organisation_number"], []),
                    full=query["full_service"],
                )

        else:

            def render(provider: Mapping[str, Any]) -> dict[str, Any]:
                return hsds.organization(provider, nested=False)

        return _list(query, providers, render)


@blp.route("/organizations/<organization_id>")
class Organization(MethodView):
    @blp.arguments(OrganizationItemQuerySchema, location="query")
    @blp.response(200, hsds_schema("compiled/organization.json"))
    def get(self, query: dict[str, Any], organization_id: str) -> Response:
        """One organization, fully nested, with its published services."""
        session = db_session()
        provider = services.find_provider(session, organization_id)
        where = services.ServiceFilter(
            organization_id=hsds.organization_id(provider["organisation_number"])
        )
        documents = services.matching_documents(session, where)
        return jsonify(
            hsds.organization_with_services(provider, documents, full=query["full_service"])
        )


@blp.route("/taxonomies")
class Taxonomies(MethodView):
    @blp.arguments(TaxonomyQuerySchema, location="query")
    @_list_doc("taxonomy.json")
    def get(self, query: dict[str, Any]) -> Response:
        """Our controlled vocabularies (felles begrepsapparat) as taxonomies."""
        return _list(query, services.taxonomies(query.get("search")), hsds.taxonomy)


@blp.route("/taxonomies/<taxonomy_id>")
class Taxonomy(MethodView):
    @blp.response(200, hsds_schema("taxonomy.json"))
    def get(self, taxonomy_id: str) -> Response:
        return jsonify(hsds.taxonomy(services.find_taxonomy(taxonomy_id)))


@blp.route("/taxonomy_terms")
class TaxonomyTerms(MethodView):
    @blp.arguments(TaxonomyTermQuerySchema, location="query")
    @_list_doc("taxonomy_term.json")
    def get(self, query: dict[str, Any]) -> Response:
        """The terms of our vocabularies, each with its taxonomy."""
        terms = services.taxonomy_terms(
            query.get("search"), _text(query.get("taxonomy_id")), _text(query.get("parent_id"))
        )
        return _list(query, terms, lambda term: hsds.taxonomy_term(*term))


@blp.route("/taxonomy_terms/<term_id>")
class TaxonomyTerm(MethodView):
    @blp.response(200, hsds_schema("taxonomy_term.json"))
    def get(self, term_id: str) -> Response:
        return jsonify(hsds.taxonomy_term(*services.find_taxonomy_term(term_id)))


def _list(
    query: dict[str, Any], items: list[Any], render: Callable[[Any], dict[str, Any]]
) -> Response:
    if query["format"] == "ndjson":
        return _ndjson(map(render, items))
    return jsonify(services.paginate(items, query["page"], query["per_page"], render))


def _ndjson(objects: Iterable[dict[str, Any]]) -> Response:
    def lines() -> Iterator[str]:
        for item in objects:
            yield json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n"

    return Response(lines(), mimetype=NDJSON)


def _sessionmaker() -> sessionmaker[Session]:
    maker: sessionmaker[Session] = current_app.extensions["nettungen.db"].sessionmaker
    return maker


def _text(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None
