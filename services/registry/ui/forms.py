"""HTML forms described once: fields with labels and kinds, read into plain data, and the
marshmallow errors turned into readable, translated field-level messages.

A form is a list of :class:`Field`. The same description renders the inputs (``fields.html``),
reads the posted values (:func:`read_form`) into the shape the marshmallow schemas take, and
labels values on review and history pages, so the three never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext, lazy_gettext
from marshmallow import Schema
from werkzeug.datastructures import MultiDict

from shared.i18n import current_language
from shared.vocab import Vocabulary

ChoiceList = list[tuple[str, str]]

# Kinds of input; "group" is a repeated set of sub-fields (locations, links).
TEXT_KINDS = {"text", "textarea", "email", "url", "tel", "date"}
NUMBER_KINDS = {"integer", "decimal"}
SINGLE_CHOICE_KINDS = {"select", "radio"}


@dataclass(frozen=True)
class Field:
    """One input of a form. ``name`` is the key in the schema's data; a dot nests it."""

    name: str
    label: Any
    kind: str = "text"
    hint: Any = None
    required: bool = False
    vocabulary: Vocabulary | None = None
    # Choices that depend on the request (the organisation's agencies): set per render.
    dynamic: bool = False
    # For kind "group": the sub-fields of each repeated row, and how many empty rows to offer.
    subfields: tuple[Field, ...] = ()
    blank_rows: int = 1
    autocomplete: str | None = None

    @property
    def dom_id(self) -> str:
        return dom_id(self.name)

    def choices(self, dynamic: Mapping[str, ChoiceList] | None = None) -> ChoiceList:
        if self.vocabulary is not None:
            lang = current_language()
            return [(c.code, c.label(lang)) for c in self.vocabulary]
        return list((dynamic or {}).get(self.name, []))


def dom_id(name: str) -> str:
    """The id of a field's input: ``contact.email`` → ``f-contact-email``."""
    return "f-" + name.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class Section:
    """A group of fields as a person fills them in, shown as one fieldset."""

    key: str
    title: Any
    fields: tuple[Field, ...]
    intro: Any = None


@dataclass
class FormState:
    """What a form shows: the values and, after a failed post, the messages per field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, ChoiceList] = field(default_factory=dict)

    def value(self, name: str) -> Any:
        current: Any = self.values
        for part in name.split("."):
            if not isinstance(current, Mapping):
                return None
            current = current.get(part)
        return current

    def text(self, name: str) -> str:
        """The value as an input shows it."""
        value = self.value(name)
        if value is None:
            return ""
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, float):
            return f"{value:g}".replace(".", ",")
        return str(value)

    def chosen(self, name: str, code: str) -> bool:
        value = self.value(name)
        if isinstance(value, list):
            return code in {str(v) for v in value}
        return value is not None and not isinstance(value, bool) and str(value) == code

    def summary(self, fields: Iterable[Field]) -> list[tuple[str, str, str]]:
        """(input id, label, message) for the error summary, in form order."""
        labels = {f.name: str(f.label) for f in fields}
        groups = {f.name: f for f in fields if f.kind == "group"}
        found: list[tuple[str, str, str]] = []
        for name, messages in self.errors.items():
            head = name.split(".")[0]
            label = labels.get(name) or labels.get(head, "")
            if head in groups and name.count(".") == 2:
                _group, index, sub = name.split(".")
                subs = {f.name: str(f.label) for f in groups[head].subfields}
                label = f"{labels[head]} {int(index) + 1}: {subs.get(sub, sub)}"
            anchor = dom_id(name) if name != "_schema" else "form-errors"
            found.extend((anchor, label, message) for message in messages)
        return found

    def rows(self, group: Field) -> list[dict[str, Any]]:
        """The rows of a repeated group: those filled in, then the empty ones offered."""
        filled = [r for r in (self.value(group.name) or []) if isinstance(r, Mapping)]
        return [dict(r) for r in filled] + [{} for _ in range(group.blank_rows)]


def all_fields(sections: Iterable[Section]) -> list[Field]:
    return [f for s in sections for f in s.fields]


# --- reading a posted form ---------------------------------------------------------------------


def _text(raw: str | None) -> str | None:
    value = (raw or "").strip()
    return value or None


def parse_number(text: str, kind: str) -> Any:
    """A typed number (``1 000``, ``2,5``); text that is none is returned for the schema to
    say what is wrong with it."""
    cleaned = text.replace(" ", "").replace("\u00a0", "")
    try:
        return int(cleaned) if kind == "integer" else float(cleaned.replace(",", "."))
    except ValueError:
        return text


def _number(raw: str | None, kind: str) -> Any:
    value = _text(raw)
    return None if value is None else parse_number(value, kind)


def _read_field(spec: Field, form: MultiDict[str, str], prefix: str = "") -> Any:
    key = prefix + spec.name
    if spec.kind == "checkbox":
        return key in form
    if spec.kind == "checkboxes":
        return [v for v in form.getlist(key) if v]
    if spec.kind in NUMBER_KINDS:
        return _number(form.get(key), spec.kind)
    if spec.kind == "list":
        return [part for part in re.split(r"[\s,;]+", form.get(key, "")) if part]
    if spec.kind == "group":
        rows = []
        for index in range(int(form.get(f"{key}-count", "0") or 0)):
            row = {sub.name: _read_field(sub, form, f"{key}-{index}-") for sub in spec.subfields}
            if any(v not in (None, "", [], False) for v in row.values()):
                rows.append({k: v for k, v in row.items() if v is not None})
        return rows
    return _text(form.get(key))


def read_form(
    fields: Sequence[Field], form: MultiDict[str, str], schema: Schema | None = None
) -> dict[str, Any]:
    """The posted values as the schema's input; an empty optional field is left out, so the
    schema's default applies, unless the schema allows it to be cleared (``None``)."""
    data: dict[str, Any] = {}
    for spec in fields:
        value = _read_field(spec, form)
        parts = spec.name.split(".")
        if value is None:
            target = schema.fields.get(parts[0]) if schema is not None else None
            if len(parts) > 1 or target is None or not target.allow_none:
                continue
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return data


# --- messages ----------------------------------------------------------------------------------


def flat_messages(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """marshmallow's nested messages as ``[("contact.email", message), ...]``, as written."""
    if isinstance(messages, Mapping):
        found = []
        for key, value in messages.items():
            found.extend(flat_messages(value, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(messages, list | tuple):
        texts = [(prefix or "_schema", m) for m in messages if isinstance(m, str)]
        nested = [flat_messages(m, prefix) for m in messages if isinstance(m, Mapping)]
        return texts + [item for found in nested for item in found]
    return [(prefix or "_schema", str(messages))]


def flatten_errors(messages: Any) -> dict[str, list[str]]:
    """The messages per field (``{"locations.0.name": [...]}``), each made readable."""
    flat: dict[str, list[str]] = {}
    for name, message in flat_messages(messages):
        flat.setdefault(name, []).append(readable(message))
    return flat


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, make: Callable[[re.Match[str]], str]) -> _Rule:
    return re.compile(pattern), make


# The schemas and services speak English to the API; people read these instead. A message not
# listed here is shown as it is (in English), never dropped.
_RULES: list[_Rule] = [
    _rule(
        r"^(Missing data for required field|Field may not be null)\.$",
        lambda m: gettext("Fill in this field."),
    ),
    _rule(r"^Not a valid integer\.$", lambda m: gettext("Write a whole number, like 12.")),
    _rule(r"^Not a valid number\.$", lambda m: gettext("Write a number, like 1,5.")),
    _rule(r"^Not a valid date\.$", lambda m: gettext("Write the date as YYYY-MM-DD.")),
    _rule(
        r"^Not a valid email address\.$",
        lambda m: gettext("Write an e-mail address like name@example.org."),
    ),
    _rule(
        r"^Not a valid URL\.$",
        lambda m: gettext("Write a full web address starting with https://."),
    ),
    _rule(
        r"^Length must be between (\d+) and (\d+)\.$",
        lambda m: gettext("Use between %(min)s and %(max)s characters.", min=m[1], max=m[2]),
    ),
    _rule(
        r"^Shorter than minimum length (\d+)\.$",
        lambda m: gettext("Choose or write at least %(min)s.", min=m[1]),
    ),
    _rule(
        r"^Longer than maximum length (\d+)\.$",
        lambda m: gettext("Use at most %(max)s characters.", max=m[1]),
    ),
    _rule(
        r"^Must be greater than or equal to (\d+) and less than or equal to (\d+)\.$",
        lambda m: gettext("Use a number from %(min)s to %(max)s.", min=m[1], max=m[2]),
    ),
    _rule(
        r"^Must be greater than or equal to (\d+)\.$",
        lambda m: gettext("Use a number of at least %(min)s.", min=m[1]),
    ),
    _rule(r"^Not a known .* code\.", lambda m: gettext("Choose one of the options.")),
    _rule(r"^Must be one of: ", lambda m: gettext("Choose one of the options.")),
    _rule(
        r"^The lowest age \((\d+)\) is above the highest age \((\d+)\)\.$",
        lambda m: gettext(
            "The lowest age (%(low)s) is above the highest age (%(high)s).", low=m[1], high=m[2]
        ),
    ),
    _rule(
        r"^The last review cannot be in the future\.$",
        lambda m: gettext("The last review cannot be in the future."),
    ),
    _rule(
        r"^Unknown area code '([^']*)'",
        lambda m: gettext(
            "Unknown area code %(code)s. Use a municipality number (4 digits), "
            "a county number (2 digits), a region code, or NO for the whole "
            "country.",
            code=m[1],
        ),
    ),
    _rule(
        r"^The same value is given more than once\.$",
        lambda m: gettext("The same value is given more than once."),
    ),
    _rule(
        r"^String does not match expected pattern\.$",
        lambda m: gettext("Use the form shown in the hint."),
    ),
    _rule(r"^Unknown statutory duty", lambda m: gettext("Choose duties from the list.")),
    _rule(r"^No such agency", lambda m: gettext("Choose one of your agencies.")),
    _rule(
        r"^Choose the agencies the registrar",
        lambda m: gettext("Choose the agencies the registrar registers offers for."),
    ),
    _rule(r"^Already in use\.$", lambda m: gettext("This is already in use.")),
    _rule(r"^Give the person's name\.$", lambda m: gettext("Give the person's name.")),
    _rule(r"^Unknown field\.$", lambda m: gettext("This field is not part of the form.")),
    _rule(r"^Write Ja or Nei", lambda m: gettext("Write Yes or No, or leave it empty.")),
    _rule(r"^Choose a value from the list\.$", lambda m: gettext("Choose a value from the list.")),
    _rule(r"^The end is before the start\.$", lambda m: gettext("The end is before the start.")),
    _rule(
        r"^Choose offers of your organisation\.$",
        lambda m: gettext("Choose offers of your organisation."),
    ),
]


def readable(message: str) -> str:
    """A message from a schema or a service, in the reader's language where we know it."""
    for pattern, make in _RULES:
        match = pattern.search(message)
        if match:
            return make(match)
    return refusal(message)


# Messages of whole-request refusals the services raise, for the pages' notices.
KNOWN_REFUSALS = {
    "The offer is waiting for review. Recall it before you edit it.": lazy_gettext(
        "The offer is waiting for review. Recall it before you edit it."
    ),
    "Nothing to submit: the draft equals the published version.": lazy_gettext(
        "Nothing to submit: the draft is the same as the published version."
    ),
    "A published offer is never deleted; withdraw it instead.": lazy_gettext(
        "A published offer is never deleted; withdraw it instead."
    ),
    "Only a published offer can be withdrawn.": lazy_gettext(
        "Only a published offer can be withdrawn."
    ),
    "You cannot remove your own administrator role.": lazy_gettext(
        "You cannot remove your own administrator role."
    ),
    "You cannot remove yourself from the organisation.": lazy_gettext(
        "You cannot remove yourself from the organisation."
    ),
    "The user is already a member; change the membership instead.": lazy_gettext(
        "The person is already a member; change their roles instead."
    ),
    "The agency still has offers or sections; move them first.": lazy_gettext(
        "The agency still has offers or sections; move them first."
    ),
    "Readers follow the coordination group's work but do not change it.": lazy_gettext(
        "Readers follow the coordination group's work but do not change it."
    ),
    "The method's own points stay on the checklist; untick them instead.": lazy_gettext(
        "The method's own points stay on the checklist; untick them instead."
    ),
    "The coordination group already has a workspace.": lazy_gettext(
        "The coordination group already has a workspace."
    ),
    "You are not a registrar for this agency.": lazy_gettext(
        "You are not a registrar for this agency."
    ),
    "Only node administrators set passwords for others; the person sets their own.": (
        lazy_gettext("Only node administrators set passwords for others.")
    ),
}


def refusal(message: str) -> str:
    """A service's refusal, translated where it is known, else as it is."""
    known = KNOWN_REFUSALS.get(message)
    if known is not None:
        return str(known)
    if message.startswith("Cannot ") and " an offer that is " in message:
        return gettext("The offer has moved on since you opened the page. Reload and try again.")
    if message.startswith("This needs the "):
        return gettext("Your roles in the organisation do not allow this.")
    return message
