"""Query parameters of the HSDS API and the documentation of its responses (node and national).

Every parameter is validated strictly, and a query parameter an endpoint does not know is
refused too: a 400 in our error format, with ``errors.query.<name>``. A client that sends
``postcode`` (which needs a postcode register we do not hold) or misspells ``organisation_id``
would otherwise get every service, and believe it had been filtered.

``per_page`` above the limit is refused, not clamped: a client that asked for 500 and silently
got 100 would compute the wrong number of pages. ``minimal=true`` raises the limit, because the
HSDS API reference asks that minimal lists aim to fit all services in one call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from shared.fields import MAX_RADIUS_KM, PointField, StrictQuery, words
from shared.hsds import HSDS_VERSION
from shared.messages import Message

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 100
MAX_PER_PAGE_MINIMAL = 1000
NDJSON = "application/x-ndjson"

HSDS_SCHEMA_URL = "https://raw.githubusercontent.com/openreferral/specification/3.1/schema/"


class _ListQuery(StrictQuery):
    search = words("Words that must all match (any case) the name or the text.")
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1),
        metadata={"description": "Page number, from 1. A page beyond the last one is empty."},
    )
    per_page = fields.Integer(
        validate=validate.Range(min=1),
        metadata={
            "description": f"Items per page: default {DEFAULT_PER_PAGE}, at most "
            f"{MAX_PER_PAGE} ({MAX_PER_PAGE_MINIMAL} with minimal=true)."
        },
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(["json", "ndjson"]),
        metadata={"description": "ndjson streams every match, one object a line, unpaginated."},
    )

    def page_limit(self, data: dict[str, Any]) -> tuple[int, int]:
        """The default and the largest ``per_page`` for this request."""
        return DEFAULT_PER_PAGE, MAX_PER_PAGE

    @validates_schema
    def _per_page_within_limit(self, data: dict[str, Any], **_: Any) -> None:
        largest = self.page_limit(data)[1]
        if data.get("per_page", 0) > largest:
            raise ValidationError(Message("paging.too_many_per_page", largest=largest), "per_page")

    @post_load
    def _default_per_page(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        data.setdefault("per_page", self.page_limit(data)[0])
        if "search" in data:
            data["search"] = data["search"].strip() or None
        return data


class _ServiceFilterQuery(_ListQuery):
    """The filters of ``/services`` and ``/service_at_locations``; all that are given hold."""

    taxonomy_term_id = fields.UUID(
        metadata={"description": "Only services classified with this taxonomy term."}
    )
    taxonomy_id = fields.UUID(
        metadata={"description": "Only services with any term of this taxonomy."}
    )
    organization_id = fields.UUID(
        metadata={"description": "Only services this organization provides."}
    )
    modified_after = fields.DateTime(
        metadata={
            "description": "Only services modified at or after this time (UTC if bare). "
            "On /services, offers withdrawn since then are listed too, after the others, "
            "with status inactive."
        }
    )

    @validates("modified_after")
    def _within_utc_calendar(self, value: dt.datetime, **_: Any) -> None:
        # 9999-12-31T23:00-05:00 is a valid ISO time whose UTC is past year 9999; a bare
        # time is read as UTC, which it always can be.
        try:
            if value.tzinfo is not None:
                value.astimezone(dt.UTC)
        except OverflowError:
            raise ValidationError(Message("hsds.time_out_of_range")) from None


class ServiceQuerySchema(_ServiceFilterQuery):
    minimal = fields.Boolean(
        load_default=False,
        metadata={"description": "Only id, name, status and last_modified of each service."},
    )
    full = fields.Boolean(load_default=False, metadata={"description": "Fully nested services."})

    def page_limit(self, data: dict[str, Any]) -> tuple[int, int]:
        if data.get("minimal"):
            return MAX_PER_PAGE_MINIMAL, MAX_PER_PAGE_MINIMAL
        return DEFAULT_PER_PAGE, MAX_PER_PAGE

    @validates_schema
    def _minimal_or_full(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("minimal") and data.get("full"):
            raise ValidationError(Message("hsds.minimal_or_full"), "minimal")


class ServiceAtLocationQuerySchema(_ServiceFilterQuery):
    full = fields.Boolean(
        load_default=False,
        metadata={"description": "With the service's one-to-one fields in each item."},
    )
    near = PointField(
        metadata={
            "description": "Our extension (as on the search API's /api/v1/offers): a point, "
            "latitude,longitude in WGS84 degrees (59.7441,10.2045; decimal commas are read "
            "with the numbers apart by ', ', ';' or a space). The services at their "
            "places nearest first; places without a point come last (ndjson: in the usual "
            "order).",
            "type": "string",
            "example": "59.7441,10.2045",
        },
    )
    radius = fields.Float(
        validate=validate.Range(min=0, max=MAX_RADIUS_KM, min_inclusive=False),
        metadata={
            "description": "Our extension, with near: only the services at places within "
            "this many km of the point.",
            "example": 25,
        },
    )
    proximity = fields.String(
        metadata={
            "description": "HSDS's distance in metres from the centroid of postcode: not "
            "offered (we hold no postcode centroids) and always refused with 400. Use near "
            "and radius.",
        },
    )

    @validates("proximity")
    def _no_proximity(self, _value: str, **_: Any) -> None:
        raise ValidationError(Message("hsds.no_proximity"))

    @validates_schema
    def _radius_from_a_point(self, data: dict[str, Any], **_: Any) -> None:
        if "radius" in data and "near" not in data:
            raise ValidationError(Message("point.radius_without_near"), "radius")


class LocationQuerySchema(_ListQuery):
    pass


class OrganizationQuerySchema(_ListQuery):
    taxonomy_term_id = fields.UUID(
        metadata={"description": "Only organizations with a service classified with this term."}
    )
    taxonomy_id = fields.UUID(
        metadata={"description": "Only organizations with a service with a term of this taxonomy."}
    )
    full = fields.Boolean(
        load_default=False,
        metadata={"description": "Fully nested organizations, with their services."},
    )
    full_service = fields.Boolean(
        load_default=False,
        metadata={"description": "With full=true: the services fully nested too."},
    )


class OrganizationItemQuerySchema(StrictQuery):
    full_service = fields.Boolean(
        load_default=False, metadata={"description": "The services fully nested."}
    )


class TaxonomyQuerySchema(_ListQuery):
    pass


class TaxonomyTermQuerySchema(_ListQuery):
    taxonomy_id = fields.UUID(metadata={"description": "Only terms of this taxonomy."})
    parent_id = fields.UUID(
        metadata={"description": "Only children of this term (our taxonomies are flat)."}
    )
    top_only = fields.Boolean(
        load_default=False, metadata={"description": "Only top-level terms (all of ours)."}
    )


class ApiInfoSchema(Schema):
    version = fields.String(
        required=True, metadata={"description": "HSDS version of this API.", "example": "3.1"}
    )
    profile = fields.Url(
        required=True,
        metadata={"description": "The HSDS profile: the HSDS 3.1 base, unmodified."},
    )
    openapi_url = fields.Url(
        required=True, metadata={"description": "The OpenAPI document of this API."}
    )


def hsds_schema(name: str) -> dict[str, Any]:
    """An official HSDS schema, named and linked rather than referenced by ``$ref``.

    A remote ``$ref`` would make our OpenAPI document depend on fetching GitHub: validators
    and the interactive docs would reach out to the network. The tests validate every response
    against the official schema itself.
    """
    return {
        "type": "object",
        "description": f"An HSDS {HSDS_VERSION} object as defined by {name}.",
        "externalDocs": {"url": HSDS_SCHEMA_URL + name},
    }


def page_of(item_schema: str) -> dict[str, Any]:
    """The HSDS ``Page`` of a list endpoint, with ``contents`` of the named HSDS schema."""
    return {
        "type": "object",
        "required": list(PAGE_FIELDS) + ["contents"],
        "properties": {
            **{name: {"type": kind} for name, kind in PAGE_FIELDS.items()},
            "contents": {"type": "array", "items": hsds_schema(item_schema)},
        },
        "description": f"An HSDS {HSDS_VERSION} Page.",
    }


PAGE_FIELDS = {
    "total_items": "integer",
    "total_pages": "integer",
    "page_number": "integer",
    "size": "integer",
    "first_page": "boolean",
    "last_page": "boolean",
    "empty": "boolean",
}
