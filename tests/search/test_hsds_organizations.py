"""The national HSDS API's organizations and taxonomies, over the standard federation and over
a node built for the test (Norwegian order, every taxonomy, a renamed provider)."""

from __future__ import annotations

from typing import Any

import pytest

from services.registry.organisations.services import update_organisation
from shared import hsds, vocab
from shared.hsds_api import api as hsds_views
from tests.federation import OSLO
from tests.hsds_client import assert_error, get_ndjson, get_page, names
from tests.hsds_schemas import assert_hsds
from tests.publisher.node import OPERATOR
from tests.search.hsds_nodes import (
    ORGANIZATION,
    ORGANIZATION_LIST,
    assert_taxonomy_filters_agree,
    classifications,
    node_clients,
    node_organizations,
)

ORGANIZATION_NAMES = [
    "Barne-, ungdoms- og familieetaten",
    "Bufetat, region sør",
    "Buskerud fylkeskommune",
    "Drammen kommune",
    "Foreningen for barn og unge",
    "Kongsberg kommune",
    "Røde Kors Buskerud",
    "Vestland fylkeskommune",
]


# --- organizations ------------------------------------------------------------------------------


def test_organizations_are_the_providers_the_nodes_list(api: Any, standard: Any) -> None:
    body = get_page(api, "/hsds/organizations", ORGANIZATION_LIST)
    assert [o["name"] for o in body["contents"]] == ORGANIZATION_NAMES
    nodes = node_clients(standard)
    assert {o["id"]: o for o in body["contents"]} == node_organizations(nodes)
    full = get_page(api, "/hsds/organizations?full=true&full_service=true", ORGANIZATION)
    assert {o["id"]: o for o in full["contents"]} == node_organizations(
        nodes, "full=true&full_service=true"
    )
    found = get_page(api, "/hsds/organizations?search=KOMMUNE%20bus", ORGANIZATION_LIST)
    assert [o["name"] for o in found["contents"]] == ["Buskerud fylkeskommune"]
    second = get_page(api, "/hsds/organizations?per_page=3&page=3", ORGANIZATION_LIST)
    assert [o["name"] for o in second["contents"]] == ORGANIZATION_NAMES[6:]
    assert second["last_page"] and second["total_pages"] == 3
    beyond = get_page(api, "/hsds/organizations?per_page=3&page=4", ORGANIZATION_LIST)
    assert beyond["empty"] and beyond["total_items"] == 8


def test_organizations_stream_in_batches(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hsds_views, "STREAM_BATCH", 3)
    paged = get_page(api, "/hsds/organizations?full=true", ORGANIZATION)["contents"]
    lines = get_ndjson(api, "/hsds/organizations?format=ndjson&full=true", ORGANIZATION)
    assert lines == paged and len(lines) == 8
    assert all(o["services"] for o in lines)
    listed = get_ndjson(api, "/hsds/organizations?format=ndjson&search=fylke", ORGANIZATION_LIST)
    assert [o["name"] for o in listed] == ["Buskerud fylkeskommune", "Vestland fylkeskommune"]


def test_one_organization_is_the_nodes_own(api: Any, standard: Any) -> None:
    for node in standard.federation.nodes.values():
        client = node.app.test_client()
        for orgnr, *_ in node.organisations.values():
            path = f"/hsds/organizations/{hsds.organization_id(orgnr)}"
            for query in ("", "?full_service=true"):
                national = api.get(path + query)
                assert national.status_code == 200
                assert_hsds(national.get_json(), ORGANIZATION)
                assert national.get_json() == client.get(path + query).get_json()
    drammen = api.get(f"/hsds/organizations/{hsds.organization_id('910000012')}").get_json()
    assert [s["name"] for s in drammen["services"]] == [
        "Foreldrekurs: De utrolige årene",
        "Helsestasjon for ungdom",
        "Sorggruppe for barn",
    ]


@pytest.mark.parametrize("wanted", [hsds.organization_id("999999999"), "drammen"])
def test_unknown_organization_is_404(api: Any, wanted: str) -> None:
    body = assert_error(api.get(f"/hsds/organizations/{wanted}"), 404)
    assert wanted in body["message"]


# --- taxonomies ---------------------------------------------------------------------------------


def test_taxonomies_and_terms(api: Any) -> None:
    body = get_page(api, "/hsds/taxonomies", "taxonomy.json")
    assert [t["id"] for t in body["contents"]] == [hsds.taxonomy_id(v) for v in hsds.TAXONOMIES]
    risk = hsds.taxonomy_id(vocab.RISK_GROUPS)
    assert api.get(f"/hsds/taxonomies/{risk}").get_json()["name"] == "Risikogrupper"
    terms = get_page(
        api, f"/hsds/taxonomy_terms?taxonomy_id={risk}&per_page=100", "taxonomy_term.json"
    )
    assert [t["code"] for t in terms["contents"]] == list(vocab.RISK_GROUPS.codes)
    lines = get_ndjson(api, "/hsds/taxonomy_terms?format=ndjson", "taxonomy_term.json")
    assert len(lines) == sum(len(v) for v in hsds.TAXONOMIES)
    term = api.get(f"/hsds/taxonomy_terms/{hsds.taxonomy_term_id(vocab.ACCESS, 'open')}")
    assert_hsds(term.get_json(), "taxonomy_term.json")
    assert_error(api.get(f"/hsds/taxonomies/{hsds.stable_id('taxonomy', 'x')}"), 404)
    assert_error(api.get(f"/hsds/taxonomy_terms/{risk}"), 404)


# --- a federation built for the test ------------------------------------------------------------


def test_order_terms_and_provider_names_of_a_new_node(
    federation: Any, index: Any, index_api: Any
) -> None:
    node = federation.node("oslo", {"oslo": OSLO})
    named = ["Åpen barnehage", "Øvelse gjør mester", "Ærlig talt", "Zebra-gruppa", "Éclair"]
    with node.builder() as builder:
        made = {n: builder.publish("oslo", name=n) for n in [*named, "alfa-kurs", "Alfa-kurs"]}
        builder.publish(
            "oslo", name="Tiltak ved ADHD", diagnosis_groups=["adhd"], measure_status="pilot"
        )
    with node.builder() as builder:
        oslo = builder.provider("oslo").organisation
        update_organisation(builder.session, OPERATOR, oslo, {"name": "Oslo kommune, Frogner"})
        builder.publish("oslo", name="Ungdomsklubb")
    index.trust(node)
    reports = index.harvester().harvest_all()
    assert all(r.error is None and r.rejected == 0 for r in reports), reports
    publisher = node.app.test_client()

    # Norwegian order (æ ø å last, é as e, case ignored), equal names by service id.
    alfa = sorted(node.public_id(made[name]) for name in ("alfa-kurs", "Alfa-kurs"))
    listed = get_page(index_api, "/hsds/services")["contents"]
    assert [s["id"] for s in listed[:2]] == alfa
    assert [s["name"] for s in listed[2:]] == [
        "Éclair",
        "Tiltak ved ADHD",
        "Ungdomsklubb",
        *reversed(named[:-1]),
    ]
    assert listed == get_page(publisher, "/hsds/services")["contents"]

    used = assert_taxonomy_filters_agree(index_api, classifications([publisher]))
    assert {vocab.DIAGNOSIS_GROUPS.id, vocab.MEASURE_STATUSES.id} <= used
    for term in (
        hsds.taxonomy_term_id(vocab.DIAGNOSIS_GROUPS, "adhd"),
        hsds.taxonomy_term_id(vocab.MEASURE_STATUSES, "pilot"),
    ):
        assert names(index_api, f"taxonomy_term_id={term}") == ["Tiltak ved ADHD"]

    # The organization is named as its newest version names it, though older ones differ.
    organizations = get_page(index_api, "/hsds/organizations", ORGANIZATION_LIST)["contents"]
    assert [o["name"] for o in organizations] == ["Oslo kommune, Frogner"]
    assert (
        organizations == get_page(publisher, "/hsds/organizations", ORGANIZATION_LIST)["contents"]
    )
    path = f"/hsds/organizations/{hsds.organization_id(OSLO[0])}"
    organization = index_api.get(path).get_json()
    assert organization["name"] == "Oslo kommune, Frogner" and len(organization["services"]) == 9
    assert organization == publisher.get(path).get_json()
