"""Query parameters and answers of ``/api/v1/reports/...``.

The API validates parameters strictly, like the search API (:func:`shared.web.query.strict_query`):
a malformed or unknown parameter is a 400 naming it, in the one error format. The report pages
read the same schemas and answer a bad value with a 422 page (an unknown parameter is ignored
there: a page's address may carry more). A report is for an ``area`` (a municipality, county, region
or ``NO``) or an ``organisation`` (an organisation number), as of the end of the day ``at``
(Norwegian time; default today).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.reporting.norway_time import today
from services.reporting.reports.overlaps import DEFAULT_LIMIT
from services.reporting.reports.pyramid import MAX_TREND_MONTHS
from services.reporting.reports.scope import BANDS_BY_CODE, QUALITY_FIELDS
from shared import vocab
from shared.areas import reference_data
from shared.fields import QueryArguments, vocab_code
from shared.messages import Message
from shared.orgnr import is_valid

EARLIEST = dt.date(2000, 1, 1)


def _area(value: str) -> None:
    if value not in reference_data():
        raise ValidationError(Message("area.unknown_any"))


def _organisation(value: str) -> None:
    if not is_valid(value):
        raise ValidationError(Message("orgnr.invalid"))


def _day(value: dt.date) -> None:
    if value > today():
        raise ValidationError(Message("date.in_future"))
    if value < EARLIEST:
        raise ValidationError(Message("date.too_early", earliest=EARLIEST.isoformat()))


def _lang() -> fields.String:
    return fields.String(
        load_default=vocab.DEFAULT_LANGUAGE,
        validate=validate.OneOf(vocab.LANGUAGES),
        metadata={"description": "Language of the labels: nb (default), nn or en."},
    )


def _at() -> fields.Date:
    return fields.Date(
        validate=_day,
        metadata={"description": "The day (YYYY-MM-DD) the report is drawn for; default today."},
    )


class ScopeArgsSchema(QueryArguments):
    area = fields.String(
        validate=_area,
        metadata={
            "description": "A municipality (4 digits), a county (2 digits), a region code or "
            "NO. A municipality's offers include those of the county, regions, the state and "
            "voluntary organisations that cover it."
        },
    )
    organisation = fields.String(
        validate=_organisation,
        metadata={"description": "An organisation number: that provider's offers."},
    )
    at = _at()
    lang = _lang()

    @validates_schema
    def _one_scope(self, data: dict[str, Any], **_: Any) -> None:
        if ("area" in data) == ("organisation" in data):
            raise ValidationError(Message("report.scope_either"), "area")


class TrendArgsSchema(ScopeArgsSchema):
    months = fields.Integer(
        load_default=12,
        validate=validate.Range(1, MAX_TREND_MONTHS),
        metadata={"description": "How many month ends, up to the day of the report."},
    )


class OverlapArgsSchema(ScopeArgsSchema):
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(1, 1000),
        metadata={"description": "Most pairs listed of each kind (the totals count all)."},
    )


class ComparisonArgsSchema(QueryArguments):
    area = fields.String(required=True, validate=_area)
    other = fields.String(
        required=True,
        validate=_area,
        metadata={"description": "The area shown beside ``area``."},
    )
    at = _at()
    lang = _lang()


class OfferListArgsSchema(ScopeArgsSchema):
    level = fields.Integer(validate=validate.Range(1, 3))
    provider_kind = vocab_code(vocab.ORGANISATION_KINDS)
    provider = fields.String(
        validate=_organisation, metadata={"description": "A provider's organisation number."}
    )
    agency = fields.String(validate=validate.Length(1, 36))
    category = vocab_code(vocab.OFFER_CATEGORIES)
    risk_group = vocab_code(vocab.RISK_GROUPS)
    diagnosis_group = vocab_code(vocab.DIAGNOSIS_GROUPS)
    duty = fields.String(validate=validate.Regexp(r"^[a-z0-9-]{1,64}$"))
    age_band = fields.String(validate=validate.OneOf(list(BANDS_BY_CODE)))
    quality = fields.String(validate=validate.OneOf(QUALITY_FIELDS))
    overdue = fields.Boolean()
    outside_home = fields.Boolean()
    measure_status = vocab_code(vocab.MEASURE_STATUSES)
    page = fields.Integer(load_default=1, validate=validate.Range(1, 10_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(1, 500))


# The arguments of each report, for its API, its downloads and its page.
ARGUMENTS: dict[str, type[Schema]] = {
    "pyramid": ScopeArgsSchema,
    "coverage": ScopeArgsSchema,
    "duties": ScopeArgsSchema,
    "overlaps": OverlapArgsSchema,
    "quality": ScopeArgsSchema,
    "trend": TrendArgsSchema,
    "comparison": ComparisonArgsSchema,
    "offers": OfferListArgsSchema,
}


class ScopeSchema(Schema):
    kind = fields.String(required=True, metadata={"description": "area or organisation"})
    code = fields.String(required=True, metadata={"description": "Area code or org. number."})
    name = fields.String(required=True)
    area_kind = fields.String(
        allow_none=True,
        metadata={"description": "municipality, county, region or national (areas only)"},
    )
    at = fields.Date(required=True)
    municipalities = fields.Integer(
        required=True, metadata={"description": "How many municipalities the scope is about."}
    )


class CellSchema(Schema):
    value = fields.Raw(allow_none=True, required=True)
    offers = fields.String(
        metadata={"description": "The API address of the offers behind this number."}
    )
    link = fields.String(metadata={"description": "An outside address (an offer, a law)."})
    gap = fields.Boolean(metadata={"description": "True for a count of zero that is a gap."})


class ColumnSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    numeric = fields.Boolean(required=True)


class RowSchema(Schema):
    key = fields.String(required=True)
    cells = fields.List(fields.Nested(CellSchema), required=True)
    total = fields.Boolean(required=True)
    gap = fields.Boolean(required=True)


class TableSchema(Schema):
    name = fields.String(required=True)
    title = fields.String(required=True)
    columns = fields.List(fields.Nested(ColumnSchema), required=True)
    rows = fields.List(fields.Nested(RowSchema), required=True)
    note = fields.String(
        metadata={
            "description": "How to read the table, e.g. that an offer counts in full in every "
            "row it belongs to (so rows need not add up to the total row)."
        }
    )
    csv = fields.String(
        required=True,
        metadata={
            "description": "This table as CSV: separated by ';' with a decimal comma, as "
            "Excel in Norwegian reads it; add separator=comma for RFC 4180 commas and a "
            "decimal point."
        },
    )
    xlsx = fields.String(required=True, metadata={"description": "This table as XLSX."})


class ReportSchema(Schema):
    report = fields.String(required=True)
    title = fields.String(required=True)
    scope = fields.Nested(ScopeSchema, required=True)
    other = fields.Nested(ScopeSchema, metadata={"description": "The second area compared."})
    summary = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "The report's key figures. pyramid: offers, base_is_widest, "
            "resources; coverage: offers, risk_group_gaps, age_band_gaps, empty_cells, "
            "resources (resources: the true totals, each offer counted once: offers, "
            "staff_fte, budget_nok, offers_without_staff, offers_without_budget); duties: duties, "
            "covered, partly, missing; overlaps: offers_compared, overlapping, similar, limit; "
            "quality: offers and <measure>_percent; trend: months, first, last; comparison: "
            "first, second; offers: total, page, per_page, pages, filter."
        },
    )
    tables = fields.List(fields.Nested(TableSchema), required=True)
    xlsx = fields.String(required=True, metadata={"description": "Every table, as XLSX."})
