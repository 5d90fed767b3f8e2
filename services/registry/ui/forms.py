"""HTML forms described once: fields with labels and kinds, read into plain data, and the
marshmallow errors as field-level messages translated by their codes.

A form is a list of :class:`Field`. The same description renders the inputs (``fields.html``),
reads the posted values (:func:`read_form`) into the shape the marshmallow schemas take, and
labels values on review and history pages, so the three never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema
from werkzeug.datastructures import MultiDict

from shared.i18n import current_language
from shared.messages import translate
from shared.vocab import Vocabulary

ChoiceList = list[tuple[str, str]]

# Kinds of input; "group" is a repeated set of sub-fields (locations, links); "areas" the
# classification's areas to tick, with a field for other codes.
TEXT_KINDS = {"text", "textarea", "email", "url", "tel", "date", "time"}
NUMBER_KINDS = {"integer", "decimal"}
SINGLE_CHOICE_KINDS = {"select", "radio"}


# The most rows a repeated group is read with, unless it says fewer.
MAX_GROUP_ROWS = 200


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
    # For kind "group": a submit button that shows the form again with one more empty row.
    addable: bool = False
    # For kind "group": at most this many rows are read and, with "add a row", offered (the
    # contract's own limit where it has one), besides the empty ones a new form shows.
    max_rows: int = MAX_GROUP_ROWS
    autocomplete: str | None = None
    # For the group of places: each row has an address search (services.registry.offers.places).
    address_search: bool = False

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
    # Advice that does not stop a save (a contact that looks like a person's own), per field.
    warnings: dict[str, list[str]] = field(default_factory=dict)
    choices: dict[str, ChoiceList] = field(default_factory=dict)
    # The answer of an address search, by the row of the group it was asked for.
    addresses: dict[int, Any] = field(default_factory=dict)
    # For kind "areas": what can be chosen (services.registry.offers.coverage.AreaPicker).
    areas: Any = None
    # Empty rows to offer per group beyond its own, after "add a row" (a group's name).
    more_rows: dict[str, int] = field(default_factory=dict)

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
            head, _dot, rest = name.rpartition(".")[0].rpartition(".")
            label = labels.get(name) or labels.get(name.split(".")[0], "")
            if head in groups and rest.isdigit():
                subs = {f.name: str(f.label) for f in groups[head].subfields}
                sub = name.rpartition(".")[2]
                label = f"{labels[head]} {int(rest) + 1}: {subs.get(sub, sub)}"
            anchor = dom_id(name) if name != "_schema" else "form-errors"
            found.extend((anchor, label, message) for message in messages)
        return found

    def rows(self, group: Field) -> list[dict[str, Any]]:
        """The rows of a repeated group: those filled in, then the empty ones offered."""
        filled = [r for r in (self.value(group.name) or []) if isinstance(r, Mapping)]
        blank = group.blank_rows + self.more_rows.get(group.name, 0)
        return [dict(r) for r in filled] + [{} for _ in range(blank)]

    def can_add_row(self, group: Field) -> bool:
        """Whether "add a row" may offer one more: not once the group's limit is reached."""
        filled = [r for r in (self.value(group.name) or []) if isinstance(r, Mapping)]
        return len(filled) + self.more_rows.get(group.name, 0) < group.max_rows


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


def row_count(group: Field, posted: str | None) -> int:
    """How many rows of ``group`` the form says it holds (its ``-count``), never more than it
    may hold with its empty rows; what is not a whole number is none."""
    value = parse_number(_text(posted) or "0", "integer")
    if not isinstance(value, int):
        return 0
    return max(0, min(value, group.max_rows + group.blank_rows))


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
    if spec.kind == "areas":
        # Ticked areas and codes typed in the field for others: one list, each code once.
        typed = (p for v in form.getlist(key) for p in re.split(r"[\s,;]+", v) if p)
        return list(dict.fromkeys(typed))
    if spec.kind == "group":
        rows = []
        for index in range(row_count(spec, form.get(f"{key}-count"))):
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
    return [(prefix or "_schema", messages if isinstance(messages, str) else str(messages))]


def flatten_errors(messages: Any) -> dict[str, list[str]]:
    """The messages per field (``{"locations.0.name": [...]}``), each made readable."""
    flat: dict[str, list[str]] = {}
    for name, message in flat_messages(messages):
        flat.setdefault(name, []).append(readable(message))
    return flat


def readable(message: str) -> str:
    """A message from a schema or a service in the reader's language, by its code; a message
    without one (none of ours) is shown as it is, never dropped."""
    return translate(message, current_language())
