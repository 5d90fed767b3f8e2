"""The national HSDS 3.1 API over the standard federation: services.

Every body is checked against the official HSDS schemas (tests/hsds_client.py), and what the
national API says about an offer or an organization is checked against what the node that
publishes it says through its own HSDS API: the same ids, the same objects, the same matches.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from openapi_spec_validator import validate
from sqlalchemy import event

from services.search.hsds import services as national_source
from shared import hsds, vocab
from tests.federation import KONGSBERG
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
from tests.search.hsds_nodes import (
    assert_taxonomy_filters_agree,
    classifications,
    ids,
    node_clients,
    node_services,
)

# The standard federation's published offers, in the order HSDS lists them (by name, in
# Norwegian order); the withdrawn "Kurs som ble lagt ned" is not among them.
NAMES = [
    "Barnevernets akuttberedskap",
    "Besøkshjem for barn",
    "Familievernkontoret",
    "Foreldrekurs: De utrolige årene",
    "Helsestasjon for ungdom",
    "Leksehjelp for alle",
    "PP-tjenesten i Kongsberg",
    "Skolehelsetjenesten i Vestland",
    "Sorggruppe for barn",
    "Ungdomslos",
]


# --- the root and the documentation -------------------------------------------------------------


def test_root_names_the_search_services_openapi_document(api: Any) -> None:
    body = api.get("/hsds/").get_json()
    assert_hsds_root(body)
    assert body["version"] == "3.1"
    assert body["openapi_url"] == "https://sok.test/openapi.json"


def test_openapi_documents_every_hsds_route_as_the_nodes_do(api: Any, standard: Any) -> None:
    spec = api.get("/openapi.json").get_json()
    validate(spec)
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in standard.app.url_map.iter_rules()
        if rule.rule.startswith("/hsds")
    }
    assert len(routes) == 13 and routes <= set(spec["paths"])
    # The same parameters and answers as every node's HSDS API: one API, two sources.
    node = next(iter(standard.federation.nodes.values())).app.test_client()
    node_spec = node.get("/openapi.json").get_json()
    for path in routes:
        operation, node_operation = spec["paths"][path]["get"], node_spec["paths"][path]["get"]
        assert operation.get("parameters") == node_operation.get("parameters"), path
        assert operation["responses"] == node_operation["responses"], path
        assert "default" in operation["responses"]  # the error payload
    services = spec["paths"]["/hsds/services"]["get"]
    assert {"search", "taxonomy_term_id", "organization_id", "modified_after"} <= {
        p["name"] for p in services["parameters"]
    }
    assert set(services["responses"]["200"]["content"]) == {
        "application/json",
        "application/x-ndjson",
    }
    assert "404" in spec["paths"]["/hsds/services/{service_id}"]["get"]["responses"]


# --- services -----------------------------------------------------------------------------------


def test_services_are_the_offers_the_nodes_publish(api: Any, standard: Any) -> None:
    body = get_page(api, "/hsds/services")
    assert [s["name"] for s in body["contents"]] == NAMES
    assert body["total_items"] == 10 and body["total_pages"] == 1
    published = {v for k, v in standard.ids.items() if k != "nedlagt"}
    # The national list items are the nodes' own, id for id and field for field.
    assert {s["id"]: s for s in body["contents"]} == node_services(node_clients(standard))
    assert {s["id"] for s in body["contents"]} == published
    for service in body["contents"]:
        assert not [k for k, v in service.items() if isinstance(v, list)]


def test_full_and_minimal_services_are_the_nodes_own(api: Any, standard: Any) -> None:
    nodes = node_clients(standard)
    full = node_services(nodes, "full=true")
    for service_id, expected in full.items():
        response = api.get(f"/hsds/services/{service_id}")
        assert response.status_code == 200
        assert_hsds(response.get_json(), "compiled/service.json")
        assert response.get_json() == expected
    page = get_page(api, "/hsds/services?full=true&per_page=4&page=2")
    assert [s["name"] for s in page["contents"]] == NAMES[4:8]
    for service in page["contents"]:
        assert_hsds(service, "compiled/service.json")
        assert service == full[service["id"]]
    minimal = get_page(api, "/hsds/services?minimal=true")
    assert minimal["size"] == 10
    assert {s["id"]: s for s in minimal["contents"]} == node_services(nodes, "minimal=true")
    assert all(set(s) == {"id", "name", "status", "last_modified"} for s in minimal["contents"])


@pytest.mark.parametrize(
    ("per_page", "page", "total_pages", "first", "last"),
    [
        (4, 1, 3, True, False),
        (4, 3, 3, False, True),
        (4, 4, 3, False, True),  # past the end: empty
        (10, 1, 1, True, True),
        (3, 4, 4, False, True),
        (1, 10, 10, False, True),
        (100, 10**20, 1, False, True),  # far past the end, and never a database error
    ],
)
def test_pagination(
    api: Any, per_page: int, page: int, total_pages: int, first: bool, last: bool
) -> None:
    body = get_page(api, f"/hsds/services?per_page={per_page}&page={page}")
    shown = NAMES[(page - 1) * per_page : page * per_page]
    assert [s["name"] for s in body.pop("contents")] == shown
    assert body == {
        "total_items": 10,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(shown),
        "first_page": first,
        "last_page": last,
        "empty": not shown,
    }


def test_pages_together_are_the_whole_list(api: Any) -> None:
    pages = [get_page(api, f"/hsds/services?per_page=3&page={n}") for n in (1, 2, 3, 4)]
    assert [s["name"] for p in pages for s in p["contents"]] == NAMES


def test_a_page_reads_only_its_own_documents(api: Any, standard: Any) -> None:
    engine = standard.app.extensions["nettungen.db"].engine
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        get_page(api, "/hsds/services?per_page=2&page=3&search=barn")
        reading = [s for s in statements if "indexed_offers.document" in s]
        assert len(reading) == 1 and "LIMIT" in reading[0].upper()
        statements.clear()
        assert get_page(api, "/hsds/services?page=9")["empty"]
        assert not [s for s in statements if "indexed_offers.document" in s]
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_an_empty_result_is_the_same_empty_page_as_a_nodes(api: Any, standard: Any) -> None:
    body = get_page(api, "/hsds/services?search=finnesikke")
    assert body["empty"] and body["total_items"] == 0 and body["page_number"] == 1
    for node in node_clients(standard):
        assert get_page(node, "/hsds/services?search=finnesikke") == body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=sorgen", ["Sorggruppe for barn"]),  # "sorgen" is "sorg", a prefix of the name
        ("search=foreldrene", ["Familievernkontoret", "Foreldrekurs: De utrolige årene"]),
        ("search=BES%C3%98KSHJEM", ["Besøkshjem for barn"]),
        ("search=besokshjem", ["Besøkshjem for barn"]),  # ø as o, as people type it
        ("search=helsestasjonene%20ungdom", ["Helsestasjon for ungdom"]),
        ("search=sorg%20ungdom", []),  # every word must match
        ("search=%20%20", NAMES),
    ],
)
def test_search_finds_words_in_their_forms(api: Any, query: str, expected: list[str]) -> None:
    assert names(api, query) == expected


def test_search_pages_in_name_order(api: Any) -> None:
    everything = names(api, "search=ungdom")
    assert len(everything) == 6 and everything == sorted(everything, key=NAMES.index)
    body = get_page(api, "/hsds/services?search=ungdom&per_page=4&page=2")
    assert body["total_items"] == 6 and body["total_pages"] == 2
    assert [s["name"] for s in body["contents"]] == everything[4:]


def test_every_taxonomy_filters_as_the_nodes_classify(api: Any, standard: Any) -> None:
    classified = classifications(node_clients(standard))
    found = assert_taxonomy_filters_agree(api, classified)
    # Every taxonomy is in use (diagnosis groups by two offers of the standard federation).
    assert set(found) == {v.id for v in hsds.TAXONOMIES}
    level3 = hsds.taxonomy_term_id(vocab.PYRAMID_LEVELS, "3")
    assert names(api, f"taxonomy_term_id={level3}") == [
        "Barnevernets akuttberedskap",
        "PP-tjenesten i Kongsberg",
    ]
    assert names(api, f"taxonomy_term_id={level3.upper()}") == names(
        api, f"taxonomy_term_id={level3}"
    )
    trauma = hsds.taxonomy_term_id(vocab.RISK_GROUPS, "trauma")
    assert names(api, f"taxonomy_term_id={trauma}") == ["Sorggruppe for barn"]
    unknown = hsds.stable_id("taxonomy_term", "pyramid-level", "9")
    assert names(api, f"taxonomy_term_id={unknown}") == []
    assert names(api, f"taxonomy_id={hsds.stable_id('taxonomy', 'x')}") == []


def test_filter_by_organization_as_the_nodes_do(api: Any, standard: Any) -> None:
    nodes = node_clients(standard)
    for orgnr in (
        o[0] for node in standard.federation.nodes.values() for o in node.organisations.values()
    ):
        query = f"organization_id={hsds.organization_id(orgnr)}"
        assert ids(api, query) == set(node_services(nodes, query)), orgnr
    assert names(api, f"organization_id={hsds.organization_id(KONGSBERG[0])}") == [
        "PP-tjenesten i Kongsberg"
    ]
    drammen = hsds.organization_id(ORGANISATIONS["municipality"][0])
    assert names(api, f"organization_id={drammen}") == [
        "Foreldrekurs: De utrolige årene",
        "Helsestasjon for ungdom",
        "Sorggruppe for barn",
    ]
    assert names(api, f"organization_id={hsds.organization_id('999999999')}") == []


def test_filters_add_up(api: Any) -> None:
    drammen = hsds.organization_id(ORGANISATIONS["municipality"][0])
    level2 = hsds.taxonomy_term_id(vocab.PYRAMID_LEVELS, "2")
    query = f"organization_id={drammen}&taxonomy_term_id={level2}"
    assert names(api, query) == ["Foreldrekurs: De utrolige årene", "Sorggruppe for barn"]
    assert names(api, query + "&search=sorgen") == ["Sorggruppe for barn"]
    assert names(api, query + "&search=helsestasjon") == []


def test_filter_by_modification_time_as_the_nodes_do(api: Any, standard: Any) -> None:
    nodes = node_clients(standard)
    minimal = get_page(api, "/hsds/services?minimal=true")["contents"]
    for moment in sorted(s["last_modified"] for s in minimal):
        query = f"modified_after={moment}"
        assert ids(api, query) == set(node_services(nodes, query)), moment
    newest = max(minimal, key=lambda s: s["last_modified"])
    assert newest["name"] == "Besøkshjem for barn"  # published last
    assert names(api, f"modified_after={newest['last_modified']}") == [newest["name"]]
    # The same moment an hour east of UTC, and a bare time read as UTC.
    utc = dt.datetime.fromisoformat(newest["last_modified"].replace("Z", "+00:00"))
    east = utc.astimezone(dt.timezone(dt.timedelta(hours=1))).isoformat()
    assert names(api, f"modified_after={quote(east)}") == [newest["name"]]
    bare = utc.replace(tzinfo=None).isoformat()
    assert names(api, f"modified_after={bare}") == [newest["name"]]
    assert names(api, "modified_after=2999-01-01T00:00:00") == []


def test_a_withdrawn_offer_is_inactive_to_who_asks_what_changed(api: Any, standard: Any) -> None:
    """As on the node: listed after the published offers with status inactive, without its
    contact details, when a consumer asks what changed since a time."""
    body = get_page(api, "/hsds/services?modified_after=2000-01-01")
    assert [s["name"] for s in body["contents"]] == [*NAMES, "Kurs som ble lagt ned"]
    assert body["total_items"] == 11
    withdrawn = body["contents"][-1]
    assert (withdrawn["id"], withdrawn["status"]) == (standard.ids["nedlagt"], "inactive")
    assert "email" not in withdrawn and "url" not in withdrawn
    assert {s["status"] for s in body["contents"][:-1]} == {"active"}
    paged = get_page(api, "/hsds/services?modified_after=2000-01-01&per_page=4&page=3")
    assert [s["name"] for s in paged["contents"]] == [*NAMES[8:], "Kurs som ble lagt ned"]
    nodes = node_clients(standard)
    assert {s["id"]: s for s in body["contents"]} == node_services(
        nodes, "modified_after=2000-01-01"
    )
    drammen = hsds.organization_id(ORGANISATIONS["municipality"][0])
    mine = names(api, f"modified_after=2000-01-01&organization_id={drammen}")
    assert mine[-1] == "Kurs som ble lagt ned"
    assert "Kurs som ble lagt ned" not in names(
        api, f"modified_after=2000-01-01&organization_id={hsds.organization_id('910000098')}"
    )
    assert names(api, "modified_after=2000-01-01&search=lagt%20ned") == ["Kurs som ble lagt ned"]
    lines = get_ndjson(api, "/hsds/services?format=ndjson&modified_after=2000-01-01", SERVICE_LIST)
    assert lines[-1]["id"] == standard.ids["nedlagt"]
    assert names(api, "") == NAMES  # without the time, only what is published


def test_ndjson_streams_every_match(api: Any, standard: Any) -> None:
    items = get_ndjson(api, "/hsds/services?format=ndjson&per_page=1", SERVICE_LIST)
    assert sorted(s["name"] for s in items) == sorted(NAMES)
    # Streamed in service-id order, as the database reads them, and as the nodes list them.
    assert [s["id"] for s in items] == sorted(s["id"] for s in items)
    assert {s["id"]: s for s in items} == node_services(node_clients(standard))
    full = get_ndjson(api, "/hsds/services?format=ndjson&full=true", "compiled/service.json")
    assert len(full) == 10
    minimal = get_ndjson(api, "/hsds/services?format=ndjson&minimal=true", SERVICE_LIST)
    assert all(set(s) == {"id", "name", "status", "last_modified"} for s in minimal)
    region = hsds.organization_id("910000098")
    filtered = get_ndjson(
        api, f"/hsds/services?format=ndjson&organization_id={region}&search=mekling", SERVICE_LIST
    )
    assert [s["name"] for s in filtered] == ["Familievernkontoret"]
    assert get_ndjson(api, "/hsds/services?format=ndjson&search=finnesikke", SERVICE_LIST) == []


def streamed_chunks(api: Any, path: str) -> Iterator[bytes]:
    response = api.get(path, buffered=False)
    assert response.is_streamed
    try:
        yield from response.response
    finally:
        response.close()


def test_ndjson_is_read_in_batches_on_its_own_session(
    api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(national_source, "STREAM_BATCH", 2)  # several database batches
    # The body is read after the request (and its session) is over.
    chunks = list(streamed_chunks(api, "/hsds/services?format=ndjson"))
    assert len(chunks) == 10 and all(c.count(b"\n") == 1 for c in chunks)
    assert [json.loads(c)["id"] for c in chunks] == sorted(json.loads(c)["id"] for c in chunks)


def test_one_service(api: Any, standard: Any) -> None:
    wanted = standard.ids["sorggruppe"]
    service = api.get(f"/hsds/services/{wanted}").get_json()
    assert_hsds(service, "compiled/service.json")
    assert service["id"] == wanted
    # The current (revised) version is served.
    assert service["description"] == "Samtalegruppe for barn i sorg etter dødsfall."
    assert service["organization"]["id"] == hsds.organization_id(ORGANISATIONS["municipality"][0])
    assert api.get(f"/hsds/services/{wanted.upper()}").get_json() == service


@pytest.mark.parametrize("service_id", ["withdrawn", "7b4c1b4e-9f0e-4c8e-9d43-3b0a4f1d2e10", "x"])
def test_unknown_service_is_404(api: Any, standard: Any, service_id: str) -> None:
    wanted = standard.ids["nedlagt"] if service_id == "withdrawn" else service_id
    body = assert_error(api.get(f"/hsds/services/{wanted}"), 404)
    assert wanted in body["message"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        *BAD_SERVICE_QUERIES,
        ("taxonomy_id=1", "taxonomy_id"),
        ("search=" + "x" * 201, "search"),
        ("modified_after=9999-12-31T23:00:00-05:00", "modified_after"),
        ("modified_after=0001-01-01T00:00:00%2B14:00", "modified_after"),
    ],
)
def test_bad_query_is_400_as_on_the_nodes(api: Any, standard: Any, query: str, field: str) -> None:
    body = assert_error(api.get(f"/hsds/services?{query}"), 400, field)
    for node in node_clients(standard):
        assert node.get(f"/hsds/services?{query}").get_json() == body


@pytest.mark.parametrize(
    "words", ["sorg*", '"sorg"', "(sorg)", "sorg:", "^sorg", "'sorg'", "sorg & !", "+sorg~"]
)
def test_search_text_is_words_never_query_syntax(api: Any, words: str) -> None:
    assert names(api, f"search={quote(words)}") == ["Sorggruppe for barn"]


def test_search_without_words_to_match(api: Any) -> None:
    assert names(api, "search=og%20i") == NAMES  # stop words only: nothing to narrow by
    assert names(api, f"search={quote('ø' * 200)}") == []


def test_the_per_page_limit_is_explained(api: Any) -> None:
    body = assert_error(api.get("/hsds/services?per_page=500"), 400, "per_page")
    assert body["errors"]["query"]["per_page"] == ["At most 100 items per page."]
    assert get_page(api, "/hsds/services?minimal=true&per_page=1000")["size"] == 10
    assert_error(api.get("/hsds/organizations?per_page=101"), 400, "per_page")


@pytest.mark.parametrize("query", ["postcode=3019", "sort=name", "organisation_id=x"])
def test_unknown_query_parameters_are_refused(api: Any, query: str) -> None:
    body = assert_error(api.get(f"/hsds/services?{query}"), 400)
    assert list(body["errors"]["query"]) == [query.split("=")[0]]


# --- locations ----------------------------------------------------------------------------------


def test_locations_and_services_at_locations_are_the_nodes_own(api: Any, standard: Any) -> None:
    nodes = node_clients(standard)
    link_list = "compiled/service_at_location_list.json"
    national = get_ndjson(api, "/hsds/service_at_locations?format=ndjson", link_list)
    from_nodes = [
        link
        for node in nodes
        for link in get_ndjson(node, "/hsds/service_at_locations?format=ndjson", link_list)
    ]
    assert national and {link["id"]: link for link in national} == {
        link["id"]: link for link in from_nodes
    }
    published = {v for k, v in standard.ids.items() if k != "nedlagt"}
    assert {link["service_id"] for link in national} <= published
    page = get_page(api, "/hsds/service_at_locations?per_page=2", link_list)
    assert page["total_items"] == len(national)
    locations = get_page(api, "/hsds/locations?per_page=100", "location.json")["contents"]
    node_locations = {
        location["id"]: location
        for node in nodes
        for location in get_ndjson(node, "/hsds/locations?format=ndjson", "location.json")
    }
    assert {location["id"]: location for location in locations} == node_locations
    assert {location["id"] for location in locations} == {link["location_id"] for link in national}
    one = api.get(f"/hsds/service_at_locations/{national[0]['id']}")
    assert_hsds(one.get_json(), "compiled/service_at_location.json")
    assert one.get_json()["service"]["id"] == national[0]["service_id"]
