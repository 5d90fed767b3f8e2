"""The canonical JSON of an offer version: the unit of exchange in the federation.

Every published or withdrawn version of an offer is one immutable document of this shape. The
registry dumps it into the event log and the published snapshot; the publisher, search and
reporting load it. ``schema_version`` changes only for a change consumers must know about; new
optional fields keep the number and older consumers ignore them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from shared import vocab
from shared.fields import (
    StrictInteger,
    area_code,
    area_codes,
    check_age_range,
    check_point,
    organisation_number,
    strict_boolean,
    vocab_code,
    vocab_codes,
)
from shared.messages import Message

# canonical_json is defined with the fast encoder; it has long been imported from here.
from shared.publication.canonical import canonical_json as canonical_json
from shared.publication.canonical import whole_floats_as_ints
from shared.publication.compiled import Deferred, compile_schema

SCHEMA_VERSION = 1
MAX_AGE = 25
# Every consumer stores these in fixed-width columns (a 32-bit version, a 500-character URI).
MAX_VERSION = 2**31 - 1
MAX_URI_LENGTH = 500
STATUS_PUBLISHED = "published"
STATUS_WITHDRAWN = "withdrawn"


class _Strict(Schema):
    class Meta:
        unknown = EXCLUDE


class ProviderSchema(_Strict):
    organisation_number = organisation_number(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = vocab_code(vocab.ORGANISATION_KINDS, required=True)
    home_area = area_code(required=True)


class AgencyRefSchema(_Strict):
    id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ContactSchema(_Strict):
    name = fields.String(allow_none=True, validate=validate.Length(max=200))
    email = fields.Email(allow_none=True)
    phone = fields.String(allow_none=True, validate=validate.Length(max=40))
    url = fields.Url(allow_none=True, schemes={"http", "https"})


class LocationSchema(_Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    street_address = fields.String(allow_none=True, validate=validate.Length(max=200))
    postal_code = fields.String(allow_none=True, validate=validate.Regexp(r"^\d{4}$"))
    postal_town = fields.String(allow_none=True, validate=validate.Length(max=100))
    municipality = area_code(allow_none=True)
    # The place's point in WGS84 decimal degrees (added in schema version 1 as optional
    # fields: documents without them stay valid, and older consumers ignore them).
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))

    @validates_schema
    def _whole_point(self, data: dict[str, Any], **_: Any) -> None:
        check_point(data.get("latitude"), data.get("longitude"))


TIME = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", error=Message("timetable.bad_time"))
MAX_WEEKLY_PERIODS = 28


# The days a timetable may name: far enough either way for any real offer, and near enough
# that every day after one of them (a period past midnight, a week ahead) is a date too.
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)


def _iso_date(value: str) -> None:
    try:
        day = dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(Message("field.date.invalid"))
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValidationError(
            Message(
                "timetable.date_out_of_range",
                min=FIRST_DATE.isoformat(),
                max=LAST_DATE.isoformat(),
            )
        )


def iso_date(**kwargs: Any) -> fields.String:
    """A date kept as its ISO text (YYYY-MM-DD): a timetable is stored as JSON as it is."""
    return fields.String(validate=_iso_date, **kwargs)


MAX_DATED = 200


class WeeklyPeriodSchema(_Strict):
    """Open on a day of the week from ``opens`` to ``closes`` (the next day when not after)."""

    day = vocab_code(vocab.WEEKDAYS, required=True)
    opens = fields.String(required=True, validate=TIME)
    closes = fields.String(required=True, validate=TIME)


class DatedOccurrenceSchema(_Strict):
    """One dated meeting, e.g. a course evening."""

    date = iso_date(required=True)
    starts = fields.String(required=True, validate=TIME)
    ends = fields.String(required=True, validate=TIME)


class TimetableSchema(_Strict):
    """Structured opening hours and dates (see :mod:`shared.timetable`)."""

    weekly = fields.List(
        fields.Nested(WeeklyPeriodSchema),
        load_default=list,
        validate=validate.Length(
            max=MAX_WEEKLY_PERIODS,
            error=Message("timetable.too_many_rows", max=MAX_WEEKLY_PERIODS),
        ),
    )
    valid_from = iso_date(allow_none=True)
    valid_to = iso_date(allow_none=True)
    dates = fields.List(
        fields.Nested(DatedOccurrenceSchema),
        load_default=list,
        validate=validate.Length(
            max=MAX_DATED, error=Message("timetable.too_many_rows", max=MAX_DATED)
        ),
    )

    @validates_schema
    def _validity(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("valid_from"), data.get("valid_to")
        if start is not None and end is not None and end < start:
            raise ValidationError(Message("timetable.validity_reversed"), "valid_to")


def reachable(document: Mapping[str, Any]) -> bool:
    """A way to get in touch: a phone, an e-mail or a web address, or a place with opening
    hours (structured or in words), or a stated reason why there is none (a code; in a
    version from before the codes, a text that is not blank)."""
    contact = document.get("contact") or {}
    if any(contact.get(key) for key in ("phone", "email", "url")):
        return True
    timetable = document.get("timetable") or {}
    hours = bool(timetable.get("weekly") or timetable.get("dates") or document.get("schedule"))
    reason = document.get("no_contact_reason")
    stated = isinstance(reason, str) and bool(reason.strip())
    return bool(document.get("locations")) and hours or stated


class GuideSchema(_Strict):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    url = fields.Url(required=True, schemes={"http", "https"})


class DutyRefSchema(_Strict):
    """A statutory duty the offer fulfils, carried whole so consumers need no catalogue."""

    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9-]{1,64}$"))
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    law = fields.String(required=True)
    law_id = fields.String(required=True)
    section = fields.String(required=True)
    url = fields.Url(allow_none=True, schemes={"http", "https"})


class OfferVersionSchema(_Strict):
    require_reach = True

    schema_version = StrictInteger(required=True, validate=validate.Equal(SCHEMA_VERSION))
    uri = fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=MAX_URI_LENGTH),
    )
    id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    version = StrictInteger(required=True, validate=validate.Range(min=1, max=MAX_VERSION))
    status = fields.String(
        required=True, validate=validate.OneOf([STATUS_PUBLISHED, STATUS_WITHDRAWN])
    )
    published_at = fields.AwareDateTime(required=True)
    provider = fields.Nested(ProviderSchema, required=True)
    agency = fields.Nested(AgencyRefSchema, required=True)

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    contact = fields.Nested(ContactSchema, required=True)
    responsible_role = fields.String(allow_none=True, validate=validate.Length(max=200))
    locations = fields.List(fields.Nested(LocationSchema), required=True)
    schedule = fields.String(allow_none=True, validate=validate.Length(max=2000))
    # Optional since they were added: versions published before them stay valid.
    timetable = fields.Nested(TimetableSchema, allow_none=True)
    # Why there is no way to get in touch: a code of vocab.NO_CONTACT_REASONS (free text until
    # the codes came; ReceivedOfferVersionSchema still reads it).
    no_contact_reason = vocab_code(vocab.NO_CONTACT_REASONS, allow_none=True)
    access = vocab_code(vocab.ACCESS, required=True)
    free_of_charge = strict_boolean(required=True)
    cost_description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    languages = vocab_codes(vocab.OFFER_LANGUAGES, required=True)

    level = StrictInteger(required=True, validate=validate.Range(min=1, max=3))
    category = vocab_code(vocab.OFFER_CATEGORIES, required=True)
    age_min = StrictInteger(required=True, validate=validate.Range(min=0, max=MAX_AGE))
    age_max = StrictInteger(required=True, validate=validate.Range(min=0, max=MAX_AGE))
    audiences = vocab_codes(vocab.AUDIENCES, required=True)
    risk_groups = vocab_codes(vocab.RISK_GROUPS, required=True)
    diagnosis_groups = vocab_codes(vocab.DIAGNOSIS_GROUPS, required=True)
    statutory_duties = fields.List(fields.Nested(DutyRefSchema), required=True)

    staff_fte = fields.Float(allow_none=True, validate=validate.Range(min=0, max=10000))
    budget_nok = StrictInteger(allow_none=True, validate=validate.Range(min=0, max=10**12))
    user_participation = strict_boolean(required=True)
    evaluated = strict_boolean(required=True)
    evaluation_description = fields.String(allow_none=True, validate=validate.Length(max=2000))
    good_practice = strict_boolean(required=True)
    evidence_based = strict_boolean(required=True)
    measure_status = vocab_code(vocab.MEASURE_STATUSES, required=True)
    guides = fields.List(fields.Nested(GuideSchema), required=True)

    coverage = area_codes(required=True, validate=validate.Length(min=1))
    review_interval_months = StrictInteger(required=True, validate=validate.Range(1, 60))
    last_reviewed = fields.Date(allow_none=True)

    @validates_schema
    def _age_range(self, data: dict[str, Any], **_: Any) -> None:
        check_age_range(data.get("age_min"), data.get("age_max"))

    @validates_schema
    def _reachable(self, data: dict[str, Any], **_: Any) -> None:
        published = data.get("status") == STATUS_PUBLISHED
        if self.require_reach and published and not reachable(data):
            raise ValidationError(Message("offer.unreachable"), "contact")


# What a consumer receives may be an old version: its area codes were valid when it was
# published and may since have been retired by a newer classification. They are checked for
# form only, so history stays readable; the registry's own dump still checks them in full.
_AREA_FORM = validate.Regexp(
    r"^(\d{2}|\d{4}|NO|[a-z][a-z0-9-]{1,63})$", error=Message("area.bad_form")
)


class _ReceivedProvider(ProviderSchema):
    home_area = fields.String(required=True, validate=_AREA_FORM)


class _ReceivedLocation(LocationSchema):
    municipality = fields.String(allow_none=True, validate=_AREA_FORM)


class ReceivedOfferVersionSchema(OfferVersionSchema):
    provider = fields.Nested(_ReceivedProvider, required=True)
    locations = fields.List(fields.Nested(_ReceivedLocation), required=True)
    coverage = fields.List(
        fields.String(validate=_AREA_FORM), required=True, validate=validate.Length(min=1)
    )
    # Versions published before a way to get in touch was required stay readable.
    require_reach = False
    # Versions published before the reasons were codes gave them as free text: still read
    # (the redaction removes such text, shared.publication.redaction).
    no_contact_reason = fields.String(allow_none=True, validate=validate.Length(max=500))


_schema = OfferVersionSchema()
_received = ReceivedOfferVersionSchema()
# What every consumer checks per event: compiled from the schema above each time this module is
# imported, so a field added to the contract is followed with nothing else to change.
received_contract = compile_schema(_received)


def dump_offer_version(document: dict[str, Any]) -> str:
    """Serialise a version document built by the registry, validate it, return canonical JSON.

    Validating on the way out means no node can publish what consumers would reject.
    """
    dumped = _schema.dump(document)
    errors = _schema.validate(dumped)
    if errors:
        raise ValidationError(errors)
    return canonical_json(dumped)


def load_offer_version(text: str | bytes) -> dict[str, Any]:
    """Parse and validate a version document received from a node."""
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(Message("document.not_json", reason=str(exc))) from None
    return load_offer_version_data(raw)


def load_offer_version_data(raw: Any) -> dict[str, Any]:
    """Validate a version document already parsed from JSON (an event's ``data``), exactly as
    :func:`load_offer_version` does its text, without writing it out and parsing it again."""
    if not isinstance(raw, dict):
        raise ValidationError(Message("document.not_object"))
    try:
        return received_contract.load(raw)
    except Deferred:
        # Refused by the compiled check (or a kind of value it leaves to marshmallow): the
        # schema decides, and says why.
        return _received.load(whole_floats_as_ints(raw))
