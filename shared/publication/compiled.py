"""The contract's schemas compiled for the hot path: what every consumer checks per event.

The marshmallow schemas of :mod:`shared.publication.schema` are the contract: its documentation,
and the source of every refusal and its reasons. Loading a version through them costs about a
millisecond, most of it marshmallow's machinery around each field. :func:`compile_schema`
derives from a schema, each time it is imported (so a field added to the contract is followed
with nothing else to change), two things:

- a JSON Schema (draft 7) of what the fields say about types, presence, nullability, unknown
  fields, lengths, ranges, vocabularies and constants, compiled with fastjsonschema;
- a loader that builds from a document the JSON Schema accepted exactly what ``schema.load``
  returns (dates as objects, unknown fields left out, defaults filled in), calling the schema's
  own validators where JSON Schema cannot say the same thing (patterns, URLs, e-mail addresses,
  area codes, organisation numbers), its ``@validates`` and ``@validates_schema`` methods, and
  marshmallow's own field code for a field of a kind it does not know (listed in
  :attr:`CompiledSchema.opaque`).

It accepts only what the schema accepts, and returns what the schema returns
(``tests/shared/test_compiled_contract.py`` proves both on generated and mutated documents).
What it does not accept it does not explain: :meth:`CompiledSchema.load` raises
:class:`Deferred`, and the caller loads the document through marshmallow, which refuses it with
its reasons (refusals are rare, so they may cost what they always cost).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import fastjsonschema
from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, fields, missing, validate
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA

from shared.fields import StrictInteger, check_area_code, check_organisation_number
from shared.publication.canonical import whole_floats_as_ints

DRAFT = "http://json-schema.org/draft-07/schema#"

Convert = Callable[[Any], Any]


class Deferred(Exception):  # noqa: N818 - not an error: the document goes to marshmallow
    """The compiled check does not accept the document; marshmallow decides, and says why."""


class _Opaque(Exception):  # noqa: N818 - a signal inside the compiler, never raised out of it
    """A schema the compiler leaves to marshmallow whole (load processors, and the like)."""


@dataclass
class _Compiler:
    """Walks a schema; collects the paths of the fields it leaves to marshmallow."""

    opaque: list[str] = field(default_factory=list)

    # -- schemas -------------------------------------------------------------------------

    def schema(self, schema: Schema, unknown: str | None, path: str) -> tuple[dict, Convert]:
        unknown = unknown or schema.unknown
        hooks = schema._hooks  # noqa: SLF001 - marshmallow's resolved hooks, read only
        if (
            hooks[PRE_LOAD]
            or hooks[POST_LOAD]
            or schema.many
            or schema.partial
            or schema.dict_class is not dict
            or unknown not in (EXCLUDE, INCLUDE, RAISE)
        ):
            raise _Opaque
        properties: dict[str, Any] = {}
        required: list[str] = []
        entries: list[tuple[str, str, Convert | None, Any]] = []
        for name, each in schema.load_fields.items():
            key = each.data_key if each.data_key is not None else name
            attribute = each.attribute or name
            if "." in attribute:
                raise _Opaque  # marshmallow would nest it
            fragment, convert = self.field(each, f"{path}.{key}" if path else key)
            properties[key] = fragment
            if each.required:
                required.append(key)
            entries.append((key, attribute, convert, each.load_default))
        node: dict[str, Any] = {"type": "object", "title": type(schema).__name__}
        node["properties"] = properties
        if required:
            node["required"] = required
        if unknown == RAISE:
            node["additionalProperties"] = False
        known = frozenset(properties)
        field_hooks = [
            (getattr(schema, attr), kwargs["field_names"]) for attr, _, kwargs in hooks[VALIDATES]
        ]
        for _, names in field_hooks:
            for name in names:
                if name not in schema.fields and name not in schema.declared_fields:
                    raise _Opaque  # marshmallow raises ValueError on every load
        schema_hooks = [
            (getattr(schema, attr), kwargs.get("pass_original", False))
            for many_first in (True, False)
            for attr, many, kwargs in hooks[VALIDATES_SCHEMA]
            if many is many_first
        ]
        return node, _object_loader(schema, entries, known, unknown, field_hooks, schema_hooks)

    # -- fields --------------------------------------------------------------------------

    def field(self, each: Any, path: str) -> tuple[dict, Convert | None]:
        """The field's JSON Schema and how to convert its value (``None``: as it is).
        (``each`` is any marshmallow field: told apart by its exact class.)"""
        if each.pre_load or each.post_load:
            return self._opaque(each, path)
        kind = type(each)
        convert: Convert | None
        try:
            if kind in (fields.String, fields.Url, fields.Email):
                node, convert, rest = _constrained({"type": "string"}, each, "string", None)
            elif kind is StrictInteger or (kind is fields.Integer and each.strict):
                node, convert, rest = _constrained({"type": "integer"}, each, "integer", _integer)
            elif kind is fields.Float:
                node, convert, rest = _float(each)
            elif kind is fields.Boolean and each.truthy:
                node, convert, rest = _boolean(each)
            elif kind in _TEMPORAL:
                # Its own parser (and its validators): refuses anything but a string.
                node = {"type": ["string", "null"] if each.allow_none else "string"}
                return node, _marshmallow_leaf(each)
            elif kind is fields.Nested and not each.many:
                node, convert = self.schema(each.schema, each.unknown, path)
                rest = list(each.validators)
            elif kind is fields.List:
                item, inner = self.field(each.inner, f"{path}[]")
                node, convert, rest = _constrained(
                    {"type": "array", "items": item},
                    each,
                    "array",
                    list if inner is None else _each(inner),
                )
            elif kind is fields.Dict and _plain_keys(each.key_field):
                node, convert, rest = self._mapping(each, path)
            else:
                return self._opaque(each, path)
        except _Opaque:
            return self._opaque(each, path)
        if each.allow_none:
            node = _nullable(node)
        return node, _checked(convert, rest, each.allow_none)

    def _mapping(self, each: fields.Dict, path: str) -> tuple[dict, Convert | None, list]:
        node: dict[str, Any] = {"type": "object"}
        if each.value_field is None:
            convert: Convert = dict
        else:
            values, inner = self.field(each.value_field, f"{path}{{}}")
            node["additionalProperties"] = values
            convert = dict if inner is None else _values(inner)
        return _constrained(node, each, "object", convert)

    def _opaque(self, each: fields.Field, path: str) -> tuple[dict, Convert]:
        self.opaque.append(path)
        return {}, _marshmallow_leaf(each)


def _constrained(
    node: dict[str, Any], each: fields.Field, kind: str, convert: Convert | None
) -> tuple[dict[str, Any], Convert | None, list]:
    """``node`` with the keywords that say exactly what some of the field's validators check
    on a value of JSON type ``kind``; ``convert``; and the other validators, to be called."""
    node = dict(node)
    rest = []
    for validator in each.validators:
        translated = _translate(validator, kind)
        if translated is None or any(keyword in node for keyword in translated):
            rest.append(validator)
        else:
            node.update(translated)
    return node, convert, rest


_TEMPORAL = (fields.DateTime, fields.NaiveDateTime, fields.AwareDateTime, fields.Date, fields.Time)
_LENGTH_KEYS = {
    "string": ("minLength", "maxLength"),
    "array": ("minItems", "maxItems"),
    "object": ("minProperties", "maxProperties"),
}


def _translate(validator: Any, kind: str) -> dict[str, Any] | None:
    """The JSON Schema keywords that check exactly what ``validator`` checks on a value of
    JSON type ``kind`` (as the field loads it), or ``None`` when there are none."""
    vtype = type(validator)
    if vtype is validate.Length and kind in _LENGTH_KEYS:
        low_key, high_key = _LENGTH_KEYS[kind]
        low = validator.equal if validator.equal is not None else validator.min
        high = validator.equal if validator.equal is not None else validator.max
        return {
            **({low_key: low} if low is not None else {}),
            **({high_key: high} if high is not None else {}),
        }
    if vtype is validate.Range and kind == "integer" and _numbers(validator.min, validator.max):
        result: dict[str, Any] = {}
        if validator.min is not None:
            result["minimum" if validator.min_inclusive else "exclusiveMinimum"] = validator.min
        if validator.max is not None:
            result["maximum" if validator.max_inclusive else "exclusiveMaximum"] = validator.max
        return result
    if vtype is validate.OneOf and kind == "string":
        choices = list(validator.choices)
        return {"enum": choices} if all(type(c) is str for c in choices) else None
    if vtype is validate.Equal:
        value = validator.comparable
        if (kind == "string" and type(value) is str) or (kind == "integer" and type(value) is int):
            return {"const": value}
    return None


def _numbers(*values: Any) -> bool:
    return all(v is None or (type(v) in (int, float) and math.isfinite(v)) for v in values)


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` that also takes ``null`` (the keywords of other types ignore it)."""
    node = dict(node)
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        node["type"] = [*kind, "null"]
    if "enum" in node and None not in node["enum"]:
        node["enum"] = [*node["enum"], None]
    if "const" in node:
        node["enum"] = [node.pop("const"), None]
    return node


def _plain_keys(key_field: fields.Field | None) -> bool:
    """Keys the field takes as they are: any JSON key (a string)."""
    return key_field is None or (
        type(key_field) is fields.String
        and not key_field.validators
        and not key_field.pre_load
        and not key_field.post_load
    )


def _integer(value: Any) -> int:
    # A whole float (2.0) is the integer the contract's load sees (schema.whole_floats_as_ints).
    return value if type(value) is int else int(value)


def _float(each: fields.Float) -> tuple[dict, Convert, list]:
    """``float(value)`` as marshmallow takes it (a numeric string too), finite unless the
    field allows otherwise; its validators are called on the float."""
    allow_nan = each.allow_nan

    def convert(value: Any) -> float:
        number = float(value)
        if not allow_nan and not math.isfinite(number):
            raise Deferred
        return number

    return {"type": ["number", "string"]}, convert, list(each.validators)


def _boolean(each: fields.Boolean) -> tuple[dict, Convert, list]:
    """marshmallow's ``value in truthy``: in Python ``1 == 1.0 == True``, so a set holding
    ``True`` holds ``1`` too, which JSON Schema's ``enum`` says only when told."""
    truthy, falsy = frozenset(each.truthy), frozenset(each.falsy)
    choices: list[Any] = []
    for value in [*each.truthy, *each.falsy]:
        if type(value) not in (str, int, float, bool):
            raise _Opaque
        choices.append(value)
        if type(value) is bool:
            choices.append(int(value))
        elif type(value) in (int, float) and value in (0, 1):
            choices.append(bool(value))
    enum = [c for i, c in enumerate(choices) if not any(_same(c, d) for d in choices[:i])]

    def convert(value: Any) -> bool:
        if value in truthy:
            return True
        if value in falsy:
            return False
        raise Deferred

    return {"enum": enum}, convert, list(each.validators)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _each(inner: Convert) -> Convert:
    def convert(value: Any) -> list:
        return [inner(item) for item in value]

    return convert


def _values(inner: Convert) -> Convert:
    def convert(value: Any) -> dict:
        return {key: inner(item) for key, item in value.items()}

    return convert


def _checked(convert: Convert | None, validators: list, allow_none: bool) -> Convert | None:
    """``convert`` followed by the validators JSON Schema could not say (on the converted
    value, as marshmallow calls them); ``None`` passes untouched when the field allows it."""
    if not validators:
        if convert is None or not allow_none:
            return convert
        inner = convert
        return lambda value: None if value is None else inner(value)
    checks = tuple(_remembered(v) if _is_pure(v) else v for v in validators)

    def checked(value: Any) -> Any:
        if value is None and allow_none:
            return None
        output = value if convert is None else convert(value)
        for check in checks:
            check(output)  # marshmallow ignores what a validator returns (validate.And)
        return output

    return checked


# Validators whose verdict depends on the value alone, so a value they passed passes again:
# marshmallow's own (the patterns, URLs and e-mail addresses of every version) and ours.
_PURE_VALIDATORS = (
    validate.URL,
    validate.Email,
    validate.Regexp,
    validate.OneOf,
    validate.NoneOf,
    validate.Length,
    validate.Range,
    validate.Equal,
)
_PURE_CHECKS = (check_organisation_number, check_area_code)
# How many passed values each remembers (strings of a few hundred bytes at most: the contract
# bounds them) before it starts again.
REMEMBERED = 4096


def _is_pure(validator: Any) -> bool:
    return type(validator) in _PURE_VALIDATORS or any(validator is c for c in _PURE_CHECKS)


def _remembered(check: Callable[[Any], Any]) -> Callable[[Any], None]:
    """``check``, skipped for a string it has passed before (an offer's provider, its duties'
    and guides' addresses come again in version after version)."""
    passed: set[str] = set()

    def remembered(value: Any) -> None:
        if type(value) is not str:
            check(value)
        elif value not in passed:
            check(value)
            if len(passed) >= REMEMBERED:
                passed.clear()
            passed.add(value)

    return remembered


def _marshmallow_leaf(each: fields.Field) -> Convert:
    """The field's own code: exact whatever the field does, at marshmallow's price."""

    def convert(value: Any) -> Any:
        return each.deserialize(whole_floats_as_ints(value), each.name)

    return convert


def _object_loader(
    schema: Schema,
    entries: list[tuple[str, str, Convert | None, Any]],
    known: frozenset[str],
    unknown: str,
    field_hooks: list[tuple[Callable[..., Any], Iterable[str]]],
    schema_hooks: list[tuple[Callable[..., Any], bool]],
) -> Convert:
    """What ``schema.load`` returns for a document the JSON Schema accepted."""
    steps = tuple(entries)
    keyed = {
        name: (each.data_key if each.data_key is not None else name, each.attribute or name)
        for name, each in schema.fields.items()
    }

    def load(data: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, attribute, convert, default in steps:
            if key in data:
                value = data[key]
                result[attribute] = value if convert is None else convert(value)
            elif default is not missing:
                result[attribute] = default() if callable(default) else default
        if unknown == INCLUDE:
            for key in data.keys() - known:
                result[key] = whole_floats_as_ints(data[key])
        for method, names in field_hooks:
            for name in names:
                if name not in keyed:
                    continue  # declared but not loaded: marshmallow skips it too
                data_key, attribute = keyed[name]
                if attribute in result:
                    if method(result[attribute], data_key=data_key) is missing:
                        result.pop(name, None)
        for method, pass_original in schema_hooks:
            if pass_original:
                method(result, data, partial=None, many=False, unknown=unknown)
            else:
                method(result, partial=None, many=False, unknown=unknown)
        return result

    return load


@dataclass(frozen=True)
class CompiledSchema:
    """A schema's JSON Schema and its compiled check and loader (see the module)."""

    json_schema: dict[str, Any]
    opaque: tuple[str, ...]  # paths of fields left to marshmallow's field code ("" = all)
    _validate: Callable[[Any], Any]
    _load: Convert

    def load(self, data: Any) -> dict[str, Any]:
        """What ``schema.load(data)`` returns, when the compiled check accepts ``data``;
        otherwise :class:`Deferred` (the schema may refuse it, or accept it after all)."""
        try:
            self._validate(data)
            return self._load(data)
        except Deferred:
            raise
        except Exception as exc:  # noqa: BLE001 - a refusal, or a value no check foresaw:
            raise Deferred from exc  # either way marshmallow decides, as it always has


def compile_schema(schema: Schema) -> CompiledSchema:
    """Compile ``schema`` (an instance, as the contract uses it)."""
    compiler = _Compiler()
    try:
        node, load = compiler.schema(schema, None, "")
    except _Opaque:
        return CompiledSchema({"$schema": DRAFT}, ("",), lambda _: None, _defer)
    json_schema = {"$schema": DRAFT, **node}
    validator = fastjsonschema.compile(json_schema, use_default=False, use_formats=False)
    return CompiledSchema(json_schema, tuple(compiler.opaque), validator, load)


def _defer(_: Any) -> Any:
    raise Deferred
