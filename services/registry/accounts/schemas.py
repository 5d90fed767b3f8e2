from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared import vocab
from shared.fields import InputSchema, organisation_number, vocab_codes


class MembershipSummarySchema(Schema):
    organisation = fields.Function(lambda m: m.organisation.organisation_number, required=True)
    organisation_name = fields.Function(lambda m: m.organisation.name, required=True)
    roles = fields.List(fields.String(), required=True)
    agencies = fields.Function(lambda m: sorted(a.public_id for a in m.agencies), required=True)


class MeSchema(Schema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    is_node_admin = fields.Boolean(required=True)
    memberships = fields.List(fields.Nested(MembershipSummarySchema), required=True)
    token_organisation = fields.String(allow_none=True)
    csrf_token = fields.String(
        allow_none=True, metadata={"description": "Send as X-CSRFToken on writes in a session."}
    )


class MemberSchema(Schema):
    user_id = fields.Integer(required=True)
    email = fields.Function(lambda m: m.user.email, required=True)
    name = fields.Function(lambda m: m.user.name, required=True)
    roles = fields.List(fields.String(), required=True)
    agencies = fields.Function(lambda m: sorted(a.public_id for a in m.agencies), required=True)


class MemberCreateSchema(InputSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(validate=validate.Length(min=1, max=200))
    roles = vocab_codes(vocab.ROLES, required=True, validate=validate.Length(min=1))
    agencies = fields.List(fields.String(), load_default=list)
    password = fields.String(load_only=True, validate=validate.Length(max=256))


class InvitationCreateSchema(InputSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    roles = vocab_codes(vocab.ROLES, required=True, validate=validate.Length(min=1))
    agencies = fields.List(fields.String(), load_default=list)


class InvitationSchema(Schema):
    """A pending invitation; its link is only ever in the mail."""

    id = fields.String(attribute="public_id", required=True)
    email = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    agencies = fields.List(fields.String(), required=True)
    created_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)


class EmailSchema(InputSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))


class MemberUpdateSchema(InputSchema):
    roles = vocab_codes(vocab.ROLES, validate=validate.Length(min=1))
    agencies = fields.List(fields.String())


class TokenSchema(Schema):
    id = fields.String(attribute="public_id", required=True)
    name = fields.String(required=True)
    organisation = fields.Function(lambda t: t.organisation.organisation_number, required=True)
    created_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(allow_none=True)
    last_used_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)


class IssuedTokenSchema(Schema):
    """A new token with its secret, which is shown in this response only."""

    id = fields.String(attribute="token.public_id", required=True)
    name = fields.String(attribute="token.name", required=True)
    organisation = fields.String(attribute="token.organisation.organisation_number", required=True)
    created_at = fields.AwareDateTime(attribute="token.created_at", required=True)
    expires_at = fields.AwareDateTime(attribute="token.expires_at", allow_none=True)
    token = fields.String(
        attribute="plaintext",
        required=True,
        metadata={"description": "Shown once; store it now. Send as Bearer."},
    )


class TokenCreateSchema(InputSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    organisation = organisation_number(required=True)
    expires_in_days = fields.Integer(validate=validate.Range(min=1, max=365))
