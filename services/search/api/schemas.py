"""Query parameters and answers of ``/api/v1/offers``.

Parameters are validated strictly: a bad value or a parameter the API does not know is a 400
naming it, in the one error format (the public site, which takes the same parameters, ignores
unknown ones). A facet's parameter may repeat (``level=1&level=2``): the values are
alternatives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from services.search.index import keyset
from services.search.index.query import EXACT_COUNT_LIMIT, OfferQuery
from shared import vocab
from shared.areas import AreaKind, reference_data
from shared.fields import MAX_RADIUS_KM, PointField, StrictQuery, vocab_code, words
from shared.messages import Message
from shared.publication.schema import MAX_AGE, TIME
from shared.timetable import minutes

MAX_PER_PAGE = 100
MAX_DEPTH = 10_000


def _area_of(kind: AreaKind, what: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        areas = reference_data()
        if value not in areas or areas.get(value).kind is not kind:
            raise ValidationError(Message("area.not_of_kind", kind=what))

    return check


class OfferSearchSchema(StrictQuery):
    q = words("Words, all of which must match (by stem and prefix).")
    municipality = fields.String(
        validate=_area_of(AreaKind.MUNICIPALITY, "municipality"),
        metadata={
            "description": "Offers available in this municipality (4 digits), whoever "
            "provides them: its own, the county's, a region's, the state's, voluntary."
        },
    )
    county = fields.String(
        validate=_area_of(AreaKind.COUNTY, "county"),
        metadata={"description": "Offers available somewhere in this county (2 digits)."},
    )
    region = fields.String(
        validate=_area_of(AreaKind.REGION, "region"),
        metadata={
            "description": "Offers available somewhere in this region (a code such as "
            "bufetat-sor or helse-vest: a set of counties)."
        },
    )
    organisation = fields.String(
        validate=validate.Regexp(r"^\d{9}$", error=Message("orgnr.nine_digits")),
        metadata={"description": "Offers of this provider (organisation number)."},
    )
    level = fields.List(
        fields.Integer(validate=validate.Range(1, 3)),
        metadata={"description": "Pyramid level 1, 2 or 3; repeat for several."},
    )
    category = fields.List(vocab_code(vocab.OFFER_CATEGORIES))
    risk_group = fields.List(vocab_code(vocab.RISK_GROUPS))
    diagnosis_group = fields.List(
        vocab_code(vocab.DIAGNOSIS_GROUPS),
        metadata={"description": "Offers linked to this diagnosis group; repeat for several."},
    )
    audience = fields.List(vocab_code(vocab.AUDIENCES))
    provider_kind = fields.List(vocab_code(vocab.ORGANISATION_KINDS))
    language = fields.List(vocab_code(vocab.OFFER_LANGUAGES))
    age = fields.Integer(
        validate=validate.Range(0, MAX_AGE),
        metadata={"description": "An age in years that the offer's age range includes."},
    )
    free = fields.Boolean(metadata={"description": "Only free offers (true) or paid (false)."})
    statutory = fields.Boolean(
        metadata={"description": "Only offers that fulfil a statutory duty (true), or not."}
    )
    near = PointField(
        metadata={
            "description": "A point, latitude,longitude in WGS84 degrees (59.74,10.20): "
            "offers nearest first, each with its distance (to its nearest place); offers "
            "without a place with a point come last. Decimal commas are read too, with the "
            "numbers apart by ', ', ';' or a space (59,74, 10,20).",
            "type": "string",
            "example": "59.7441,10.2045",
        },
    )
    radius = fields.Float(
        validate=validate.Range(min=0, max=MAX_RADIUS_KM, min_inclusive=False),
        metadata={
            "description": "With near: only offers with a place within this many km. "
            "Without near it is refused with 400 (the search site, where a form may leave "
            "the point empty, searches without it instead).",
            "example": 25,
        },
    )
    open_on = vocab_code(
        vocab.WEEKDAYS,
        metadata={
            "description": "Open on this day of the week (mon, tue, wed, thu, fri, sat, sun) "
            "by the offer's weekly opening hours; with open_at, at that time on that day."
        },
    )
    open_at = fields.String(
        validate=TIME,
        metadata={
            "description": "Open at this time of day (HH:MM, Norwegian time) by the offer's "
            "weekly opening hours: from the opening time, up to but not at the closing time, "
            "past midnight too. Only hours in force today count: not those that have "
            "ended (valid_to passed) nor those that have not begun (valid_from ahead)."
        },
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    cursor = fields.String(
        metadata={
            "description": "The next_cursor of the answer before: the page after it, at any "
            "depth (keyset pagination; page numbers stop at the first "
            f"{MAX_DEPTH:,} offers). Only with the same search, and without page; another "
            "search's cursor, or a damaged one, is a 400."
        },
    )
    per_page = fields.Integer(load_default=20, validate=validate.Range(1, MAX_PER_PAGE))
    facets = fields.Boolean(
        load_default=True, metadata={"description": "Count each facet's values (default true)."}
    )
    lang = fields.String(
        load_default=vocab.DEFAULT_LANGUAGE,
        validate=validate.OneOf(vocab.LANGUAGES),
        metadata={"description": "Language of the labels: nb (default), nn or en."},
    )

    @validates_schema
    def _not_too_deep(self, data: dict[str, Any], **_: Any) -> None:
        # Deep offsets cost the database more the deeper they go; no person pages that far,
        # and programs that want everything use the HSDS API's ndjson.
        if "cursor" not in data and data.get("page", 1) * data.get("per_page", 20) > MAX_DEPTH:
            raise ValidationError(Message("search.too_deep", depth=MAX_DEPTH), "page")

    @validates_schema
    def _radius_from_a_point(self, data: dict[str, Any], **_: Any) -> None:
        if "radius" in data and "near" not in data:
            raise ValidationError(Message("point.radius_without_near"), "radius")

    @post_load
    def _clean(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        if "q" in data:
            data["q"] = data["q"].strip() or None
        if "cursor" in data:
            data["after"] = _cursor(data)
        return data


def _cursor(data: dict[str, Any]) -> keyset.Cursor:
    """The cursor the parameters hand back, if this search gave it (and no page is given
    beside it); else a 400 naming ``cursor``."""
    try:
        if "page" in data and data["page"] != 1:
            raise keyset.BadCursor("page and cursor")
        return keyset.decode(to_offer_query(data), data["cursor"])
    except keyset.BadCursor as bad:
        raise ValidationError(Message("search.bad_cursor"), "cursor") from bad


class OfferItemQuerySchema(StrictQuery):
    lang = fields.String(
        load_default=vocab.DEFAULT_LANGUAGE, validate=validate.OneOf(vocab.LANGUAGES)
    )


class CodeLabelSchema(Schema):
    code = fields.Raw(required=True)
    label = fields.String(required=True)


class ProviderSchema(Schema):
    organisation_number = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    kind_label = fields.String(required=True)


class AreaSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class OfferSummarySchema(Schema):
    id = fields.String(required=True, metadata={"description": "The offer's id (a UUID)."})
    uri = fields.Url(required=True, metadata={"description": "The offer's URI at its node."})
    version = fields.Integer(required=True)
    node = fields.String(required=True, metadata={"description": "The node that published it."})
    name = fields.String(required=True)
    description = fields.String(required=True)
    provider = fields.Nested(ProviderSchema, required=True)
    agency = fields.String(required=True)
    source = fields.String(
        required=True,
        metadata={
            "description": "Where it comes from, seen from the municipality searched: "
            "own_municipality, municipality, county, region, state or voluntary."
        },
    )
    level = fields.Nested(CodeLabelSchema, required=True)
    category = fields.Nested(CodeLabelSchema, required=True)
    age_min = fields.Integer(required=True)
    age_max = fields.Integer(required=True)
    audiences = fields.List(fields.String(), required=True)
    risk_groups = fields.List(fields.String(), required=True)
    diagnosis_groups = fields.List(fields.String(), required=True)
    languages = fields.List(fields.String(), required=True)
    access = fields.String(required=True)
    free_of_charge = fields.Boolean(required=True)
    statutory = fields.Boolean(required=True)
    coverage = fields.List(fields.Nested(AreaSchema), required=True)
    published_at = fields.DateTime(required=True)
    last_reviewed = fields.Date(allow_none=True)
    distance_km = fields.Float(
        allow_none=True,
        metadata={
            "description": "With near: the distance in km to the offer's nearest place with "
            "a point; null when it has none."
        },
    )
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class FacetValueSchema(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    count = fields.Integer(required=True)
    chosen = fields.Boolean(required=True)


class OfferPageSchema(Schema):
    total = fields.Integer(
        required=True,
        metadata={
            "description": f"How many offers match, counted up to {EXACT_COUNT_LIMIT:,}: when "
            "more match, this is that limit and total_exact is false."
        },
    )
    total_exact = fields.Boolean(
        required=True,
        metadata={
            "description": "True when total is the exact number of matches; false when more "
            f"than {EXACT_COUNT_LIMIT:,} match (total is then a lower bound)."
        },
    )
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    next_cursor = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "Give it as cursor, with the same search, for the page after this "
            "one, at any depth; null on the last page."
        },
    )
    items = fields.List(fields.Nested(OfferSummarySchema), required=True)
    facets = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(FacetValueSchema)),
        required=True,
        metadata={
            "description": "Each facet's values with how many offers each would give (the "
            "facet's own filter lifted). Exact when facets_exact is true."
        },
    )
    facets_exact = fields.Boolean(
        required=True,
        metadata={
            "description": "True when every facet count is exact; false when a count was "
            f"taken among the first {EXACT_COUNT_LIMIT:,} matches found (a lower bound)."
        },
    )


class OfferDetailSchema(Schema):
    id = fields.String(required=True)
    node = fields.String(required=True)
    summary = fields.Nested(OfferSummarySchema, required=True)
    document = fields.Dict(
        required=True,
        metadata={"description": "The offer version exactly as its node published and signed it."},
    )


def to_offer_query(data: dict[str, Any]) -> OfferQuery:
    """The search the validated parameters describe."""
    return OfferQuery(
        text=data.get("q"),
        municipality=data.get("municipality"),
        county=data.get("county"),
        region=data.get("region"),
        organisation=data.get("organisation"),
        level=tuple(dict.fromkeys(data.get("level") or ())),
        category=tuple(dict.fromkeys(data.get("category") or ())),
        provider_kind=tuple(dict.fromkeys(data.get("provider_kind") or ())),
        risk_group=tuple(dict.fromkeys(data.get("risk_group") or ())),
        diagnosis_group=tuple(dict.fromkeys(data.get("diagnosis_group") or ())),
        audience=tuple(dict.fromkeys(data.get("audience") or ())),
        language=tuple(dict.fromkeys(data.get("language") or ())),
        age=data.get("age"),
        free_of_charge=data.get("free"),
        statutory=data.get("statutory"),
        near=data.get("near"),
        radius_km=data.get("radius"),
        open_on=data.get("open_on"),
        open_at=minutes(data["open_at"]) if data.get("open_at") else None,
    )
