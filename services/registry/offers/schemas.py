"""The offer in the registry API. The input follows the mapping form (kartleggingsskjema);
the sub-schemas for contact, locations and guides are the publication contract's own."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services.registry.offers.content import review_due
from shared import vocab
from shared.fields import area_codes, check_age_range, distinct, vocab_code, vocab_codes
from shared.messages import Message
from shared.publication.schema import (
    MAX_AGE,
    ContactSchema,
    GuideSchema,
    LocationSchema,
    TimetableSchema,
)

TEXT = validate.Length(max=2000)


def _not_in_future(value: dt.date) -> None:
    if value > dt.date.today():
        raise ValidationError(Message("review.in_future"))


class _OfferContentSchema(Schema):
    """The mapping form's fields that read and write alike."""

    class Meta:
        ordered = True

    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    contact = fields.Nested(ContactSchema, load_default=dict)
    responsible_role = fields.String(
        allow_none=True,
        validate=validate.Length(max=200),
        metadata={"description": "The role (not person) that keeps the offer up to date."},
    )
    locations = fields.List(fields.Nested(LocationSchema), load_default=list)
    schedule = fields.String(
        allow_none=True,
        validate=TEXT,
        metadata={"description": "When, in words: exceptions, holidays, what rules cannot say."},
    )
    timetable = fields.Nested(
        TimetableSchema,
        allow_none=True,
        metadata={"description": "Weekly opening hours, their validity and dated occurrences."},
    )
    no_contact_reason = vocab_code(
        vocab.NO_CONTACT_REASONS,
        allow_none=True,
        metadata={
            "description": "Why the offer has no phone, e-mail, web address or place "
            "with opening hours, as a code of the no-contact-reason vocabulary; without one "
            "or the other it cannot be published."
        },
    )
    access = vocab_code(vocab.ACCESS, required=True)
    free_of_charge = fields.Boolean(load_default=True)
    cost_description = fields.String(allow_none=True, validate=TEXT)
    languages = vocab_codes(
        vocab.OFFER_LANGUAGES, load_default=lambda: ["nob"], validate=validate.Length(min=1)
    )
    level = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=3),
        metadata={"description": "Pyramid level: 1 for all, 2 more support, 3 help."},
    )
    category = vocab_code(vocab.OFFER_CATEGORIES, required=True)
    age_min = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_AGE))
    age_max = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_AGE))
    audiences = vocab_codes(vocab.AUDIENCES, required=True, validate=validate.Length(min=1))
    risk_groups = vocab_codes(vocab.RISK_GROUPS, load_default=list)
    diagnosis_groups = vocab_codes(vocab.DIAGNOSIS_GROUPS, load_default=list)
    staff_fte = fields.Float(allow_none=True, validate=validate.Range(min=0, max=10000))
    budget_nok = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10**12))
    user_participation = fields.Boolean(load_default=False)
    evaluated = fields.Boolean(load_default=False)
    evaluation_description = fields.String(allow_none=True, validate=TEXT)
    good_practice = fields.Boolean(load_default=False)
    evidence_based = fields.Boolean(load_default=False)
    measure_status = vocab_code(vocab.MEASURE_STATUSES, load_default="permanent")
    guides = fields.List(fields.Nested(GuideSchema), load_default=list)
    coverage = area_codes(
        validate=validate.Length(min=1),
        metadata={"description": "Area codes; default: the organisation's home area."},
    )
    review_interval_months = fields.Integer(load_default=12, validate=validate.Range(1, 60))
    last_reviewed = fields.Date(allow_none=True, validate=_not_in_future)

    @validates_schema
    def _age_range(self, data: dict[str, Any], **_: Any) -> None:
        check_age_range(data.get("age_min"), data.get("age_max"))


class OfferInputSchema(_OfferContentSchema):
    """What a registrar fills in. PATCH takes any subset of it."""

    class Meta:
        unknown = RAISE
        ordered = True

    agency = fields.String(required=True, metadata={"description": "Id of the agency (etat)."})
    statutory_duties = fields.List(
        fields.String(),
        load_default=list,
        validate=distinct,
        metadata={"description": "Codes from /api/v1/duties."},
    )


class OfferPatchSchema(OfferInputSchema):
    """Any subset of the input; used with ``partial=True``."""


class AgencyBriefSchema(Schema):
    id = fields.String(attribute="public_id", required=True)
    name = fields.String(required=True)


class DutyBriefSchema(Schema):
    code = fields.String(required=True)


class OfferSchema(_OfferContentSchema):
    """An offer's working copy and where it stands."""

    class Meta:
        ordered = True

    id = fields.String(required=True)
    uri = fields.String(required=True)
    organisation = fields.Function(lambda o: o.organisation.organisation_number, required=True)
    agency = fields.Nested(AgencyBriefSchema, required=True)
    statutory_duties = fields.Pluck(DutyBriefSchema, "code", many=True, required=True)
    coverage = fields.List(fields.String(), required=True)
    status = fields.String(required=True)
    published_version = fields.Integer(allow_none=True)
    latest_version = fields.Integer(required=True)
    return_comment = fields.String(allow_none=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)
    review_due = fields.Function(lambda o: review_due(o).isoformat(), required=True)


class OfferListQuerySchema(Schema):
    status = vocab_code(vocab.OFFER_STATUSES)
    agency = fields.String()


class TransitionSchema(Schema):
    class Meta:
        unknown = RAISE

    comment = fields.String(allow_none=True, validate=TEXT)


class VersionSchema(Schema):
    version = fields.Integer(required=True)
    status = fields.String(required=True)
    created_at = fields.AwareDateTime(required=True)
    document = fields.Function(
        lambda v: json.loads(v.snapshot),
        required=True,
        metadata={"description": "The canonical offer-version document."},
    )


class AuditEntrySchema(Schema):
    at = fields.AwareDateTime(required=True)
    actor = fields.String(attribute="actor_label", required=True)
    action = fields.String(required=True)
    changes = fields.Dict(allow_none=True)
    comment = fields.String(allow_none=True)
