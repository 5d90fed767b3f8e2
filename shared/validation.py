"""marshmallow's own messages, given stable codes in one place.

Every field-level message marshmallow writes (required, null, not a number, too long, not one
of ...) becomes a :class:`~shared.messages.Message` with the same English text, so the API
answers as before and the pages translate it by code. :func:`install` runs when the package
``shared`` is first imported, before any schema or validator of ours is built.

Fields, validators and schemas copy their default messages when they are built, so their class
defaults are replaced here, each by a message whose ``format`` (which marshmallow calls to fill
in the bounds, choices ...) keeps its code. A message a schema chooses itself is a ``Message``
of our own catalogue.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.messages import Message

# Validators and the attributes that hold their default messages.
_VALIDATOR_MESSAGES: dict[type[validate.Validator], tuple[str, ...]] = {
    validate.URL: ("default_message",),
    validate.Email: ("default_message",),
    validate.Range: ("message_min", "message_max", "message_all"),
    validate.Length: ("message_min", "message_max", "message_all", "message_equal"),
    validate.Equal: ("default_message",),
    validate.Regexp: ("default_message",),
    validate.Predicate: ("default_message",),
    validate.NoneOf: ("default_message",),
    validate.OneOf: ("default_message",),
    validate.ContainsOnly: ("default_message",),
    validate.ContainsNoneOf: ("default_message",),
}
_installed = False


def field_code(owner: type[fields.Field], key: str) -> str:
    """``field.required`` for the base field's messages, ``field.integer.invalid`` for others."""
    if owner is fields.Field:
        return f"field.{key}"
    return f"field.{owner.__name__.lower().lstrip('_')}.{key}"


def validator_code(validator: type[validate.Validator], attribute: str) -> str:
    """``validate.length.min`` for ``Length.message_min``, ``validate.oneof`` for a default."""
    name = validator.__name__.lower()
    if attribute == "default_message":
        return f"validate.{name}"
    return f"validate.{name}.{attribute.removeprefix('message_')}"


def _field_classes() -> list[type[fields.Field]]:
    return [
        value
        for value in vars(fields).values()
        if isinstance(value, type) and issubclass(value, fields.Field)
    ]


def install() -> None:
    """Give marshmallow's messages their codes (once; later calls do nothing)."""
    global _installed
    if _installed:
        return
    _installed = True
    for field_class in _field_classes():
        defaults = vars(field_class).get("default_error_messages")
        if defaults:
            field_class.default_error_messages = {
                key: Message(field_code(field_class, key)) for key in defaults
            }
    for validator, attributes in _VALIDATOR_MESSAGES.items():
        for attribute in attributes:
            if attribute in vars(validator):
                setattr(validator, attribute, Message(validator_code(validator, attribute)))
    for key in list(Schema._default_error_messages):
        Schema._default_error_messages[key] = Message(f"schema.{key}")
