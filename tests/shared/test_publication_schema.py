"""shared.publication.schema: the canonical JSON of an offer version."""

import copy
import datetime as dt
import json

import pytest
from marshmallow import ValidationError

from shared.publication.schema import (
    canonical_json,
    dump_offer_version,
    load_offer_version,
    reachable,
)

# One complete offer version as it travels between nodes (JSON-ready values).
WIRE = {
    "schema_version": 1,
    "uri": "https://registry.drammen.example/tilbud/6f1c2d3e-0000-4000-8000-000000000001",
    "id": "6f1c2d3e-0000-4000-8000-000000000001",
    "version": 1,
    "status": "published",
    "published_at": "2024-03-01T12:00:00+00:00",
    "provider": {
        "organisation_number": "910000012",
        "name": "Drammen kommune",
        "kind": "municipality",
        "home_area": "3301",
    },
    "agency": {"id": "helsestasjon", "name": "Helsestasjon og skolehelsetjeneste"},
    "name": "ICDP foreldreveiledning",
    "description": "Gruppebasert veiledning for foreldre med barn 0–5 år.",
    "contact": {
        "name": "Kari Nordmann",
        "email": "helsestasjon@drammen.example",
        "phone": "+47 32 04 00 00",
        "url": "https://www.drammen.example/icdp",
    },
    "responsible_role": "Helsesykepleier",
    "locations": [
        {
            "name": "Familiens hus",
            "street_address": "Engene 1",
            "postal_code": "3015",
            "postal_town": "Drammen",
            "municipality": "3301",
        }
    ],
    "schedule": "Tirsdager 18–20",
    "access": "self_referral",
    "free_of_charge": True,
    "cost_description": None,
    "languages": ["nob", "eng"],
    "level": 1,
    "category": "parent_support",
    "age_min": 0,
    "age_max": 5,
    "audiences": ["parents"],
    "risk_groups": ["parent_mental_illness"],
    "diagnosis_groups": [],
    "statutory_duties": [
        {
            "code": "hol-3-2",
            "title": {"nb": "Helsestasjonstjeneste"},
            "law": "Helse- og omsorgstjenesteloven",
            "law_id": "LOV-2011-06-24-30",
            "section": "§ 3-2",
            "url": "https://lovdata.no/lov/2011-06-24-30",
        }
    ],
    "staff_fte": 1.5,
    "budget_nok": 250000,
    "user_participation": True,
    "evaluated": False,
    "evaluation_description": None,
    "good_practice": True,
    "evidence_based": True,
    "measure_status": "permanent",
    "guides": [{"title": "Handlingsveileder", "url": "https://www.drammen.example/veileder"}],
    "coverage": ["3301"],
    "review_interval_months": 12,
    "last_reviewed": "2024-02-15",
}


def document():
    """The same version as the registry builds it (Python dates and times)."""
    doc = copy.deepcopy(WIRE)
    doc["published_at"] = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
    doc["last_reviewed"] = dt.date(2024, 2, 15)
    return doc


def test_dump_is_canonical_json():
    text = dump_offer_version(document())
    assert '"age_max":5,"age_min":0' in text
    assert '"published_at":"2024-03-01T12:00:00+00:00"' in text
    assert '"last_reviewed":"2024-02-15"' in text
    assert text.startswith('{"access":"self_referral","age_max":5,')
    parsed = json.loads(text)
    assert parsed == WIRE
    assert json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == text


def test_load_round_trips():
    assert load_offer_version(dump_offer_version(document())) == document()
    assert load_offer_version(dump_offer_version(document()).encode("utf-8")) == document()


def _errors_loading(**changes):
    wire = copy.deepcopy(WIRE)
    for key, value in changes.items():
        if value is ...:
            del wire[key]
        else:
            wire[key] = value
    with pytest.raises(ValidationError) as exc:
        load_offer_version(json.dumps(wire))
    return exc.value.messages


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"age_min": 12, "age_max": 5}, ["age_min"]),
        ({"risk_groups": ["parent_mental_illness", "dragons"]}, ["risk_groups", 1]),
        ({"coverage": ["3301", "Drammen"]}, ["coverage", 1]),  # not an area code at all
        (
            {"provider": {**WIRE["provider"], "organisation_number": "974760672"}},
            ["provider", "organisation_number"],
        ),
        (
            {"provider": {**WIRE["provider"], "organisation_number": "974 760 673"}},
            ["provider", "organisation_number"],
        ),
        ({"provider": {**WIRE["provider"], "kind": "company"}}, ["provider", "kind"]),
        ({"schema_version": 2}, ["schema_version"]),
        ({"level": 4}, ["level"]),
        ({"level": 0}, ["level"]),
        ({"name": ...}, ["name"]),
        ({"name": ""}, ["name"]),
        ({"published_at": "2024-03-01T12:00:00"}, ["published_at"]),  # no time zone
        ({"coverage": []}, ["coverage"]),
        ({"languages": ["nob", "nob"]}, ["languages"]),
    ],
)
def test_invalid_versions_are_rejected_naming_the_field(changes, path):
    errors = _errors_loading(**changes)
    for key in path:
        assert key in errors, (path, errors)
        errors = errors[key]
    assert errors


def test_history_keeps_retired_areas_but_new_versions_cannot_use_them():
    # 0101 Halden ended in 2020: an old version received now still loads, a new one is refused.
    doc = document()
    doc["coverage"] = ["3301", "0101"]
    assert load_offer_version(canonical_json(WIRE | {"coverage": ["3301", "0101"]}))[
        "coverage"
    ] == [
        "3301",
        "0101",
    ]
    with pytest.raises(ValidationError) as exc:
        dump_offer_version(doc)
    assert list(exc.value.messages) == ["coverage"]


def test_dump_refuses_what_consumers_would_reject():
    doc = document()
    doc["age_min"], doc["age_max"] = 12, 5
    with pytest.raises(ValidationError) as exc:
        dump_offer_version(doc)
    assert list(exc.value.messages) == ["age_min"]


@pytest.mark.parametrize("text", ["not json", "{", "", b"\xff\xfe\x00"])
def test_non_json_is_rejected(text):
    with pytest.raises(ValidationError, match="Not JSON"):
        load_offer_version(text)


def test_json_array_is_rejected():
    with pytest.raises(ValidationError, match="JSON object"):
        load_offer_version(json.dumps([WIRE]))


def test_unknown_fields_are_ignored_for_forward_compatibility():
    wire = copy.deepcopy(WIRE)
    wire["sign_language_interpreter"] = True
    wire["provider"]["website"] = "https://www.drammen.example"
    assert load_offer_version(json.dumps(wire)) == document()


def test_canonical_json_keeps_norwegian_letters_as_utf8():
    text = canonical_json({"name": "Små barn i Bærum", "by": "Tromsø"})
    assert text == '{"by":"Tromsø","name":"Små barn i Bærum"}'
    assert "\\u" not in text
    assert canonical_json("æøå").encode("utf-8") == b'"\xc3\xa6\xc3\xb8\xc3\xa5"'


def test_canonical_json_numbers_follow_rfc8785():
    # RFC 8785 serialises numbers as ECMAScript does: 2.0 is written "2", 1.5 is "1.5".
    # A JavaScript verifier re-canonicalising {"staff_fte": 2} would otherwise sign other bytes.
    assert canonical_json({"staff_fte": 1.5}) == '{"staff_fte":1.5}'
    assert canonical_json({"staff_fte": 2.0}) == '{"staff_fte":2}'


TIMETABLE = {
    "weekly": [{"day": "tue", "opens": "18:00", "closes": "20:00"}],
    "valid_from": "2026-08-17",
    "valid_to": "2026-12-18",
    "dates": [{"date": "2026-09-01", "starts": "17:30", "ends": "19:30"}],
}


def test_a_timetable_and_a_reason_travel_with_the_version():
    wire = WIRE | {"timetable": TIMETABLE, "no_contact_reason": None}
    loaded = load_offer_version(json.dumps(wire))
    assert loaded["timetable"] == TIMETABLE
    assert json.loads(dump_offer_version(loaded))["timetable"] == TIMETABLE


def test_a_version_without_the_new_fields_dumps_without_them():
    assert "timetable" not in json.loads(dump_offer_version(document()))


@pytest.mark.parametrize(
    ("timetable", "path"),
    [
        ({"weekly": [{"day": "tuesday", "opens": "18:00", "closes": "20:00"}]}, ["weekly", 0]),
        ({"weekly": [{"day": "tue", "opens": "24:00", "closes": "20:00"}]}, ["weekly", 0]),
        ({"weekly": [{"day": "tue", "opens": "18.00", "closes": "20:00"}]}, ["weekly", 0]),
        ({"dates": [{"date": "2026-02-30", "starts": "18:00", "ends": "20:00"}]}, ["dates", 0]),
        ({"valid_from": "2026-12-01", "valid_to": "2026-11-30"}, ["valid_to"]),
    ],
)
def test_a_bad_timetable_is_refused_naming_the_field(timetable, path):
    with pytest.raises(ValidationError) as exc:
        load_offer_version(json.dumps(WIRE | {"timetable": timetable}))
    errors = exc.value.messages["timetable"]
    for key in path:
        errors = errors[key]
    assert errors


@pytest.mark.parametrize(
    ("timetable", "path"),
    [
        (
            {"dates": [{"date": "9999-12-31", "starts": "22:00", "ends": "02:00"}]},
            ["dates", 0, "date"],
        ),
        (
            {"dates": [{"date": "0001-01-01", "starts": "00:30", "ends": "02:00"}]},
            ["dates", 0, "date"],
        ),
        (
            {"dates": [{"date": "1999-12-31", "starts": "18:00", "ends": "20:00"}]},
            ["dates", 0, "date"],
        ),
        ({"valid_from": "9999-12-31"}, ["valid_from"]),
        ({"valid_to": "2101-01-01"}, ["valid_to"]),
    ],
)
def test_a_timetable_day_outside_2000_to_2100_is_refused_in_words(timetable, path):
    # Days so far out broke the arithmetic of open now (year 10000, year 0) downstream.
    with pytest.raises(ValidationError) as exc:
        load_offer_version(json.dumps(WIRE | {"timetable": timetable}))
    errors = exc.value.messages["timetable"]
    for key in path:
        errors = errors[key]
    assert errors == ["Give a date from 2000-01-01 to 2100-12-31."]
    assert errors[0].code == "timetable.date_out_of_range"


def test_the_first_and_last_allowed_days_are_accepted():
    timetable = {
        "valid_from": "2000-01-01",
        "valid_to": "2100-12-31",
        "dates": [{"date": "2100-12-31", "starts": "22:00", "ends": "02:00"}],
    }
    loaded = load_offer_version(json.dumps(WIRE | {"timetable": timetable}))
    assert loaded["timetable"]["valid_to"] == "2100-12-31"


@pytest.mark.parametrize(
    ("timetable", "field", "expected"),
    [
        ({"weekly": [{"day": "tue", "opens": "18:00", "closes": "20:00"}] * 29}, "weekly", 28),
        (
            {"dates": [{"date": "2026-09-01", "starts": "18:00", "ends": "20:00"}] * 201},
            "dates",
            200,
        ),
    ],
)
def test_too_many_rows_are_counted_in_rows_not_characters(timetable, field, expected):
    with pytest.raises(ValidationError) as exc:
        load_offer_version(json.dumps(WIRE | {"timetable": timetable}))
    [message] = exc.value.messages["timetable"][field]
    assert message == f"Give at most {expected} rows."
    assert message.code == "timetable.too_many_rows"


NO_CONTACT = {"name": None, "email": None, "phone": None, "url": None}


def test_publishing_without_a_way_to_get_in_touch_is_refused():
    doc = document() | {"contact": NO_CONTACT, "locations": []}
    with pytest.raises(ValidationError) as exc:
        dump_offer_version(doc)
    assert exc.value.messages == {
        "contact": [
            "A published offer needs a way to get in touch: "
            "a phone, an e-mail or a web address, a place with opening hours, or a reason why "
            "there is none."
        ]
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"contact": NO_CONTACT | {"phone": "32 04 00 00"}},
        {"contact": NO_CONTACT | {"email": "post@drammen.example"}},
        {"contact": NO_CONTACT | {"url": "https://www.drammen.example/"}},
        {"contact": NO_CONTACT},  # the place with "Tirsdager 18–20"
        {"contact": NO_CONTACT, "schedule": None, "timetable": TIMETABLE},
        {"contact": NO_CONTACT, "locations": [], "no_contact_reason": "referral_only"},
    ],
)
def test_each_way_to_get_in_touch_is_enough(changes):
    assert dump_offer_version(document() | changes)


@pytest.mark.parametrize("reason", ["", "   ", "Kontakt via fastlegen.", "REFERRAL_ONLY"])
def test_a_reason_is_published_only_as_a_code(reason):
    with pytest.raises(ValidationError) as exc:
        dump_offer_version(
            document() | {"contact": NO_CONTACT, "locations": [], "no_contact_reason": reason}
        )
    assert list(exc.value.messages) == ["no_contact_reason"]


@pytest.mark.parametrize("reason", ["", "   ", "\n\t "])
def test_a_blank_reason_received_is_no_way_to_get_in_touch(reason):
    doc = document() | {"contact": NO_CONTACT, "locations": [], "no_contact_reason": reason}
    assert not reachable(doc)


def test_a_version_with_a_reason_in_words_from_before_the_codes_is_still_read():
    text = json.dumps(
        WIRE | {"contact": NO_CONTACT, "locations": [], "no_contact_reason": "Via fastlegen."}
    )
    loaded = load_offer_version(text)
    assert loaded["no_contact_reason"] == "Via fastlegen."
    assert reachable(loaded)
    coded = load_offer_version(json.dumps(WIRE | {"no_contact_reason": "outreach"}))
    assert coded["no_contact_reason"] == "outreach"


def test_a_place_without_hours_is_not_a_way_to_get_in_touch():
    with pytest.raises(ValidationError):
        dump_offer_version(document() | {"contact": NO_CONTACT, "schedule": None})


def test_versions_published_before_contacts_were_required_still_load():
    old = WIRE | {"contact": {}, "locations": [], "schedule": None}
    assert load_offer_version(json.dumps(old))["contact"] == {}


def test_a_withdrawal_needs_no_contact():
    assert dump_offer_version(document() | {"status": "withdrawn", "contact": {}, "locations": []})
