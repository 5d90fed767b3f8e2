"""What the workspace's forms take, and the small vocabularies of the workspace."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from services.registry.coordination.method import STEP_NUMBERS
from shared.fields import InputSchema, vocab_code
from shared.messages import Message
from shared.vocab import Concept, Vocabulary


def _vocabulary(vid: str, *concepts: tuple[str, str, str, str]) -> Vocabulary:
    title = {"nb": vid, "nn": vid, "en": vid}
    return Vocabulary(
        vid, title, tuple(Concept(c, {"nb": nb, "nn": nn, "en": en}) for c, nb, nn, en in concepts)
    )


GROUP_ROLES = _vocabulary(
    "group-role",
    ("chair", "Leder", "Leiar", "Chair"),
    ("secretary", "Sekretær", "Sekretær", "Secretary"),
    ("publisher", "Publiseringsansvarlig", "Publiseringsansvarleg", "Publisher"),
    ("member", "Medlem", "Medlem", "Member"),
    ("resource", "Ressursperson", "Ressursperson", "Resource person"),
)
STEP_STATUSES = _vocabulary(
    "step-status",
    ("not_started", "Ikke startet", "Ikkje starta", "Not started"),
    ("in_progress", "Pågår", "Pågår", "In progress"),
    ("done", "Fullført", "Fullført", "Done"),
    ("revisit", "Tas opp igjen", "Blir teke opp att", "To be revisited"),
)
INITIATIVE_KINDS = _vocabulary(
    "initiative-kind",
    ("focus_area", "Satsingsområde", "Satsingsområde", "Focus area"),
    ("plan", "Plan", "Plan", "Plan"),
    ("project", "Prosjekt", "Prosjekt", "Project"),
)
INITIATIVE_STATUSES = _vocabulary(
    "initiative-status",
    ("planned", "Planlagt", "Planlagd", "Planned"),
    ("active", "Aktiv", "Aktiv", "Active"),
    ("completed", "Avsluttet", "Avslutta", "Completed"),
)
CYCLE_KINDS = _vocabulary(
    "cycle-kind",
    ("meeting", "Møte", "Møte", "Meeting"),
    ("report", "Rapportering", "Rapportering", "Report"),
    ("planning", "Planarbeid og budsjett", "Planarbeid og budsjett", "Planning and budget"),
    ("review", "Gjennomgang av tilbud", "Gjennomgang av tilbod", "Review of offers"),
    ("other", "Annet", "Anna", "Other"),
)

NAME = validate.Length(min=1, max=200)
TEXT = validate.Length(max=10000)
SHORT = validate.Length(max=200)


def _optional(validator: Any = SHORT, **kwargs: Any) -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=validator, **kwargs)


def _date(**kwargs: Any) -> fields.Date:
    return fields.Date(load_default=None, allow_none=True, **kwargs)


class GroupSchema(InputSchema):
    name = fields.String(required=True, validate=NAME)
    mandate = _optional(TEXT)
    established_on = _date()


class MemberSchema(InputSchema):
    name = fields.String(required=True, validate=NAME)
    group_role = vocab_code(GROUP_ROLES, required=True)
    agency = _optional(validate.Length(max=36))
    represents = _optional()
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    phone = _optional(validate.Length(max=40))


class InitiativeSchema(InputSchema):
    kind = vocab_code(INITIATIVE_KINDS, required=True)
    title = fields.String(required=True, validate=NAME)
    description = _optional(TEXT)
    owner = _optional()
    status = vocab_code(INITIATIVE_STATUSES, required=True)
    starts_on = _date()
    ends_on = _date()
    url = fields.Url(
        load_default=None,
        allow_none=True,
        schemes={"http", "https"},
        validate=validate.Length(max=500),
    )
    offers = fields.List(fields.String(), load_default=list)

    @validates_schema
    def _dates_in_order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError({"ends_on": [Message("dates.end_before_start")]})


class MeetingSchema(InputSchema):
    held_on = fields.Date(required=True)
    title = fields.String(required=True, validate=NAME)
    attendees = _optional(TEXT)
    minutes = fields.String(required=True, validate=validate.Length(min=1, max=50000))
    decisions = _optional(TEXT)


class MilestoneSchema(InputSchema):
    title = fields.String(required=True, validate=NAME)
    step = fields.Integer(load_default=None, allow_none=True, validate=validate.OneOf(STEP_NUMBERS))
    due_on = fields.Date(required=True)
    owner = _optional()
    done_on = _date()
    notes = _optional(TEXT)


class CycleEventSchema(InputSchema):
    month = fields.Integer(required=True, validate=validate.Range(min=1, max=12))
    title = fields.String(required=True, validate=NAME)
    kind = vocab_code(CYCLE_KINDS, required=True)
    owner = _optional()
    description = _optional(TEXT)


class StepSchema(InputSchema):
    status = vocab_code(STEP_STATUSES, required=True)
    notes = _optional(TEXT)
    started_on = _date()
    completed_on = _date()
    next_review_on = _date()


class MandateItemSchema(InputSchema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
