"""The LDES: paging, relations, members and deletes, caching headers, 304s, formats."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF

from services.publisher.linked.namespaces import AS, LDES, TREE
from shared.publication.events import check_event
from shared.signing import VerificationKey
from tests.publisher.conftest import make_publisher
from tests.publisher.node import BASE_URL
from tests.publisher.rdf import parse_jsonld

PAGE_SIZE = 4  # the standard node's 9 log rows: pages 1 and 2 complete, page 3 filling


@pytest.fixture(scope="module")
def ldes(standard_node, tmp_path_factory):
    app = make_publisher(standard_node[0], tmp_path_factory.mktemp("ldes"), LDES_PAGE_SIZE=4)
    yield app.test_client()
    app.extensions["nettungen.db"].engine.dispose()


def turtle(response) -> Graph:
    assert response.status_code == 200, response.get_data(as_text=True)
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


def test_root_declares_the_stream_and_links_page_one(ldes):
    graph = turtle(ldes.get("/ldes", headers={"Accept": "text/turtle"}))
    stream = URIRef(f"{BASE_URL}/ldes#stream")
    root = URIRef(f"{BASE_URL}/ldes")
    assert (stream, RDF.type, LDES.EventStream) in graph
    assert (stream, LDES.timestampPath, PROV.generatedAtTime) in graph
    assert (stream, LDES.versionOfPath, DCTERMS.isVersionOf) in graph
    assert (stream, LDES.versionDeleteObject, AS.Delete) in graph
    assert (stream, TREE.view, root) in graph
    [relation] = graph.objects(root, TREE.relation)
    assert graph.value(relation, TREE.node) == URIRef(f"{BASE_URL}/ldes/pages/1")


def test_pages_hold_every_version_once_in_log_order(ldes):
    members, deletes = [], []
    page, pages_seen = 1, 0
    while True:
        response = ldes.get(f"/ldes/pages/{page}", headers={"Accept": "text/turtle"})
        graph = turtle(response)
        pages_seen += 1
        stream = URIRef(f"{BASE_URL}/ldes#stream")
        here = sorted(
            graph.objects(stream, TREE.member),
            key=lambda m: graph.value(m, PROV.generatedAtTime).toPython(),
        )
        members.extend(here)
        deletes.extend(m for m in here if (m, RDF.type, AS.Delete) in graph)
        relations = list(graph.objects(URIRef(f"{BASE_URL}/ldes/pages/{page}"), TREE.relation))
        if not relations:
            break
        [relation] = relations
        assert (relation, RDF.type, TREE.GreaterThanOrEqualToRelation) in graph
        # Every later member is at or after the relation's value.
        assert graph.value(relation, TREE.value).toPython() == max(
            graph.value(m, PROV.generatedAtTime).toPython() for m in here
        )
        page += 1
    assert pages_seen == 3
    assert len(members) == len(set(members)) == 9
    assert len(deletes) == 1 and str(deletes[0]).endswith("/versions/2")


def test_complete_pages_naming_a_contact_are_kept_an_hour_and_the_newest_is_short_lived(ldes):
    # Every offer of the standard node has a contact's name, e-mail and phone, which a
    # redaction may remove: its complete pages are not immutable (tests/publisher/
    # test_redaction.py has the immutable pages of a node without them).
    full = ldes.get("/ldes/pages/1")
    newest = ldes.get("/ldes/pages/3")
    assert full.headers["Cache-Control"] == "public, max-age=3600"
    assert newest.headers["Cache-Control"] == "public, max-age=5"
    assert "immutable" not in ldes.get("/ldes").headers["Cache-Control"]
    for response in (full, newest):
        assert response.headers["Vary"] == "Accept"
        assert response.headers["ETag"]
    assert full.headers["Link"] == f'<{BASE_URL}/ldes/pages/2>; rel="next"'
    assert ldes.get("/ldes/pages/4").status_code == 404
    assert ldes.get("/ldes/pages/0").status_code == 404


def test_if_none_match_answers_304_per_representation(ldes):
    first = ldes.get("/ldes/pages/1", headers={"Accept": "text/turtle"})
    etag = first.headers["ETag"]
    again = ldes.get("/ldes/pages/1", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    other = ldes.get(
        "/ldes/pages/1", headers={"Accept": "application/n-triples", "If-None-Match": etag}
    )
    assert other.status_code == 200
    assert other.headers["ETag"] != etag
    newest = ldes.get("/ldes/pages/3")
    assert (
        ldes.get("/ldes/pages/3", headers={"If-None-Match": newest.headers["ETag"]}).status_code
        == 304
    )


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", None),
    ],
)
def test_rdf_formats_carry_the_same_graph(ldes, accept, media, rdflib_format):
    reference = turtle(ldes.get("/ldes/pages/1", headers={"Accept": "text/turtle"}))
    response = ldes.get("/ldes/pages/1", headers={"Accept": accept})
    assert response.mimetype == media
    if rdflib_format is None:
        graph = parse_jsonld(response.get_json())
    else:
        graph = Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)
    # The same triples, blank nodes aside: compared as graphs, not by counting them.
    assert len(reference) > 0
    assert isomorphic(graph, reference)


def test_json_pages_are_signed_cloudevents_that_verify(ldes):
    keys = {
        k["kid"]: VerificationKey.from_jwk(k)
        for k in ldes.get("/.well-known/jwks.json").get_json()["keys"]
    }
    root = ldes.get("/ldes", headers={"Accept": "application/json"}).get_json()
    assert root["last_sequence"] == 9 and root["page_count"] == 3
    url = root["first"]
    sequences = []
    while url:
        page = ldes.get(
            url.removeprefix(BASE_URL), headers={"Accept": "application/json"}
        ).get_json()
        for event in page["events"]:
            check_event(event, keys, expected_source=BASE_URL)
            sequences.append(int(event["sequence"]))
        url = page["next"]
    assert sequences == list(range(1, 10))


def test_a_tampered_event_from_the_feed_is_rejected(ldes):
    from shared.publication.events import EventRejected

    keys = {
        k["kid"]: VerificationKey.from_jwk(k)
        for k in ldes.get("/.well-known/jwks.json").get_json()["keys"]
    }
    event = ldes.get("/ldes/pages/1?format=json").get_json()["events"][0]
    event["data"]["name"] = "Noe annet"
    with pytest.raises(EventRejected, match="signature"):
        check_event(event, keys, BASE_URL)


def test_unacceptable_format_is_406_in_the_error_format(ldes):
    response = ldes.get("/ldes", headers={"Accept": "application/xml"})
    assert response.status_code == 406
    assert response.get_json()["code"] == 406
    assert ldes.get("/ldes?format=xml").status_code == 406


def test_each_version_dereferences(ldes, offer_ids):
    offer = f"{BASE_URL}/offers/{offer_ids['foreldrekurs']}"
    graph = turtle(ldes.get(f"/offers/{offer_ids['foreldrekurs']}/versions/2"))
    version = URIRef(f"{offer}/versions/2")
    assert (version, DCTERMS.isVersionOf, URIRef(offer)) in graph
    event = ldes.get(f"/offers/{offer_ids['foreldrekurs']}/versions/2?format=json").get_json()
    assert event["data"]["version"] == 2 and event["subject"] == offer
    assert ldes.get(f"/offers/{offer_ids['foreldrekurs']}/versions/3").status_code == 404


def test_retired_area_codes_still_render(ldes, monkeypatch):
    from shared.areas import reference_data

    monkeypatch.delitem(reference_data().areas, "3301")
    ldes.application.extensions.pop("nettungen.ldes_pages", None)
    assert ldes.get("/ldes/pages/1").status_code == 200
    assert ldes.get("/ldes/pages/3?format=jsonld").status_code == 200
