"""shared.hsds: offer versions as HSDS 3.1 objects, checked against the official schemas."""

from __future__ import annotations

import copy
import datetime as dt
import uuid
from typing import Any

import pytest

from shared import hsds, vocab
from shared.hsds.schedules import schedules
from shared.publication.schema import canonical_json, load_offer_version
from tests.hsds_schemas import (
    HSDS_BASE,
    assert_hsds,
    hsds_errors,
)

# One complete version document as it travels (JSON values), every optional part filled in.
WIRE: dict[str, Any] = {
    "schema_version": 1,
    "uri": "https://node.example/offers/6F1C2D3E-0000-4000-8000-000000000001",
    "id": "6F1C2D3E-0000-4000-8000-000000000001",
    "version": 3,
    "status": "published",
    "published_at": "2024-03-01T14:00:00.123456+02:00",
    "provider": {
        "organisation_number": "910000012",
        "name": "Drammen kommune",
        "kind": "municipality",
        "home_area": "3301",
    },
    "agency": {"id": "helse", "name": "Helsestasjon og skolehelsetjeneste"},
    "name": "ICDP foreldreveiledning",
    "description": "Gruppebasert veiledning for foreldre med barn 0–5 år.",
    "contact": {
        "name": "Helsestasjonen",
        "email": "helsestasjon@drammen.example",
        "phone": "+47 32 04 00 00",
        "url": "https://www.drammen.example/icdp",
    },
    "responsible_role": "Leder for helsestasjonen",
    "locations": [
        {
            "name": "Familiens hus",
            "street_address": "Engene 1",
            "postal_code": "3015",
            "postal_town": "Drammen",
            "municipality": "3301",
        },
        {
            "name": "Biblioteket",
            "street_address": None,
            "postal_code": None,
            "postal_town": None,
            "municipality": None,
        },
    ],
    "schedule": "Tirsdager 18–20",
    "access": "self_referral",
    "free_of_charge": True,
    "cost_description": None,
    "languages": ["nob", "ara"],
    "level": 2,
    "category": "parent_support",
    "age_min": 0,
    "age_max": 5,
    "audiences": ["parents", "families"],
    "risk_groups": ["parent_mental_illness", "parent_substance_abuse"],
    "diagnosis_groups": ["attachment"],
    "statutory_duties": [],
    "staff_fte": 1.5,
    "budget_nok": 400000,
    "user_participation": True,
    "evaluated": False,
    "evaluation_description": None,
    "good_practice": True,
    "evidence_based": True,
    "measure_status": "project",
    "guides": [],
    "coverage": ["3301", "33", "bufetat-sor"],
    "review_interval_months": 12,
    "last_reviewed": "2024-02-15",
}


def wire(**changes: Any) -> dict[str, Any]:
    """WIRE with ``changes``, checked against the publication contract so tests stay real."""
    document = {**copy.deepcopy(WIRE), **changes}
    load_offer_version(canonical_json(document))
    return document


def test_ids_are_name_based_uuids_anyone_can_recompute() -> None:
    assert hsds.NAMESPACE == uuid.uuid5(uuid.NAMESPACE_URL, "https://nettungen.no/ns/hsds")
    expected = uuid.uuid5(hsds.NAMESPACE, '["organization","910000012"]')
    assert hsds.organization_id("910000012") == str(expected)
    assert hsds.organization_id("910000012") != hsds.organization_id("910000020")
    level = hsds.taxonomy_term_id(vocab.PYRAMID_LEVELS, "1")
    assert level == str(uuid.uuid5(hsds.NAMESPACE, '["taxonomy_term","pyramid-level","1"]'))
    # Keys cannot run into each other: ("a:b", "c") and ("a", "b:c") differ.
    assert hsds.stable_id("location", "a:b", "c") != hsds.stable_id("location", "a", "b:c")


def test_the_service_id_is_bound_to_the_offer_uri_not_to_the_id_a_node_chose() -> None:
    derived = hsds.service_id(WIRE["uri"])
    assert uuid.UUID(derived).version == 5
    assert derived == hsds.stable_id("service", WIRE["uri"])
    assert derived != WIRE["id"].lower()
    # Another node using the same offer id gets another service id.
    elsewhere = WIRE["uri"].replace("https://", "https://other.")
    assert hsds.service_id(elsewhere) != derived


def test_a_full_service_is_valid_hsds() -> None:
    service = hsds.service(wire())
    assert_hsds(service, "compiled/service.json")
    assert_hsds(service, "service.json")  # the unbundled schema, through its $refs


def test_a_bare_service_is_valid_hsds() -> None:
    document = wire(
        contact={"name": None, "email": None, "phone": None, "url": None},
        responsible_role=None,
        locations=[],
        schedule=None,
        free_of_charge=False,
        cost_description=None,
        languages=[],
        audiences=[],
        risk_groups=[],
        diagnosis_groups=[],
        last_reviewed=None,
    )
    service = hsds.service(document)
    assert_hsds(service, "compiled/service.json")
    # HSDS 3.1 as the UK profile's consumers expect it: empty optional fields are left out.
    for absent in (
        "url",
        "email",
        "assured_date",
        "contacts",
        "phones",
        "schedules",
        "cost_options",
        "languages",
        "service_at_locations",
    ):
        assert absent not in service
    assert service["fees_description"] == "Tilbudet er ikke gratis."
    assert service["eligibility_description"] == "Alder: 0–5 år."


def test_service_fields() -> None:
    service = hsds.service(wire())
    assert service["id"] == hsds.service_id(WIRE["uri"])
    assert service["status"] == "active"
    assert service["url"] == "https://www.drammen.example/icdp"
    assert service["email"] == "helsestasjon@drammen.example"
    assert (service["minimum_age"], service["maximum_age"]) == (0, 5)
    assert service["eligibility_description"] == "Alder: 0–5 år. Målgruppe: Foreldre, Familier."
    assert service["application_process"] == "Ta kontakt selv"
    assert service["fees_description"] == "Gratis."
    # UTC with millisecond accuracy, as HSDS asks of last_modified.
    assert service["last_modified"] == "2024-03-01T12:00:00.123Z"
    assert service["assured_date"] == "2024-02-15"
    assert service["organization_id"] == service["organization"]["id"]
    assert service["organization"]["organization_identifiers"][0]["identifier"] == "910000012"


def test_contacts_phones_schedules_costs_languages() -> None:
    service = hsds.service(wire())
    sid = service["id"]
    [contact] = service["contacts"]
    assert contact["name"] == "Helsestasjonen"
    assert contact["title"] == "Leder for helsestasjonen"
    assert contact["department"] == "Helsestasjon og skolehelsetjeneste"
    assert contact["phones"] == [
        {"id": contact["phones"][0]["id"], "contact_id": contact["id"], "number": "+47 32 04 00 00"}
    ]
    assert service["phones"] == [
        {"id": service["phones"][0]["id"], "service_id": sid, "number": "+47 32 04 00 00"}
    ]
    [schedule] = service["schedules"]
    assert schedule["description"] == "Tirsdager 18–20" and schedule["service_id"] == sid
    [cost] = service["cost_options"]
    assert (cost["amount"], cost["currency"], cost["option"]) == (0, "NOK", "Gratis")
    assert [(lang["code"], lang["name"]) for lang in service["languages"]] == [
        ("nob", "Norsk (bokmål)"),
        ("ara", "Arabisk"),
    ]


def test_a_paid_offer_describes_its_cost() -> None:
    service = hsds.service(wire(free_of_charge=False, cost_description="400 kroner."))
    assert service["fees_description"] == "400 kroner."
    [cost] = service["cost_options"]
    assert cost["amount_description"] == "400 kroner." and "amount" not in cost


def test_locations_and_addresses() -> None:
    service = hsds.service(wire())
    first, second = service["service_at_locations"]
    assert first["location_id"] == first["location"]["id"]
    [address] = first["location"]["addresses"]
    assert address == {
        "id": address["id"],
        "location_id": first["location_id"],
        "address_1": "Engene 1",
        "city": "Drammen",
        "region": "Drammen",
        "state_province": "Buskerud",
        "postal_code": "3015",
        "country": "NO",
        "address_type": "physical",
    }
    # Without a municipality HSDS's required county is unknown: no address, still a location.
    assert second["location"]["name"] == "Biblioteket" and "addresses" not in second["location"]
    # The same place of the same organisation is one location in every offer.
    other = hsds.service(wire(id=str(uuid.uuid4()), uri="https://node.example/offers/x"))
    assert other["service_at_locations"][0]["location_id"] == first["location_id"]
    assert other["service_at_locations"][0]["id"] != first["id"]


def test_service_areas_name_the_coverage() -> None:
    areas = hsds.service(wire())["service_areas"]
    assert [(a["name"], a["description"]) for a in areas] == [
        ("Drammen", "Kommunenummer 3301"),
        ("Buskerud", "Fylkesnummer 33"),
        ("Bufetat, region sør", "Regionkode bufetat-sor"),
    ]


def test_attributes_link_every_classification() -> None:
    service = hsds.service(wire())
    linked = {(a["link_type"], a["taxonomy_term"]["code"]) for a in service["attributes"]}
    assert linked == {
        ("pyramid-level", "2"),
        ("offer-category", "parent_support"),
        ("audience", "parents"),
        ("audience", "families"),
        ("risk-group", "parent_mental_illness"),
        ("risk-group", "parent_substance_abuse"),
        ("diagnosis-group", "attachment"),
        ("access", "self_referral"),
        ("measure-status", "project"),
    }
    for attribute in service["attributes"]:
        assert attribute["link_id"] == service["id"] and attribute["link_entity"] == "service"
        assert attribute["taxonomy_term_id"] == attribute["taxonomy_term"]["id"]
    ids = [a["id"] for a in service["attributes"]]
    assert len(set(ids)) == len(ids)


def test_every_id_in_a_service_is_distinct() -> None:
    service = hsds.service(wire())
    found: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            # A nested taxonomy term or organization is the same thing wherever it appears.
            if (
                "id" in value
                and "taxonomy_id" not in value
                and "organization_identifiers" not in value
            ):
                found.append(value["id"])
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    collect(service)
    assert len(found) == len(set(found)) > 15


def test_loaded_and_wire_documents_map_alike() -> None:
    document = wire()
    loaded = load_offer_version(canonical_json(document))
    assert hsds.service(loaded) == hsds.service(document)


def test_a_withdrawn_version_is_inactive() -> None:
    assert hsds.service(wire(status="withdrawn"))["status"] == "inactive"
    assert hsds.service_minimal(wire(status="withdrawn"))["status"] == "inactive"


def test_summary_and_minimal_are_valid_list_items() -> None:
    summary = hsds.service_summary(wire())
    assert_hsds(summary, "compiled/service_list.json")
    assert not [k for k, v in summary.items() if isinstance(v, list)]
    assert "organization_identifiers" not in summary["organization"]
    minimal = hsds.service_minimal(wire())
    assert_hsds(minimal, "compiled/service_list.json")
    assert set(minimal) == {"id", "name", "status", "last_modified"}


def test_organization() -> None:
    organization = hsds.organization(WIRE["provider"])
    assert_hsds(organization, "organization.json")
    assert_hsds(organization, "compiled/organization.json")
    assert organization["description"] == "Kommune, Drammen"
    assert organization["organization_identifiers"][0]["identifier_scheme"] == "NO-BRC"
    basic = hsds.organization(WIRE["provider"], nested=False)
    assert_hsds(basic, "compiled/organization_list.json")
    assert "organization_identifiers" not in basic
    nested = hsds.organization_with_services(WIRE["provider"], [wire()], full=False)
    assert_hsds(nested, "compiled/organization.json")
    assert nested["services"][0]["id"] == hsds.service(wire())["id"]
    assert_hsds(
        hsds.organization_with_services(WIRE["provider"], [wire()], full=True),
        "compiled/organization.json",
    )


def test_taxonomies_and_terms_are_valid_with_distinct_ids() -> None:
    taxonomies = [hsds.taxonomy(v) for v in hsds.TAXONOMIES]
    for taxonomy in taxonomies:
        assert_hsds(taxonomy, "taxonomy.json")
    terms = [hsds.taxonomy_term(v, c) for v, c in hsds.all_taxonomy_terms()]
    for term in terms:
        assert_hsds(term, "taxonomy_term.json")
        assert term["language"] == "nb"
        assert term["taxonomy_detail"]["id"] == term["taxonomy_id"]
    ids = [t["id"] for t in taxonomies + terms]
    assert len(ids) == len(set(ids)) == len(hsds.TAXONOMIES) + sum(map(len, hsds.TAXONOMIES))
    pyramid = [t["name"] for t in terms if t["taxonomy_id"] == taxonomies[0]["id"]]
    assert pyramid == ["Tilbud til alle", "Tilbud til de som trenger mer støtte", "Hjelpetilbud"]
    [attachment] = [t for t in terms if t["code"] == "attachment"]
    assert attachment["description"].endswith("(ICD-10 F94.1-F94.2)")


@pytest.mark.parametrize(
    ("change", "schema"),
    [
        (lambda s: s.update(id="not-a-uuid"), "compiled/service.json"),
        (lambda s: s.pop("name"), "compiled/service.json"),
        (lambda s: s.update(email=None), "compiled/service.json"),
        (lambda s: s.update(status="published"), "compiled/service.json"),
        (lambda s: s.update(last_modified="yesterday"), "compiled/service.json"),
        (
            lambda s: s["service_at_locations"][0]["location"]["addresses"][0].pop("country"),
            "service.json",
        ),
        (lambda s: s["attributes"][0]["taxonomy_term"].pop("description"), "service.json"),
    ],
)
def test_the_validation_catches_broken_objects(change: Any, schema: str) -> None:
    """The schema checks above can fail: formats and nested $refs are enforced."""
    service = hsds.service(wire())
    change(service)
    assert hsds_errors(service, {"$ref": HSDS_BASE + schema})


TIMETABLE = {
    "weekly": [
        {"day": "thu", "opens": "18:00", "closes": "20:00"},
        {"day": "tue", "opens": "18:00", "closes": "20:00"},
        {"day": "fri", "opens": "22:00", "closes": "02:00"},
    ],
    "valid_from": "2026-08-17",
    "valid_to": "2026-12-18",
    "dates": [{"date": "2026-09-01", "starts": "17:30", "ends": "19:30"}],
}


NOTES = (
    "Norsk tid (Europe/Oslo), med UTC-forskyvningen som gjelder i perioden; "
    "stenger det før det åpner, er det neste dag."
)
GOES_ON = NOTES + " Gjelder også etter valid_to: hent planen igjen for neste periode."


def _rules(service: dict[str, Any]) -> list[dict[str, Any]]:
    """The schedules without their ids and the fields every weekly rule has alike."""
    skip = ("id", "service_id", "freq", "wkst")
    return [{k: v for k, v in s.items() if k not in skip} for s in service["schedules"]]


def test_a_timetable_is_weekly_rules_and_dated_occurrences_in_valid_hsds() -> None:
    # Read on 1 August 2026: the rules from 17 August to 18 December, cut at the change to
    # winter time on Sunday 25 October 2026 (last Sunday of October).
    service = hsds.service(wire(timetable=TIMETABLE), today=dt.date(2026, 8, 1))
    assert_hsds(service, "compiled/service.json")
    assert_hsds(service, "service.json")
    sid = service["id"]
    assert service["schedules"][0]["description"] == "Tirsdager 18–20"
    evenings_summer = service["schedules"][1]
    assert evenings_summer["service_id"] == sid and evenings_summer["freq"] == "WEEKLY"
    assert evenings_summer["wkst"] == "MO"
    # Days with the same hours are one rule, Monday-first; every time with its UTC offset.
    assert _rules(service)[1:] == [
        {
            "byday": "TU,TH",
            "opens_at": "18:00+02:00",
            "closes_at": "20:00+02:00",
            "timezone": 2,
            "valid_from": "2026-08-17",
            "valid_to": "2026-10-24",
            "notes": NOTES,
        },
        {
            "byday": "TU,TH",
            "opens_at": "18:00+01:00",
            "closes_at": "20:00+01:00",
            "timezone": 1,
            "valid_from": "2026-10-25",
            "valid_to": "2026-12-18",
            "notes": NOTES,
        },
        # Friday 23 October 22:00 summer time to Saturday 02:00, still summer time.
        {
            "byday": "FR",
            "opens_at": "22:00+02:00",
            "closes_at": "02:00+02:00",
            "timezone": 2,
            "valid_from": "2026-08-17",
            "valid_to": "2026-10-24",
            "notes": NOTES,
        },
        {
            "byday": "FR",
            "opens_at": "22:00+01:00",
            "closes_at": "02:00+01:00",
            "timezone": 1,
            "valid_from": "2026-10-25",
            "valid_to": "2026-12-18",
            "notes": NOTES,
        },
        # 1 September 2026 is a Tuesday: a weekly rule that starts and ends that day happens
        # once; summer time.
        {
            "byday": "TU",
            "dtstart": "2026-09-01",
            "until": "2026-09-01",
            "opens_at": "17:30+02:00",
            "closes_at": "19:30+02:00",
            "timezone": 2,
            "notes": NOTES,
        },
    ]
    assert len({s["id"] for s in service["schedules"]}) == 6
    for schedule in service["schedules"]:
        assert_hsds(schedule, "schedule.json")


# Tuesdays and Thursdays 18–20 and Saturday nights 22–04 through 2027: Norway goes to summer
# time on Sunday 28 March 2027 at 02:00 (to 03:00) and back on Sunday 31 October at 03:00 (to
# 02:00). Written out by hand from those two dates.
YEAR_2027 = {
    "weekly": [
        {"day": "thu", "opens": "18:00", "closes": "20:00"},
        {"day": "tue", "opens": "18:00", "closes": "20:00"},
        {"day": "sat", "opens": "22:00", "closes": "04:00"},
    ],
    "valid_from": "2027-01-11",
    "valid_to": "2027-12-17",
    "dates": [
        # in the hour skipped that night: it does not happen, and is left out
        {"date": "2027-03-28", "starts": "02:30", "ends": "03:00"},
        # the night back: 02:30 the first time (summer time) to 03:30 winter time
        {"date": "2027-10-31", "starts": "02:30", "ends": "03:30"},
    ],
}


def test_a_rule_across_both_changes_of_2027_is_cut_where_the_offset_changes() -> None:
    service = hsds.service(wire(timetable=YEAR_2027, schedule=None), today=dt.date(2026, 12, 7))
    assert_hsds(service, "compiled/service.json")
    assert_hsds(service, "service.json")
    for schedule in service["schedules"]:
        assert_hsds(schedule, "schedule.json")
    evening = {"byday": "TU,TH", "notes": NOTES}
    night = {"byday": "SA", "notes": NOTES}
    assert _rules(service) == [
        {
            **evening,
            "opens_at": "18:00+01:00",
            "closes_at": "20:00+01:00",
            "timezone": 1,
            "valid_from": "2027-01-11",
            "valid_to": "2027-03-27",
        },
        {
            **evening,
            "opens_at": "18:00+02:00",
            "closes_at": "20:00+02:00",
            "timezone": 2,
            "valid_from": "2027-03-28",
            "valid_to": "2027-10-30",
        },
        {
            **evening,
            "opens_at": "18:00+01:00",
            "closes_at": "20:00+01:00",
            "timezone": 1,
            "valid_from": "2027-10-31",
            "valid_to": "2027-12-17",
        },
        {
            **night,
            "opens_at": "22:00+01:00",
            "closes_at": "04:00+01:00",
            "timezone": 1,
            "valid_from": "2027-01-11",
            "valid_to": "2027-03-26",
        },
        # Saturday 27 March: opens in winter time, closes on Sunday in summer time.
        {
            **night,
            "opens_at": "22:00+01:00",
            "closes_at": "04:00+02:00",
            "timezone": 1,
            "valid_from": "2027-03-27",
            "valid_to": "2027-03-27",
        },
        {
            **night,
            "opens_at": "22:00+02:00",
            "closes_at": "04:00+02:00",
            "timezone": 2,
            "valid_from": "2027-03-28",
            "valid_to": "2027-10-29",
        },
        # Saturday 30 October: opens in summer time, closes on Sunday in winter time.
        {
            **night,
            "opens_at": "22:00+02:00",
            "closes_at": "04:00+01:00",
            "timezone": 2,
            "valid_from": "2027-10-30",
            "valid_to": "2027-10-30",
        },
        {
            **night,
            "opens_at": "22:00+01:00",
            "closes_at": "04:00+01:00",
            "timezone": 1,
            "valid_from": "2027-10-31",
            "valid_to": "2027-12-17",
        },
        {
            "byday": "SU",
            "dtstart": "2027-10-31",
            "until": "2027-10-31",
            "opens_at": "02:30+02:00",
            "closes_at": "03:30+01:00",
            "timezone": 2,
            "notes": NOTES,
        },
    ]


def test_an_open_ended_rule_is_given_for_a_year_from_today() -> None:
    timetable = {"weekly": [{"day": "mon", "opens": "09:00", "closes": "15:00"}], "dates": []}
    service = hsds.service(wire(timetable=timetable, schedule=None), today=dt.date(2026, 12, 7))
    assert _rules(service) == [
        {
            "byday": "MO",
            "opens_at": "09:00+01:00",
            "closes_at": "15:00+01:00",
            "timezone": 1,
            "valid_from": "2026-12-07",
            "valid_to": "2027-03-27",
            "notes": NOTES,
        },
        {
            "byday": "MO",
            "opens_at": "09:00+02:00",
            "closes_at": "15:00+02:00",
            "timezone": 2,
            "valid_from": "2027-03-28",
            "valid_to": "2027-10-30",
            "notes": NOTES,
        },
        # 365 days from 7 December 2026; it goes on after, and says so.
        {
            "byday": "MO",
            "opens_at": "09:00+01:00",
            "closes_at": "15:00+01:00",
            "timezone": 1,
            "valid_from": "2027-10-31",
            "valid_to": "2027-12-06",
            "notes": GOES_ON,
        },
    ]


def test_a_rule_that_ended_is_given_for_its_last_year() -> None:
    timetable = {
        "weekly": [{"day": "wed", "opens": "12:00", "closes": "13:00"}],
        "valid_from": "2020-01-01",
        "valid_to": "2026-01-31",
    }
    service = hsds.service(wire(timetable=timetable, schedule=None), today=dt.date(2026, 12, 7))
    assert [(r["valid_from"], r["valid_to"], r["opens_at"]) for r in _rules(service)] == [
        ("2025-02-01", "2025-03-29", "12:00+01:00"),
        ("2025-03-30", "2025-10-25", "12:00+02:00"),
        ("2025-10-26", "2026-01-31", "12:00+01:00"),
    ]


def test_of_one_place_given_twice_the_location_is_the_one_with_a_point() -> None:
    bare = {
        "name": "Familiens hus",
        "street_address": "Engene 1",
        "postal_code": "3015",
        "postal_town": "Drammen",
        "municipality": "3301",
    }
    pointed = {**bare, "latitude": 59.74366, "longitude": 10.20183}
    [(_, place)] = hsds.places(wire(locations=[bare, pointed]))
    assert (place["latitude"], place["longitude"]) == (59.74366, 10.20183)
    [link] = hsds.service(wire(locations=[bare, pointed]))["service_at_locations"]
    assert (link["location"]["latitude"], link["location"]["longitude"]) == (59.74366, 10.20183)


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [("9999-01-01", None), ("9999-12-31", "9999-12-31"), (None, "0001-01-02")],
)
def test_a_timetable_at_the_ends_of_the_calendar_gives_no_weekly_rule(valid_from, valid_to):
    """Stored before the contract refused such days: no rule, and no failure."""
    timetable = {
        "weekly": [{"day": "mon", "opens": "09:00", "closes": "15:00"}],
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    assert schedules({"timetable": timetable}, "sid", dt.date(2026, 12, 7)) == []


def test_the_ids_of_the_pieces_stay_as_the_horizon_moves_day_by_day() -> None:
    timetable = {"weekly": [{"day": "mon", "opens": "09:00", "closes": "15:00"}], "dates": []}
    document = wire(timetable=timetable, schedule=None)
    monday = hsds.service(document, today=dt.date(2026, 12, 7))["schedules"]
    tuesday = hsds.service(document, today=dt.date(2026, 12, 8))["schedules"]
    assert [s["valid_from"] for s in tuesday] == ["2026-12-08", "2027-03-28", "2027-10-31"]
    assert [s["id"] for s in monday] == [s["id"] for s in tuesday]
    assert len({s["id"] for s in monday}) == 3


def test_a_rule_ending_before_the_next_change_keeps_its_id_day_by_day() -> None:
    """One piece only (valid to 20 March 2026, before the spring change): its id must not be
    made of today's date."""
    timetable = {
        "weekly": [{"day": "tue", "opens": "18:00", "closes": "20:00"}],
        "valid_from": "2026-01-05",
        "valid_to": "2026-03-20",
    }
    document = wire(timetable=timetable, schedule=None)
    days = [dt.date(2026, 2, 1), dt.date(2026, 2, 2), dt.date(2026, 3, 1)]
    ids = [[s["id"] for s in _weekly_of(hsds.service(document, today=d))] for d in days]
    assert ids[0] == ids[1] == ids[2]
    assert len(ids[0]) == 1


def test_a_piece_keeps_its_id_on_the_days_it_becomes_the_first() -> None:
    """The summer piece of 2027 starts on Sunday 28 March: before, on and after that day
    (when today cuts it) it is the same schedule."""
    timetable = {"weekly": [{"day": "mon", "opens": "09:00", "closes": "15:00"}], "dates": []}
    document = wire(timetable=timetable, schedule=None)

    def summer(today: dt.date) -> str:
        [piece] = [
            s
            for s in _weekly_of(hsds.service(document, today=today))
            if s["opens_at"] == "09:00+02:00" and s["valid_to"] == "2027-10-30"
        ]
        return piece["id"]

    before = summer(dt.date(2027, 3, 20))
    assert summer(dt.date(2027, 3, 28)) == before
    assert summer(dt.date(2027, 3, 29)) == before
    assert summer(dt.date(2027, 6, 1)) == before


def _weekly_of(service: dict) -> list[dict]:
    return [s for s in service["schedules"] if "byday" in s and "dtstart" not in s]
