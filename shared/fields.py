"""marshmallow fields for our vocabularies, area codes and organisation numbers.

The registry's input schemas and the publication contract validate the same things the same way,
so the field definitions live here once.
"""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from shared import orgnr
from shared.areas import reference_data
from shared.messages import Message
from shared.vocab import Vocabulary


class InputSchema(Schema):
    """Base of request bodies: an unknown field is an error, not silently dropped."""

    class Meta:
        unknown = RAISE


def _one_of(vocabulary: Vocabulary) -> validate.OneOf:
    return validate.OneOf(
        vocabulary.codes, error=Message("vocab.unknown_code", vocabulary=vocabulary.id)
    )


def vocab_code(vocabulary: Vocabulary, **kwargs: Any) -> fields.String:
    """A single code from ``vocabulary``."""
    return fields.String(validate=_one_of(vocabulary), **kwargs)


def _distinct_and(kwargs: dict[str, Any]) -> list[Any]:
    extra = kwargs.pop("validate", None) or []
    return [distinct, *(extra if isinstance(extra, list | tuple) else [extra])]


def vocab_codes(vocabulary: Vocabulary, **kwargs: Any) -> fields.List:
    """A list of distinct codes from ``vocabulary``."""
    validators = _distinct_and(kwargs)
    return fields.List(fields.String(validate=_one_of(vocabulary)), validate=validators, **kwargs)


def distinct(values: list) -> None:
    if len(set(values)) != len(values):
        raise ValidationError(Message("value.repeated"))


def check_area_code(value: str) -> None:
    if value not in reference_data():
        raise ValidationError(Message("area.unknown", code=value))


def area_code(**kwargs: Any) -> fields.String:
    return fields.String(validate=check_area_code, **kwargs)


def area_codes(**kwargs: Any) -> fields.List:
    validators = _distinct_and(kwargs)
    return fields.List(area_code(), validate=validators, **kwargs)


def check_organisation_number(value: str) -> None:
    try:
        if orgnr.validate(value) != value:
            raise ValidationError(Message("orgnr.not_normalised"))
    except orgnr.InvalidOrganisationNumber as exc:
        raise ValidationError(exc.reason) from None


def organisation_number(**kwargs: Any) -> fields.String:
    return fields.String(validate=check_organisation_number, **kwargs)


def check_age_range(age_min: int | None, age_max: int | None) -> None:
    """Raise a field-level error when the lower age bound is above the upper one."""
    if age_min is not None and age_max is not None and age_min > age_max:
        raise ValidationError(
            {"age_min": [Message("age.range_reversed", low=age_min, high=age_max)]}
        )


def check_point(latitude: float | None, longitude: float | None) -> None:
    """A point has both its latitude and its longitude, or neither."""
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        raise ValidationError({missing: [Message("point.half")]})


class PointField(fields.Field):
    """A point written ``latitude,longitude`` in WGS84 decimal degrees (``59.74,10.20``),
    loaded as a ``(latitude, longitude)`` pair.

    As people type it too: decimal commas with the numbers apart by ``, `` (``59,7441,
    10,2045``: four comma parts are two numbers), or by ``;`` or a space (``59,7441;10,2045``,
    ``59.7441 10.2045``)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> tuple[float, ...]:
        parts = _point_parts(value) if isinstance(value, str) and len(value) <= 80 else None
        if parts is None:
            raise ValidationError(Message("point.form"))
        try:
            latitude, longitude = (float(p) for p in parts)
        except ValueError:
            raise ValidationError(Message("point.form")) from None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValidationError(Message("point.out_of_range"))
        return latitude, longitude


def _point_parts(text: str) -> tuple[str, str] | None:
    """The two numbers of a typed point, each with a decimal point; None when it is not two."""
    text = text.strip()
    if ";" in text:
        parts = text.split(";")
    else:
        parts = text.split(",")
        if len(parts) == 4 and not parts[1][:1].isspace() and not parts[3][:1].isspace():
            parts = [f"{parts[0]}.{parts[1]}", f"{parts[2]}.{parts[3]}"]
        elif len(parts) != 2:
            parts = text.split()
    if len(parts) != 2:
        return None
    first, second = (p.strip().replace(",", ".") for p in parts)
    return first, second


# The farthest a search by distance reaches: beyond it, "near" means nothing.
MAX_RADIUS_KM = 2000


class StrictInteger(fields.Integer):
    """A JSON integer and nothing else: no ``"3"``, no ``3.0``, no ``true``.

    Signed documents must mean exactly what they say: a consumer that coerced ``"3"`` would
    index one value while another, reading the raw document, showed another.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return int(super()._validated(value))


def strict_boolean(**kwargs: Any) -> fields.Boolean:
    """A JSON ``true`` or ``false`` only (not ``"yes"``, ``1`` or ``"false"``)."""
    return fields.Boolean(truthy={True}, falsy={False}, **kwargs)


class QueryArguments(Schema):
    """The query-string arguments of a read operation: what it does not know, it ignores."""

    class Meta:
        unknown = EXCLUDE


class StrictQuery(QueryArguments):
    """Query arguments that refuse what they do not know."""

    class Meta:
        unknown = RAISE


class NoQuery(StrictQuery):
    """An endpoint that takes no query parameters: any one is refused."""


def words(description: str) -> fields.String:
    """A search's words, as a query argument (bounded, so a query stays cheap)."""
    return fields.String(validate=validate.Length(max=200), metadata={"description": description})
