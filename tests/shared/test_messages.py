"""Messages by stable code: every code is in the catalogue and translated, and what the code
base raises or validates with is a code of the catalogue, never free English text."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from marshmallow import Schema, ValidationError, fields, validate

import services
import shared
from shared.errors import Conflict, TooManyRequests
from shared.message_catalogue import MESSAGES
from shared.messages import (
    TRANSLATED_LANGUAGES,
    Message,
    UnknownMessageCode,
    translate,
    translations,
)

ROOTS = (Path(shared.__file__).parent, Path(services.__file__).parent)
# Calls whose first argument is a message code.
CODED = {
    "DomainError",
    "InvalidInput",
    "AuthenticationRequired",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "ServiceUnavailable",
    "TooManyRequests",
    "Gone",
    "Message",
    "InvalidOrganisationNumber",
}
# The modules that make messages from the codes they compute.
MACHINERY = {"messages.py", "validation.py"}
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _imported_elsewhere(tree: ast.Module) -> set[str]:
    """Names a module imports from outside our code (werkzeug has a ServiceUnavailable too)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and not (node.module or "").startswith("shared")
        for alias in node.names
    }


def _coded_calls() -> list[tuple[str, ast.Call]]:
    found = []
    for root in ROOTS:
        for path in root.rglob("*.py"):
            if path.name in MACHINERY and path.parent == ROOTS[0]:
                continue
            tree = ast.parse(path.read_text(), str(path))
            foreign = _imported_elsewhere(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                # A constructor handing on the code its caller gave is checked at the caller.
                passed_on = isinstance(node.args[0], ast.Name) and node.args[0].id == "code"
                if name in CODED and name not in foreign and not passed_on:
                    found.append((f"{path}:{node.lineno}", node))
    return found


def test_every_code_raised_in_the_code_base_is_a_literal_code_of_the_catalogue():
    calls = _coded_calls()
    assert len(calls) > 150  # the walk found the raise sites
    problems = []
    for where, call in calls:
        first = call.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            problems.append(f"{where}: not a literal code")
        elif first.value not in MESSAGES:
            problems.append(f"{where}: unknown code {first.value!r}")
    assert not problems, problems


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_every_code_has_a_translation_and_nothing_else(lang):
    translated = translations(lang)
    assert sorted(set(MESSAGES) - set(translated)) == []
    assert sorted(set(translated) - set(MESSAGES)) == []


@pytest.mark.parametrize("lang", TRANSLATED_LANGUAGES)
def test_translations_use_only_the_parameters_their_code_gives(lang):
    for code, text in translations(lang).items():
        given = set(PLACEHOLDER.findall(MESSAGES[code]))
        assert set(PLACEHOLDER.findall(text)) <= given, code


def test_codes_are_dotted_names():
    for code in MESSAGES:
        assert re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)*", code), code


def test_an_unknown_code_fails_at_once():
    with pytest.raises(UnknownMessageCode):
        Message("offer.no_such_thing")
    with pytest.raises(UnknownMessageCode):
        Conflict("offer.no_such_thing")


def test_an_error_carries_its_code_its_parameters_and_the_english_text():
    error = Conflict("offer.wrong_status", action="submit", status="published")
    assert (error.code, error.params) == (
        "offer.wrong_status",
        {"action": "submit", "status": "published"},
    )
    assert error.message == str(error) == "Cannot submit an offer that is published."
    throttled = TooManyRequests("login.throttled", retry_after=60)
    assert (throttled.code, throttled.retry_after) == ("login.throttled", 60)


def test_a_message_translates_by_its_code_not_by_its_text():
    message = Message("age.range_reversed", low=12, high=5)
    assert message == "The lowest age (12) is above the highest age (5)."
    assert translate(message, "nb") == "Laveste alder (12) er over høyeste alder (5)."
    assert translate(message, "nn") == "Lågaste alder (12) er over høgaste alder (5)."
    # The same words without a code are shown as they are: nothing reads English text.
    assert translate(str(message), "nb") == str(message)


def test_a_message_given_as_a_parameter_is_translated_too():
    reason = Message("orgnr.bad_check_digit")
    message = Message("orgnr.invalid_in_list", number="910000013", reason=reason)
    assert message == "910000013: The check digit does not match (modulus 11)."
    assert translate(message, "nb") == "910000013: Kontrollsifferet stemmer ikke (modulus 11)."


class _Sample(Schema):
    class Meta:
        unknown = "raise"

    name = fields.String(required=True, validate=validate.Length(1, 200))
    age = fields.Integer(validate=validate.Range(0, 120))
    email = fields.Email()
    kind = fields.String(validate=validate.OneOf(["a", "b"]))


def test_marshmallow_messages_keep_their_english_and_gain_codes():
    with pytest.raises(ValidationError) as caught:
        _Sample().load({"age": 130, "email": "nei", "kind": "c", "extra": 1})
    messages = caught.value.messages
    expected = {
        "name": ("field.required", "Missing data for required field."),
        "age": (
            "validate.range.all",
            "Must be greater than or equal to 0 and less than or equal to 120.",
        ),
        "email": ("field.email.invalid", "Not a valid email address."),
        "kind": ("validate.oneof", "Must be one of: a, b."),
        "extra": ("schema.unknown", "Unknown field."),
    }
    found = {key: (value[0].code, str(value[0])) for key, value in messages.items()}
    assert found == expected
    assert translate(messages["name"][0], "nb") == "Fyll ut dette feltet."
    with pytest.raises(ValidationError) as caught:
        _Sample().load({"name": ""})
    assert translate(caught.value.messages["name"][0], "en") == (
        "Use between 1 and 200 characters."
    )


def test_a_message_survives_copying_as_marshmallow_copies_its_fields():
    import copy
    import pickle

    message = Message("validate.length.all", min=1, max=5)
    assert copy.deepcopy(message) is message
    again = pickle.loads(pickle.dumps(message))  # noqa: S301 - our own object, just made
    assert (again, again.code, again.params) == (message, message.code, message.params)
