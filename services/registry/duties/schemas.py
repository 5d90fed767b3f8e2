from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared import vocab
from shared.fields import vocab_codes
from shared.messages import Message


def _labels_with_bokmaal(value: dict[str, str]) -> None:
    if not value.get("nb"):
        raise ValidationError(Message("labels.bokmaal_missing"))
    unknown = set(value) - set(vocab.LANGUAGES)
    if unknown:
        raise ValidationError(
            Message("labels.unknown_languages", languages=", ".join(sorted(unknown)))
        )


WEB = {"http", "https"}
LABELS = fields.Dict(keys=fields.String(), values=fields.String(), validate=_labels_with_bokmaal)


class DutySchema(Schema):
    code = fields.String(required=True)
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    description = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    law_short = fields.String(required=True)
    law_title = fields.String(required=True)
    law_id = fields.String(required=True)
    law_url = fields.String(allow_none=True)
    section = fields.String(required=True)
    section_url = fields.String(allow_none=True)
    applies_to = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)


class DutyUpdateSchema(Schema):
    class Meta:
        unknown = RAISE

    title = LABELS
    description = fields.Dict(keys=fields.String(), values=fields.String())
    law_short = fields.String(validate=validate.Length(min=1, max=200))
    law_title = fields.String(validate=validate.Length(min=1, max=300))
    law_id = fields.String(validate=validate.Regexp(r"^(LOV|FOR)-\d{4}-\d{2}-\d{2}-\d+$"))
    law_url = fields.Url(allow_none=True, schemes=WEB, validate=validate.Length(max=300))
    section = fields.String(validate=validate.Length(min=1, max=200))
    section_url = fields.Url(allow_none=True, schemes=WEB, validate=validate.Length(max=300))
    applies_to = vocab_codes(vocab.ORGANISATION_KINDS, validate=validate.Length(min=1))
    active = fields.Boolean()


class DutyCreateSchema(DutyUpdateSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,63}$"))
    title = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        validate=_labels_with_bokmaal,
    )
    law_short = fields.String(required=True, validate=validate.Length(min=1, max=200))
    law_title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    law_id = fields.String(
        required=True, validate=validate.Regexp(r"^(LOV|FOR)-\d{4}-\d{2}-\d{2}-\d+$")
    )
    section = fields.String(required=True, validate=validate.Length(min=1, max=200))
    applies_to = vocab_codes(
        vocab.ORGANISATION_KINDS, required=True, validate=validate.Length(min=1)
    )


class DutyQuerySchema(Schema):
    applies_to = fields.String(validate=validate.OneOf(vocab.ORGANISATION_KINDS.codes))
    include_retired = fields.Boolean(load_default=False)
