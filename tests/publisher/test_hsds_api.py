"""The node's HSDS 3.1 API over the standard node; every body is checked against the official
HSDS schemas (tests/shared/test_hsds.py loads them once per session)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.publisher.hsds import services as hsds_services
from shared import hsds, vocab
from tests.hsds_client import (
    BAD_SERVICE_QUERIES,
    SERVICE_LIST,
    assert_error,
    get_ndjson,
    get_page,
    names,
)
from tests.hsds_schemas import assert_hsds, assert_hsds_root
from tests.publisher.node import ORGANISATIONS

# The standard node's published offers by name, in the order HSDS lists them (the withdrawn
# "Kurs som ble avsluttet" is not among them).
NAMES = [
    "Familievernkontoret",
    "Foreldrekurs: Trygg oppvekst",
    "Helsestasjon for ungdom",
    "Leksehjelp for alle",
    "Oppfølgingstjenesten",
    "Ungdomslos",
]


def org_id(kind: str) -> str:
    return hsds.organization_id(ORGANISATIONS[kind][0])


def term_id(vocabulary: vocab.Vocabulary, code: str) -> str:
    return hsds.taxonomy_term_id(vocabulary, code)


# --- the root and the documentation -------------------------------------------------------------


def test_root_says_version_profile_and_openapi(publisher: Any) -> None:
    body = publisher.get("/hsds/").get_json()
    assert_hsds_root(body)
    assert body == {
        "version": "3.1",
        "profile": "https://github.com/openreferral/specification/tree/3.1/schema",
        "openapi_url": "https://node.test/openapi.json",
    }
    spec = publisher.get("/openapi.json").get_json()
    for path in (
        "/hsds/",
        "/hsds/services",
        "/hsds/services/{service_id}",
        "/hsds/organizations",
        "/hsds/organizations/{organization_id}",
        "/hsds/taxonomies",
        "/hsds/taxonomies/{taxonomy_id}",
        "/hsds/taxonomy_terms",
        "/hsds/taxonomy_terms/{term_id}",
        "/hsds/locations",
        "/hsds/locations/{location_id}",
        "/hsds/service_at_locations",
        "/hsds/service_at_locations/{link_id}",
    ):
        assert path in spec["paths"], path
    parameters = {p["name"] for p in spec["paths"]["/hsds/services"]["get"]["parameters"]}
    assert {"search", "page", "per_page", "format", "taxonomy_term_id", "taxonomy_id"} <= (
        parameters
    )
    assert {"organization_id", "modified_after", "minimal", "full"} <= parameters
    content = spec["paths"]["/hsds/services"]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "application/x-ndjson"}


@pytest.mark.parametrize("kind", ["services", "organizations", "taxonomies", "taxonomy_terms"])
def test_every_list_links_to_its_first_item(publisher: Any, kind: str) -> None:
    # The links let clients, and the stateful fuzzing, go from a page to an item.
    spec = publisher.get("/openapi.json").get_json()
    [link] = spec["paths"][f"/hsds/{kind}"]["get"]["responses"]["200"]["links"].values()
    pointer = link["operationRef"].removeprefix("#/paths/").removesuffix("/get")
    path = pointer.replace("~1", "/").replace("~0", "~")
    assert spec["paths"][path]["get"]
    [(parameter, expression)] = link["parameters"].items()
    assert expression == "$response.body#/contents/0/id"
    first = publisher.get(f"/hsds/{kind}").get_json()["contents"][0]
    item = publisher.get(path.replace(f"{{{parameter}}}", first["id"]))
    assert item.status_code == 200
    assert item.get_json()["id"] == first["id"]


# --- services -----------------------------------------------------------------------------------


def test_services_are_the_published_offers_by_name(publisher: Any, service_ids: dict) -> None:
    body = get_page(publisher, "/hsds/services")
    assert [s["name"] for s in body["contents"]] == NAMES
    assert body["total_items"] == 6 and body["total_pages"] == 1
    ids = {s["id"] for s in body["contents"]}
    assert service_ids["skolekurs"] not in ids
    assert ids == {v for k, v in service_ids.items() if k != "skolekurs"}
    for service in body["contents"]:
        # List items carry one-to-one fields only.
        assert not [k for k, v in service.items() if isinstance(v, list)]
        assert service["status"] == "active"


@pytest.mark.parametrize(
    ("per_page", "page", "expected"),
    [
        (4, 1, {"size": 4, "total_pages": 2, "first_page": True, "last_page": False}),
        (4, 2, {"size": 2, "total_pages": 2, "first_page": False, "last_page": True}),
        (4, 3, {"size": 0, "total_pages": 2, "first_page": False, "last_page": True}),
        (6, 1, {"size": 6, "total_pages": 1, "first_page": True, "last_page": True}),
        (5, 2, {"size": 1, "total_pages": 2, "first_page": False, "last_page": True}),
        (1, 6, {"size": 1, "total_pages": 6, "first_page": False, "last_page": True}),
    ],
)
def test_pagination(publisher: Any, per_page: int, page: int, expected: dict) -> None:
    body = get_page(publisher, f"/hsds/services?per_page={per_page}&page={page}")
    assert body["total_items"] == 6 and body["page_number"] == page
    assert {k: body[k] for k in expected} == expected
    assert body["empty"] is (expected["size"] == 0)
    start = (page - 1) * per_page
    assert [s["name"] for s in body["contents"]] == NAMES[start : start + per_page]


def test_pages_together_are_the_whole_list(publisher: Any) -> None:
    pages = [get_page(publisher, f"/hsds/services?per_page=4&page={n}") for n in (1, 2)]
    assert [s["name"] for p in pages for s in p["contents"]] == NAMES


def test_an_empty_result_is_one_empty_page(publisher: Any) -> None:
    body = get_page(publisher, "/hsds/services?search=finnesikke")
    assert body == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=foreldrekurs", ["Foreldrekurs: Trygg oppvekst"]),
        ("search=KURS%20trygg", ["Foreldrekurs: Trygg oppvekst"]),
        ("search=kurs%20ungdom", []),  # every word must match
        ("search=OPPF%C3%98LGING", ["Oppfølgingstjenesten"]),  # non-ASCII in any case
        ("search=timeavtale", [n for n in NAMES if n != "Foreldrekurs: Trygg oppvekst"]),
        ("search=%20%20", NAMES),
    ],
)
def test_search(publisher: Any, query: str, expected: list[str]) -> None:
    assert names(publisher, query) == expected


def test_filter_by_taxonomy_term(publisher: Any) -> None:
    level3 = term_id(vocab.PYRAMID_LEVELS, "3")
    assert names(publisher, f"taxonomy_term_id={level3}") == ["Oppfølgingstjenesten"]
    parents = term_id(vocab.AUDIENCES, "parents")
    assert names(publisher, f"taxonomy_term_id={parents}") == [
        "Familievernkontoret",
        "Foreldrekurs: Trygg oppvekst",
    ]
    guidance = term_id(vocab.OFFER_CATEGORIES, "guidance")
    assert names(publisher, f"taxonomy_term_id={guidance}") == [
        "Familievernkontoret",
        "Oppfølgingstjenesten",
        "Ungdomslos",
    ]
    bullying = term_id(vocab.RISK_GROUPS, "bullying")
    assert names(publisher, f"taxonomy_term_id={bullying}") == NAMES
    # An uppercase UUID is the same id.
    assert names(publisher, f"taxonomy_term_id={level3.upper()}") == ["Oppfølgingstjenesten"]


def test_filter_by_taxonomy(publisher: Any) -> None:
    assert names(publisher, f"taxonomy_id={hsds.taxonomy_id(vocab.PYRAMID_LEVELS)}") == NAMES
    assert names(publisher, f"taxonomy_id={hsds.taxonomy_id(vocab.DIAGNOSIS_GROUPS)}") == []


def test_filter_by_organization(publisher: Any) -> None:
    assert names(publisher, f"organization_id={org_id('county')}") == ["Ungdomslos"]
    assert names(publisher, f"organization_id={org_id('municipality')}") == [
        "Foreldrekurs: Trygg oppvekst",
        "Helsestasjon for ungdom",
        "Oppfølgingstjenesten",
    ]
    unknown = hsds.organization_id("999999999")
    assert names(publisher, f"organization_id={unknown}") == []


def test_filters_add_up(publisher: Any) -> None:
    level2 = term_id(vocab.PYRAMID_LEVELS, "2")
    query = f"organization_id={org_id('municipality')}&taxonomy_term_id={level2}"
    assert names(publisher, query) == ["Foreldrekurs: Trygg oppvekst"]
    assert names(publisher, query + "&search=helsestasjon") == []


def test_filter_by_modification_time(publisher: Any, service_ids: dict) -> None:
    minimal = get_page(publisher, "/hsds/services?minimal=true")["contents"]
    newest = max(minimal, key=lambda s: s["last_modified"])
    # The revision was published last; last_modified (milliseconds) is a bound that holds it.
    assert newest["id"] == service_ids["foreldrekurs"]
    # The offer withdrawn after it is listed too (see the next test).
    assert names(publisher, f"modified_after={newest['last_modified']}") == [
        newest["name"],
        "Kurs som ble avsluttet",
    ]
    assert names(publisher, "modified_after=2999-01-01T00:00:00") == []


def test_a_withdrawn_offer_is_inactive_to_who_asks_what_changed(
    publisher: Any, service_ids: dict
) -> None:
    """Withdrawn offers come after the published ones, with status inactive, to a consumer
    that asks what changed since a time; without modified_after they are not listed."""
    body = get_page(publisher, "/hsds/services?modified_after=2000-01-01&per_page=4&page=2")
    assert body["total_items"] == 7 and body["total_pages"] == 2
    assert [s["name"] for s in body["contents"]] == [*NAMES[4:], "Kurs som ble avsluttet"]
    withdrawn = body["contents"][-1]
    assert withdrawn["id"] == service_ids["skolekurs"]
    assert withdrawn["status"] == "inactive"
    assert [s["status"] for s in body["contents"][:-1]] == ["active", "active"]
    # Only active ones without the time, and the withdrawal counts as a modification.
    listed = get_page(publisher, "/hsds/services")["contents"]
    assert service_ids["skolekurs"] not in {s["id"] for s in listed}
    assert names(publisher, f"modified_after={withdrawn['last_modified']}") == [
        "Kurs som ble avsluttet"
    ]
    # The other filters hold for it too, and it is streamed last.
    municipal = f"modified_after=2000-01-01&organization_id={org_id('municipality')}"
    assert names(publisher, municipal)[-1] == "Kurs som ble avsluttet"
    county = f"modified_after=2000-01-01&organization_id={org_id('county')}"
    assert names(publisher, county) == ["Ungdomslos"]
    assert names(publisher, "modified_after=2000-01-01&search=avsluttet") == [
        "Kurs som ble avsluttet"
    ]
    level3 = term_id(vocab.PYRAMID_LEVELS, "3")
    assert names(publisher, f"modified_after=2000-01-01&taxonomy_term_id={level3}") == [
        "Oppfølgingstjenesten"
    ]
    lines = get_ndjson(
        publisher, "/hsds/services?format=ndjson&modified_after=2000-01-01", SERVICE_LIST
    )
    assert (lines[-1]["id"], lines[-1]["status"]) == (service_ids["skolekurs"], "inactive")
    full = get_page(publisher, "/hsds/services?modified_after=2000-01-01&full=true&page=1")
    assert_hsds(full["contents"][-1], "compiled/service.json")


def test_minimal_services(publisher: Any) -> None:
    body = get_page(publisher, "/hsds/services?minimal=true")
    # Minimal lists aim to hold every service in one call.
    assert body["size"] == body["total_items"] == 6
    for service in body["contents"]:
        assert set(service) == {"id", "name", "status", "last_modified"}
    assert get_page(publisher, "/hsds/services?minimal=1&per_page=1000")["size"] == 6


def test_full_services(publisher: Any) -> None:
    body = get_page(publisher, "/hsds/services?full=true&per_page=3")
    assert len(body["contents"]) == 3
    for service in body["contents"]:
        assert_hsds(service, "compiled/service.json")
        assert service["attributes"] and service["service_areas"]


def test_ndjson_streams_every_match(publisher: Any, service_ids: dict) -> None:
    items = get_ndjson(publisher, "/hsds/services?format=ndjson&per_page=1", SERVICE_LIST)
    assert sorted(s["name"] for s in items) == sorted(NAMES)
    assert service_ids["skolekurs"] not in {s["id"] for s in items}
    # Streamed in service-id order, the order the database reads them in.
    assert [s["id"] for s in items] == sorted(s["id"] for s in items)
    full = get_ndjson(publisher, "/hsds/services?format=ndjson&full=true", "compiled/service.json")
    assert len(full) == 6
    minimal = get_ndjson(publisher, "/hsds/services?format=ndjson&minimal=true", SERVICE_LIST)
    assert all(set(s) == {"id", "name", "status", "last_modified"} for s in minimal)
    filtered = get_ndjson(
        publisher, f"/hsds/services?format=ndjson&organization_id={org_id('state')}", SERVICE_LIST
    )
    assert [s["name"] for s in filtered] == ["Familievernkontoret"]
    assert (
        get_ndjson(publisher, "/hsds/services?format=ndjson&search=finnesikke", SERVICE_LIST) == []
    )


def test_ndjson_is_written_line_by_line(publisher: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hsds_services, "STREAM_BATCH", 2)  # several database batches
    response = publisher.get("/hsds/services?format=ndjson", buffered=False)
    assert response.is_streamed
    chunks = iter(response.response)
    first = next(chunks)
    assert first.count(b"\n") == 1 and json.loads(first)["id"]
    rest = list(chunks)
    response.close()
    assert len(rest) == 5


def test_one_service(publisher: Any, service_ids: dict) -> None:
    response = publisher.get(f"/hsds/services/{service_ids['foreldrekurs']}")
    assert response.status_code == 200
    service = response.get_json()
    assert_hsds(service, "compiled/service.json")
    assert service["id"] == service_ids["foreldrekurs"]
    # The current (revised) version is served.
    assert [s["description"] for s in service["schedules"]] == ["Tirsdager 18–20, åtte ganger."]
    assert service["fees_description"] == "400 kroner for hele kurset."
    assert service["organization"]["id"] == org_id("municipality")
    [link] = service["service_at_locations"]
    assert link["location"]["addresses"][0]["country"] == "NO"
    # Upper case is the same UUID.
    assert publisher.get(f"/hsds/services/{service_ids['foreldrekurs'].upper()}").status_code == 200


def test_every_linked_term_resolves(publisher: Any, service_ids: dict) -> None:
    service = publisher.get(f"/hsds/services/{service_ids['helsestasjon']}").get_json()
    for attribute in service["attributes"]:
        response = publisher.get(f"/hsds/taxonomy_terms/{attribute['taxonomy_term_id']}")
        assert response.status_code == 200
        assert response.get_json()["name"] == attribute["taxonomy_term"]["name"]


@pytest.mark.parametrize("service_id", ["withdrawn", "7b4c1b4e-9f0e-4c8e-9d43-3b0a4f1d2e10", "x"])
def test_unknown_service_is_404(publisher: Any, service_ids: dict, service_id: str) -> None:
    wanted = service_ids["skolekurs"] if service_id == "withdrawn" else service_id
    body = assert_error(publisher.get(f"/hsds/services/{wanted}"), 404)
    assert wanted in body["message"]


@pytest.mark.parametrize(("query", "field"), BAD_SERVICE_QUERIES)
def test_bad_query_is_400(publisher: Any, query: str, field: str) -> None:
    assert_error(publisher.get(f"/hsds/services?{query}"), 400, field)


def test_the_per_page_limit_is_explained(publisher: Any) -> None:
    body = assert_error(publisher.get("/hsds/services?per_page=500"), 400, "per_page")
    assert body["errors"]["query"]["per_page"] == ["At most 100 items per page."]


@pytest.mark.parametrize(
    "path",
    [
        "/hsds/services?postcode=3019",
        "/hsds/services?organisation_id=x",
        "/hsds/?x=1",
        "/hsds/organizations?minimal=true",
        "/hsds/taxonomies/x?full=true",
        "/hsds/locations?full=true",
        "/hsds/service_at_locations?minimal=true",
    ],
)
def test_unknown_query_parameters_are_refused(publisher: Any, path: str) -> None:
    """A filter we do not know would otherwise be silently ignored: every service returned
    to a client that believes it filtered them."""
    body = assert_error(publisher.get(path), 400)
    [name] = [k for k in body["errors"]["query"]]
    assert name in path and body["errors"]["query"][name] == ["Unknown field."]


# --- organizations ------------------------------------------------------------------------------


def test_organizations(publisher: Any) -> None:
    body = get_page(publisher, "/hsds/organizations", "compiled/organization_list.json")
    assert [o["name"] for o in body["contents"]] == [
        "Barne-, ungdoms- og familieetaten",
        "Buskerud fylkeskommune",
        "Drammen kommune",
        "Foreningen for barn og unge",
    ]
    assert {o["id"] for o in body["contents"]} == {org_id(k) for k in ORGANISATIONS}
    assert all("services" not in o for o in body["contents"])
    found = get_page(
        publisher, "/hsds/organizations?search=DRAMMEN", "compiled/organization_list.json"
    )
    assert [o["id"] for o in found["contents"]] == [org_id("municipality")]
    second = get_page(
        publisher, "/hsds/organizations?per_page=3&page=2", "compiled/organization_list.json"
    )
    assert second["size"] == 1 and second["last_page"] and second["total_pages"] == 2


def test_full_organizations_hold_their_services(publisher: Any, service_ids: dict) -> None:
    body = get_page(publisher, "/hsds/organizations?full=true", "compiled/organization.json")
    by_id = {o["id"]: o for o in body["contents"]}
    municipal = by_id[org_id("municipality")]
    assert {s["id"] for s in municipal["services"]} == {
        service_ids[k] for k in ("helsestasjon", "foreldrekurs", "oppfolging")
    }
    assert "attributes" not in municipal["services"][0]
    full = get_page(
        publisher, "/hsds/organizations?full=true&full_service=true", "compiled/organization.json"
    )
    for organization in full["contents"]:
        for service in organization["services"]:
            assert_hsds(service, "compiled/service.json")
            assert service["attributes"]
    lines = get_ndjson(
        publisher, "/hsds/organizations?format=ndjson", "compiled/organization_list.json"
    )
    assert len(lines) == 4


def test_one_organization(publisher: Any, service_ids: dict) -> None:
    response = publisher.get(f"/hsds/organizations/{org_id('municipality')}")
    assert response.status_code == 200
    organization = response.get_json()
    assert_hsds(organization, "compiled/organization.json")
    assert organization["name"] == "Drammen kommune"
    assert organization["organization_identifiers"][0]["identifier"] == "910000012"
    assert [s["name"] for s in organization["services"]] == [
        "Foreldrekurs: Trygg oppvekst",
        "Helsestasjon for ungdom",
        "Oppfølgingstjenesten",
    ]
    assert service_ids["skolekurs"] not in {s["id"] for s in organization["services"]}
    full = publisher.get(f"/hsds/organizations/{org_id('county')}?full_service=true").get_json()
    assert_hsds(full, "compiled/organization.json")
    assert full["services"][0]["attributes"]


@pytest.mark.parametrize("wanted", [hsds.organization_id("999999999"), "drammen"])
def test_unknown_organization_is_404(publisher: Any, wanted: str) -> None:
    assert_error(publisher.get(f"/hsds/organizations/{wanted}"), 404)


# --- taxonomies ---------------------------------------------------------------------------------


def test_taxonomies(publisher: Any) -> None:
    body = get_page(publisher, "/hsds/taxonomies", "taxonomy.json")
    assert [t["id"] for t in body["contents"]] == [hsds.taxonomy_id(v) for v in hsds.TAXONOMIES]
    assert [t["name"] for t in body["contents"]][:4] == [
        "Nivå i pyramiden",
        "Kategori",
        "Målgruppe",
        "Risikogrupper",
    ]
    found = get_page(publisher, "/hsds/taxonomies?search=risiko", "taxonomy.json")
    assert [t["name"] for t in found["contents"]] == ["Risikogrupper"]
    paged = get_page(publisher, "/hsds/taxonomies?per_page=2&page=4", "taxonomy.json")
    assert paged["size"] == 1 and paged["total_pages"] == 4 and paged["last_page"]
    assert len(get_ndjson(publisher, "/hsds/taxonomies?format=ndjson", "taxonomy.json")) == 7


def test_one_taxonomy(publisher: Any) -> None:
    wanted = hsds.taxonomy_id(vocab.RISK_GROUPS)
    taxonomy = publisher.get(f"/hsds/taxonomies/{wanted}").get_json()
    assert_hsds(taxonomy, "taxonomy.json")
    assert taxonomy["name"] == "Risikogrupper"
    assert_error(publisher.get(f"/hsds/taxonomies/{hsds.stable_id('taxonomy', 'x')}"), 404)


def test_taxonomy_terms(publisher: Any) -> None:
    total = sum(len(v) for v in hsds.TAXONOMIES)
    body = get_page(publisher, "/hsds/taxonomy_terms?per_page=100", "taxonomy_term.json")
    assert body["total_items"] == len(body["contents"]) == total
    risk = get_page(
        publisher,
        f"/hsds/taxonomy_terms?taxonomy_id={hsds.taxonomy_id(vocab.RISK_GROUPS)}&per_page=100",
        "taxonomy_term.json",
    )
    assert [t["code"] for t in risk["contents"]] == list(vocab.RISK_GROUPS.codes)
    assert len(risk["contents"]) == 14
    found = get_page(publisher, "/hsds/taxonomy_terms?search=mobbing", "taxonomy_term.json")
    assert [t["code"] for t in found["contents"]] == ["bullying"]
    parent = term_id(vocab.PYRAMID_LEVELS, "1")
    children = get_page(publisher, f"/hsds/taxonomy_terms?parent_id={parent}", "taxonomy_term.json")
    assert children["empty"] and children["total_items"] == 0
    top = get_page(publisher, "/hsds/taxonomy_terms?top_only=true", "taxonomy_term.json")
    assert top["total_items"] == total
    lines = get_ndjson(publisher, "/hsds/taxonomy_terms?format=ndjson", "taxonomy_term.json")
    assert len(lines) == total


def test_one_taxonomy_term(publisher: Any) -> None:
    term = publisher.get(f"/hsds/taxonomy_terms/{term_id(vocab.PYRAMID_LEVELS, '3')}").get_json()
    assert_hsds(term, "taxonomy_term.json")
    assert (term["code"], term["name"], term["language"]) == ("3", "Hjelpetilbud", "nb")
    assert term["taxonomy_detail"]["name"] == "Nivå i pyramiden"
    assert_error(publisher.get(f"/hsds/taxonomy_terms/{hsds.taxonomy_id(vocab.RISK_GROUPS)}"), 404)
    assert_error(publisher.get("/hsds/taxonomy_terms?per_page=101"), 400, "per_page")


def test_names_sort_in_norwegian_order() -> None:
    unsorted = [
        "Åpen gruppe",
        "zebra",
        "Ærlig talt",
        "øvelse",
        "Alfa",
        "alfa",
        "Éire",
        "A\u030asen",
    ]
    ordered = sorted(unsorted, key=lambda name: hsds_services.sort_key(name, ""))
    assert ordered == [
        "Alfa",
        "alfa",
        "Éire",
        "zebra",
        "Ærlig talt",
        "øvelse",
        "Åpen gruppe",
        "A\u030asen",
    ]


# --- locations and services at locations --------------------------------------------------------

HELSEHUSET = ("Helsehuset", "Gamle Kirkeplass 7", "3019")


def location_id(kind: str) -> str:
    """Our location id: a name-based UUID of the organisation and the place (shared.hsds)."""
    return hsds.stable_id("location", ORGANISATIONS[kind][0], *HELSEHUSET)


def test_locations_are_each_organisations_places_once(publisher: Any) -> None:
    body = get_page(publisher, "/hsds/locations", "location.json")
    # Every offer is at Helsehuset; the municipality's three offers share one location.
    assert body["total_items"] == 4
    expected = sorted(location_id(kind) for kind in ORGANISATIONS)
    assert [location["id"] for location in body["contents"]] == expected
    municipal = next(c for c in body["contents"] if c["id"] == location_id("municipality"))
    assert municipal["name"] == "Helsehuset" and municipal["organization_id"] == org_id(
        "municipality"
    )
    [address] = municipal["addresses"]
    assert (address["address_1"], address["postal_code"], address["city"]) == (
        "Gamle Kirkeplass 7",
        "3019",
        "Drammen",
    )
    assert address["state_province"] == "Buskerud"
    found = get_page(publisher, "/hsds/locations?search=kirkeplass%20drammen", "location.json")
    assert found["total_items"] == 4
    assert get_page(publisher, "/hsds/locations?search=finnesikke", "location.json")["empty"]
    second = get_page(publisher, "/hsds/locations?per_page=3&page=2", "location.json")
    assert [c["id"] for c in second["contents"]] == expected[3:]
    assert len(get_ndjson(publisher, "/hsds/locations?format=ndjson", "location.json")) == 4


def test_one_location(publisher: Any) -> None:
    response = publisher.get(f"/hsds/locations/{location_id('county').upper()}")
    assert response.status_code == 200
    assert_hsds(response.get_json(), "location.json")
    assert response.get_json()["organization_id"] == org_id("county")
    assert_error(publisher.get(f"/hsds/locations/{hsds.stable_id('location', 'x')}"), 404)
    assert_error(publisher.get("/hsds/locations/helsehuset"), 404)


def test_services_at_locations(publisher: Any, service_ids: dict) -> None:
    item = "compiled/service_at_location_list.json"
    body = get_page(publisher, "/hsds/service_at_locations", item)
    active = {v for k, v in service_ids.items() if k != "skolekurs"}
    assert body["total_items"] == 6
    assert {link["service_id"] for link in body["contents"]} == active
    # In service-id order, the order the source streams them in.
    assert [link["service_id"] for link in body["contents"]] == sorted(active)
    for link in body["contents"]:
        assert link["id"] == hsds.stable_id(
            "service_at_location", link["service_id"], link["location_id"]
        )
        assert "service" not in link
    municipal = get_page(
        publisher, f"/hsds/service_at_locations?organization_id={org_id('municipality')}", item
    )
    assert {link["location_id"] for link in municipal["contents"]} == {location_id("municipality")}
    assert {link["service_id"] for link in municipal["contents"]} == {
        service_ids[k] for k in ("helsestasjon", "foreldrekurs", "oppfolging")
    }
    level3 = term_id(vocab.PYRAMID_LEVELS, "3")
    [link] = get_page(
        publisher, f"/hsds/service_at_locations?taxonomy_term_id={level3}&full=true", item
    )["contents"]
    assert link["service"]["name"] == "Oppfølgingstjenesten"
    paged = get_page(publisher, "/hsds/service_at_locations?per_page=4&page=2", item)
    assert paged["size"] == 2 and paged["last_page"] and paged["total_pages"] == 2
    lines = get_ndjson(publisher, "/hsds/service_at_locations?format=ndjson", item)
    assert [line["id"] for line in lines] == [link["id"] for link in body["contents"]]


def test_one_service_at_a_location(publisher: Any, service_ids: dict) -> None:
    wanted = hsds.stable_id("service_at_location", service_ids["familievern"], location_id("state"))
    response = publisher.get(f"/hsds/service_at_locations/{wanted}")
    assert response.status_code == 200
    link = response.get_json()
    assert_hsds(link, "compiled/service_at_location.json")
    assert link["service"]["name"] == "Familievernkontoret"
    assert link["location"]["id"] == location_id("state")
    assert_error(publisher.get(f"/hsds/service_at_locations/{location_id('state')}"), 404)


def test_organizations_filtered_by_taxonomy(publisher: Any) -> None:
    """HSDS 3.1 added taxonomy_term_id and taxonomy_id to /organizations: those that provide a
    published service so classified."""
    item = "compiled/organization_list.json"
    guidance = term_id(vocab.OFFER_CATEGORIES, "guidance")
    body = get_page(publisher, f"/hsds/organizations?taxonomy_term_id={guidance}", item)
    # Familievernkontoret (state), Oppfølgingstjenesten (municipality), Ungdomslos (county).
    assert [o["name"] for o in body["contents"]] == [
        "Barne-, ungdoms- og familieetaten",
        "Buskerud fylkeskommune",
        "Drammen kommune",
    ]
    parents = term_id(vocab.AUDIENCES, "parents")
    both = f"taxonomy_term_id={parents}&search=drammen"
    assert [
        o["name"] for o in get_page(publisher, f"/hsds/organizations?{both}", item)["contents"]
    ] == ["Drammen kommune"]
    diagnoses = hsds.taxonomy_id(vocab.DIAGNOSIS_GROUPS)
    assert get_page(publisher, f"/hsds/organizations?taxonomy_id={diagnoses}", item)["empty"]
    levels = hsds.taxonomy_id(vocab.PYRAMID_LEVELS)
    assert (
        get_page(publisher, f"/hsds/organizations?taxonomy_id={levels}", item)["total_items"] == 4
    )


def test_an_offer_published_again_is_active_not_withdrawn(node: Any, tmp_path: Any) -> None:
    """Only an offer whose newest version is a withdrawal is listed as withdrawn."""
    from sqlalchemy.orm import sessionmaker

    from tests.publisher.conftest import make_publisher
    from tests.publisher.node import NodeBuilder

    with sessionmaker(node, expire_on_commit=False).begin() as session:
        builder = NodeBuilder(session)
        back = builder.publish(name="Kommer tilbake")
        gone = builder.publish(name="Borte")
        builder.withdraw(back)
        builder.withdraw(gone)
        builder.revise(back, name="Kommer tilbake igjen")
    app = make_publisher(node.url.render_as_string(hide_password=False), tmp_path)
    try:
        client = app.test_client()
        body = get_page(client, "/hsds/services?modified_after=2000-01-01")
        assert [(s["name"], s["status"]) for s in body["contents"]] == [
            ("Kommer tilbake igjen", "active"),
            ("Borte", "inactive"),
        ]
    finally:
        app.extensions["nettungen.db"].engine.dispose()
