"""shared.publication.compiled: the compiled contract accepts and refuses exactly what the
marshmallow contract does, and returns exactly what it returns.

Every document is generated: valid versions (the contract properties' strategy, dumped to the
wire), then mutated — a field removed, replaced by a value of another type, an odd string, a
number out of range, a bad date or address, an unknown field added, a list with a repeated
code. Both sides see the same document; the verdicts (and, when accepted, the loaded documents,
types included) must be the same.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import (
    EXCLUDE,
    INCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)

from shared.publication import schema as contract
from shared.publication.canonical import whole_floats_as_ints
from shared.publication.compiled import Deferred, compile_schema
from shared.publication.schema import (
    ReceivedOfferVersionSchema,
    dump_offer_version,
    load_offer_version_data,
    received_contract,
)
from tests.properties import examples
from tests.shared.test_contract_properties import versions
from tests.shared.test_publication_schema import WIRE

REFUSED = "refused"

# Values of every JSON type, and the odd ones: whole and special floats, big integers, strings
# a person would not type (controls, bidi overrides, combining marks, emoji, a trailing newline
# after a valid code), numbers as strings, the bounds of the contract's ranges and lengths.
ODD_STRINGS = [
    "",
    " ",
    "x",
    "\x00",
    "\u202e",
    "\ufeff",
    "e\u0301",
    "😀",
    "æøå",
    "\n",
    "1234\n",
    "1234",
    "123",
    " 1.5 ",
    "1_0",
    "١٢",
    "nan",
    "inf",
    "-0",
    "1e3",
    "true",
    "1",
    "x" * 36,
    "x" * 37,
    "x" * 200,
    "x" * 201,
    "3301",
    "33",
    "NO",
    "0000",
    "bufetat-sor",
    "Bufetat",
    "910000012",
    "910000013",
    "810000012",
    "published",
    "withdrawn",
    "nob",
    "parents",
    "permanent",
]
BAD_DATES = [
    "2024-03-01T12:00:00",  # naive
    "2024-03-01T12:00:00Z",
    "2024-03-01T12:00:00+01:00",
    "2024-02-30T12:00:00+00:00",
    "2024-13-01T00:00:00+00:00",
    "2024-03-01 12:00:00+00:00",
    "2024-03-01",
    "20240301",
    "2024-W09-5",
    "2024-02-29",
    "2023-02-29",
    "2024-03-01T25:00:00+00:00",
    "9999-12-31T23:59:59+14:00",
]
BAD_URIS = [
    "https://node.example/offers/1",
    "http://node.example/offers/1",
    "HTTPS://NODE.EXAMPLE/x",
    "ftp://node.example/x",
    "javascript:alert(1)",
    "https://",
    "https://node",
    "https://nøde.example/x",
    "https://node.example/ x",
    "https://node.example/x\n",
    "https://exa..mple/x",
    "https://127.0.0.1/x",
    "https://[::1]/x",
    "//node.example/x",
    "https://node.example/" + "x" * 480,
    "a@b.example",
    "a@b",
    "a b@c.example",
    '"a"@b.example',
    "a@localhost",
]
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, 1, -1, 3, 25, 26, 60, 61, 2**31 - 1, 2**31, 10**12, 10**12 + 1, 2**64]),
    st.floats(),
    st.sampled_from([0.0, -0.0, 1.0, 3.0, 2.5, 1e-5, 1e16, 1e300, 10000.0, 10000.5, -90.5]),
    st.sampled_from(ODD_STRINGS + BAD_DATES + BAD_URIS),
    st.text(max_size=8),
    st.lists(st.sampled_from(["nob", "nob", "parents", 1, None, "3301"]), max_size=3),
    st.dictionaries(st.sampled_from(["nb", "name", "x", "url"]), st.text(max_size=3), max_size=2),
)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON value: object members and array items, at any depth."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def at(document: Any, path: tuple) -> Any:
    for step in path:
        document = document[step]
    return document


@st.composite
def wire_versions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid version as it travels (dumped by the registry's contract)."""
    return json.loads(dump_offer_version(draw(versions())))


@st.composite
def mutated(draw: st.DrawFn, documents: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A document with one to three mutations, anywhere in it."""
    document = copy.deepcopy(draw(documents))
    for _ in range(draw(st.integers(1, 3))):
        places = paths(document)
        path = draw(st.sampled_from(places))
        parent, key = at(document, path[:-1]), path[-1]
        what = draw(
            st.sampled_from(
                ["remove", "replace", "replace", "add", "repeat", "swap ages", "float", "bad"]
            )
        )
        if what == "remove":
            del parent[key]
        elif what == "replace":
            parent[key] = draw(ODD_VALUES)
        elif what == "add":
            target = parent if isinstance(parent, dict) else document
            target[draw(st.sampled_from(["extra", "name", "x" * 3, "ü", ""]))] = draw(ODD_VALUES)
        elif what == "repeat" and isinstance(parent[key], list) and parent[key]:
            parent[key].append(parent[key][0])
        elif what == "swap ages":
            document["age_min"], document["age_max"] = document["age_max"], document["age_min"]
        elif what == "float" and type(parent[key]) is int:
            parent[key] = float(parent[key])  # a whole float: the contract loads it as int
        elif what == "bad":
            parent[key] = draw(st.sampled_from(BAD_DATES + BAD_URIS + ODD_STRINGS))
        if not places or not isinstance(document, dict):
            break
    return document


def typed(value: Any) -> Any:
    """``value`` with every scalar's type beside it, so ``1 == 1.0 == True`` cannot hide a
    difference (and a time zone is compared as written)."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, dt.date):
        return (type(value).__name__, value.isoformat())
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def by_marshmallow(schema: Schema, document: Any) -> Any:
    try:
        return typed(schema.load(whole_floats_as_ints(copy.deepcopy(document))))
    except ValidationError:
        return REFUSED


def compiled(check: Any, document: Any) -> Any:
    try:
        return typed(check.load(copy.deepcopy(document)))
    except Deferred:
        return REFUSED


_received = ReceivedOfferVersionSchema()


def test_the_contract_compiles_whole():
    # Every field of today's contract is checked by the compiled path, none left to
    # marshmallow's field code; a field of a new kind shows here (and still loads exactly).
    assert received_contract.opaque == ()
    jsonschema.Draft7Validator.check_schema(received_contract.json_schema)
    # Another implementation of JSON Schema agrees that a valid version fulfils it.
    jsonschema.validate(WIRE, received_contract.json_schema)
    schema = received_contract.json_schema
    assert schema["properties"]["age_min"] == {"type": "integer", "minimum": 0, "maximum": 25}
    assert schema["properties"]["contact"]["properties"]["phone"] == {
        "type": ["string", "null"],
        "maxLength": 40,
    }
    assert "published_at" in schema["required"]
    assert "additionalProperties" not in schema  # unknown fields are left out, not refused


def test_a_valid_version_is_loaded_without_marshmallow(monkeypatch):
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("marshmallow was asked")

    expected = typed(_received.load(copy.deepcopy(WIRE)))
    monkeypatch.setattr(contract._received, "load", refuse)
    assert typed(load_offer_version_data(copy.deepcopy(WIRE))) == expected


def test_a_refused_version_is_refused_with_marshmallows_reasons():
    with pytest.raises(ValidationError) as refused:
        load_offer_version_data(WIRE | {"age_min": 9, "age_max": 3, "level": 4})
    assert refused.value.messages == {
        "level": ["Must be greater than or equal to 1 and less than or equal to 3."],
    }
    with pytest.raises(ValidationError) as refused:
        load_offer_version_data(WIRE | {"age_min": 9, "age_max": 3})
    assert refused.value.messages == {
        "age_min": ["The lowest age (9) is above the highest age (3)."]
    }
    assert refused.value.messages["age_min"][0].code == "age.range_reversed"


@pytest.mark.parametrize(
    ("change", "accepted"),
    [
        ({"staff_fte": "1.5"}, True),  # marshmallow's Float takes a numeric string
        ({"staff_fte": float("nan")}, False),
        ({"staff_fte": "inf"}, False),
        ({"version": 3.0}, True),  # a whole float is the integer
        ({"version": True}, False),
        ({"free_of_charge": 1}, True),  # marshmallow: 1 in {True}
        ({"free_of_charge": "true"}, False),
        ({"uri": WIRE["uri"] + "\n"}, False),
        ({"extra": {"deep": [1.0]}}, True),
        ({"locations": [{"name": "Hus", "postal_code": "3015\n"}]}, True),  # Python's $
    ],
)
def test_edges_of_the_contract_are_decided_alike(change, accepted):
    document = copy.deepcopy(WIRE) | change
    expected = by_marshmallow(_received, document)
    assert (expected != REFUSED) is accepted
    assert compiled(received_contract, document) == expected


@examples(200)
@given(mutated(wire_versions()))
def test_mutated_versions_are_decided_alike(document):
    assert compiled(received_contract, document) == by_marshmallow(_received, document)


@examples(50)
@given(wire_versions())
def test_valid_versions_are_loaded_alike(document):
    expected = by_marshmallow(_received, document)
    assert expected != REFUSED
    assert compiled(received_contract, document) == expected


# -- a contract with the kinds of field other work adds: the compiler follows it -------------

TIME = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$")


def _iso_date(value: str) -> None:
    try:
        ok = len(value) == 10 and bool(dt.date.fromisoformat(value))
    except ValueError:
        ok = False
    if not ok:
        raise ValidationError("not a date")


class _Place(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(required=True, validate=validate.Length(min=1, max=20))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))

    @validates_schema
    def _whole_point(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("half a point")


class _Period(Schema):
    class Meta:
        unknown = RAISE

    day = fields.String(required=True, validate=validate.OneOf(["mon", "tue"]))
    opens = fields.String(required=True, validate=TIME)
    closes = fields.String(required=True, validate=TIME)


class _Timetable(Schema):
    class Meta:
        unknown = INCLUDE

    weekly = fields.List(fields.Nested(_Period), load_default=list, validate=validate.Length(max=2))
    valid_from = fields.String(allow_none=True, validate=_iso_date)
    valid_to = fields.String(allow_none=True, validate=_iso_date)
    open_late = fields.Boolean(load_default=False)

    @validates_schema(pass_original=True)
    def _validity(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        start, end = data.get("valid_from"), data.get("valid_to")
        if start is not None and end is not None and end < start:
            raise ValidationError("reversed", "valid_to")


class _Extended(ReceivedOfferVersionSchema):
    places = fields.List(fields.Nested(_Place), load_default=list)
    timetable = fields.Nested(_Timetable, allow_none=True)
    reference = fields.UUID(allow_none=True)  # a kind the compiler leaves to marshmallow
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True))
    rating = fields.Integer(strict=True, validate=validate.OneOf([1, 2, 3]))
    tagline = fields.String(data_key="tag-line", attribute="tagline")

    @validates("name")
    def _not_tbd(self, value: str, data_key: str) -> None:
        if value == "TBD":
            raise ValidationError("a placeholder")


_extended = _Extended()
extended_contract = compile_schema(_extended)

ADDITIONS = st.fixed_dictionaries(
    {},
    optional={
        "places": st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["Hus", "", "x" * 21])},
                optional={
                    "latitude": st.one_of(st.none(), st.floats(-100, 100), ODD_VALUES),
                    "longitude": st.one_of(st.none(), st.floats(-200, 200), ODD_VALUES),
                },
            ),
            max_size=2,
        ),
        "timetable": st.none()
        | st.fixed_dictionaries(
            {},
            optional={
                "weekly": st.lists(
                    st.fixed_dictionaries(
                        {
                            "day": st.sampled_from(["mon", "tue", "sun"]),
                            "opens": st.sampled_from(["08:00", "23:59", "24:00", "8:00"]),
                            "closes": st.sampled_from(["16:00", "16:00\n", ""]),
                        },
                        optional={"note": st.text(max_size=2)},
                    ),
                    max_size=3,
                ),
                "valid_from": st.sampled_from([None, "2025-01-01", "2025-02-30", "20250101"]),
                "valid_to": st.sampled_from([None, "2024-12-31", "2025-06-01"]),
                "open_late": ODD_VALUES,
                "colour": ODD_VALUES,
            },
        ),
        "reference": st.sampled_from(
            [None, "6f1c2d3e-0000-4000-8000-000000000001", "not a uuid", 12]
        ),
        "counts": st.dictionaries(st.text(max_size=3), st.integers(-2, 2) | ODD_VALUES),
        "rating": st.sampled_from([1, 3, 4, 1.0, True, "1"]),
        "tag-line": ODD_VALUES,
        "tagline": ODD_VALUES,
        "name": st.sampled_from(["TBD", "Kurs"]),
    },
)


def test_the_compiler_says_what_it_leaves_to_marshmallow():
    assert extended_contract.opaque == ("reference",)
    properties = extended_contract.json_schema["properties"]
    assert properties["reference"] == {}
    assert properties["timetable"]["properties"]["weekly"]["maxItems"] == 2
    assert properties["places"]["items"]["properties"]["latitude"] == {
        "type": ["number", "string", "null"]
    }
    assert properties["timetable"]["properties"]["weekly"]["items"]["additionalProperties"] is False
    assert properties["rating"] == {"type": "integer"}  # OneOf of integers stays in Python
    assert "tag-line" in properties


@examples(200)
@given(st.one_of(wire_versions(), mutated(wire_versions())), ADDITIONS)
def test_fields_added_to_the_contract_are_followed(document, additions):
    document = document | additions
    assert compiled(extended_contract, document) == by_marshmallow(_extended, document)


class _Processed(Schema):
    name = fields.String()

    @post_load
    def _upper(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {"name": data["name"].upper()}


def test_a_schema_with_load_processors_is_left_to_marshmallow_whole():
    processed = compile_schema(_Processed())
    assert processed.opaque == ("",)
    with pytest.raises(Deferred):
        processed.load({"name": "a"})
