from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared import vocab
from shared.fields import InputSchema, area_code, organisation_number, strict_boolean, vocab_code

NAME = validate.Length(min=1, max=200)


class OrganisationSchema(Schema):
    organisation_number = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    home_area = fields.String(required=True)
    membership_status = fields.String(required=True)
    # Submissions are published by another person than the registrar who submitted them.
    publisher_not_submitter = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(required=True)


class OrganisationCreateSchema(InputSchema):
    organisation_number = organisation_number(required=True)
    name = fields.String(required=True, validate=NAME)
    kind = vocab_code(vocab.ORGANISATION_KINDS, required=True)
    home_area = area_code(required=True)
    membership_status = vocab_code(vocab.MEMBERSHIP_STATUSES, load_default="active")


class OrganisationUpdateSchema(InputSchema):
    name = fields.String(validate=NAME)
    home_area = area_code()
    membership_status = vocab_code(vocab.MEMBERSHIP_STATUSES)
    publisher_not_submitter = strict_boolean()


class AgencySchema(Schema):
    id = fields.String(attribute="public_id", required=True)
    name = fields.String(required=True)
    parent_id = fields.Function(lambda a: a.parent.public_id if a.parent else None, allow_none=True)


class AgencyInputSchema(InputSchema):
    name = fields.String(required=True, validate=NAME)
    parent_id = fields.String(load_default=None, allow_none=True)


class AgencyUpdateSchema(InputSchema):
    name = fields.String(validate=NAME)
    parent_id = fields.String(allow_none=True)
