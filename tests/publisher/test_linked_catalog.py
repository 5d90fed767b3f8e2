"""``GET /catalog`` (DCAT-AP-NO) and ``GET /catalog/dump``: content, conformance, keys."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS
from sqlalchemy.orm import sessionmaker

from services.publisher.linked.namespaces import CPSV, CPSVNO, CV, SEC
from shared.db import create_engine
from shared.publication.keys import rotate_key
from shared.signing import b64url_decode, multibase_key
from tests.conftest import migrated_database
from tests.publisher.conftest import make_publisher
from tests.publisher.node import BASE_URL, NodeBuilder
from tests.publisher.rdf import check, parse_jsonld

CATALOG = URIRef(f"{BASE_URL}/catalog")
OFFERS = URIRef(f"{BASE_URL}/catalog#offers")
BRREG = "https://data.brreg.no/enhetsregisteret/api/enheter/"


def catalog_graph(client: FlaskClient) -> Graph:
    response = client.get("/catalog", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle" and "Accept" in response.headers["Vary"]
    return Graph().parse(data=response.get_data(as_text=True), format="turtle")


def _publisher_over(
    build: Callable[[Any], None] | None,
    database_factory: Callable[[], str],
    tmp_path_factory: pytest.TempPathFactory,
    **config: Any,
) -> Iterator[FlaskClient]:
    url = database_factory()
    migrated_database(url)
    if build is not None:
        engine = create_engine(url, sqlite_begin="IMMEDIATE")
        with sessionmaker(engine, expire_on_commit=False).begin() as session:
            build(session)
        engine.dispose()
    app: Flask = make_publisher(url, tmp_path_factory.mktemp("publisher"), **config)
    yield app.test_client()
    app.extensions["nettungen.db"].engine.dispose()


def _rotated_node(session: Any) -> None:
    """A voluntary offer signed with a first key, then a municipal one with a second."""
    node = NodeBuilder(session)
    node.publish("voluntary", name="Fritidsklubb", category="voluntary_club")
    rotate_key(session, node.signer)
    node.publish("municipality")


@pytest.fixture(scope="module")
def empty_publisher(database_factory, tmp_path_factory) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    yield from _publisher_over(None, database_factory, tmp_path_factory, NODE_TITLE="Tom node")


@pytest.fixture(scope="module")
def rotated_publisher(database_factory, tmp_path_factory) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    yield from _publisher_over(_rotated_node, database_factory, tmp_path_factory)


@pytest.fixture(scope="module")
def configured_publisher(database_factory, tmp_path_factory) -> Iterator[FlaskClient]:  # type: ignore[no-untyped-def]
    yield from _publisher_over(
        _rotated_node,
        database_factory,
        tmp_path_factory,
        NODE_PUBLISHER_ORGNR="910000012",
        NODE_CONTACT_EMAIL="data@example.org",
    )


def test_catalog_conforms_to_dcat_ap_no(publisher, dcat_shapes):  # noqa: F811
    conforms, report = check(catalog_graph(publisher), dcat_shapes)
    assert conforms, report


def test_the_dcat_shapes_catch_a_broken_catalog(publisher, dcat_shapes):  # noqa: F811
    graph = catalog_graph(publisher)
    graph.remove((CATALOG, DCTERMS.publisher, None))
    conforms, report = check(graph, dcat_shapes)
    assert not conforms and "dct:publisher" in report


def test_catalog_has_the_offers_dataset_with_its_distributions(publisher):
    graph = catalog_graph(publisher)
    assert (CATALOG, DCAT.dataset, OFFERS) in graph
    by_access = {
        graph.value(d, DCAT.accessURL): d for d in graph.objects(OFFERS, DCAT.distribution)
    }
    ldes = by_access[URIRef(f"{BASE_URL}/ldes")]
    assert graph.value(ldes, DCTERMS.conformsTo) == URIRef("https://w3id.org/ldes/specification")
    ldes_service = graph.value(ldes, DCAT.accessService)
    assert (ldes_service, RDF.type, DCAT.DataService) in graph
    assert (CATALOG, DCAT.service, ldes_service) in graph
    hsds = by_access[URIRef(f"{BASE_URL}/hsds/")]
    assert graph.value(hsds, DCTERMS.conformsTo) == URIRef(
        "https://docs.openreferral.org/en/latest/hsds/"
    )
    dumps = {str(url) for url in by_access if "/catalog/dump" in str(url)}
    assert dumps == {f"{BASE_URL}/catalog/dump?format={f}" for f in ("ttl", "jsonld", "nt")}
    iana = "https://www.iana.org/assignments/media-types/"
    for extension, media_type in (
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        table = by_access[URIRef(f"{BASE_URL}/offers.{extension}")]
        assert graph.value(table, DCAT.downloadURL) == URIRef(f"{BASE_URL}/offers.{extension}")
        assert graph.value(table, DCAT.mediaType) == URIRef(iana + media_type)
        assert publisher.get(f"/offers.{extension}").status_code == 200


def test_vocabularies_are_listed_as_concept_schemes(publisher):
    graph = catalog_graph(publisher)
    scheme = URIRef(f"{BASE_URL}/vocabularies/risk-group")
    assert (CATALOG, DCAT.dataset, scheme) in graph
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert (OFFERS, DCTERMS.references, scheme) in graph
    assert len(set(graph.subjects(RDF.type, SKOS.ConceptScheme))) == 13


def test_publisher_defaults_to_the_provider_of_the_first_publication(publisher):
    graph = catalog_graph(publisher)
    organisation = URIRef(BRREG + "910000012")
    assert graph.value(CATALOG, DCTERMS.publisher) == organisation
    assert graph.value(organisation, FOAF.name) == Literal("Drammen kommune", lang="nb")
    assert (organisation, RDF.type, CV.PublicOrganisation) in graph


def test_the_keys_are_multikeys_and_the_jwks_is_linked(publisher):
    graph = catalog_graph(publisher)
    jwks = publisher.get("/.well-known/jwks.json").get_json()["keys"]
    [key] = jwks
    method = URIRef(f"{BASE_URL}/.well-known/jwks.json#{key['kid']}")
    assert (
        CATALOG,
        URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"),
        URIRef(f"{BASE_URL}/.well-known/jwks.json"),
    ) in graph
    assert (method, RDF.type, SEC.Multikey) in graph
    assert graph.value(method, SEC.controller) == CATALOG
    expected = multibase_key(b64url_decode(key["x"]))
    assert graph.value(method, SEC.publicKeyMultibase) == Literal(expected)
    assert expected.startswith("z6Mk")
    assert (CATALOG, SEC.assertionMethod, method) in graph


def test_rotated_keys_stay_listed_with_their_last_sequence(rotated_publisher, dcat_shapes):  # noqa: F811
    graph = catalog_graph(rotated_publisher)
    conforms, report = check(graph, dcat_shapes)
    assert conforms, report
    jwks = {k["kid"]: k for k in rotated_publisher.get("/.well-known/jwks.json").get_json()["keys"]}
    assert len(jwks) == 2
    for kid, key in jwks.items():
        method = URIRef(f"{BASE_URL}/.well-known/jwks.json#{kid}")
        assert (method, RDF.type, SEC.Multikey) in graph
        active = (CATALOG, SEC.assertionMethod, method) in graph
        assert active == ("last_sequence" not in key)
        if not active:
            assert graph.value(method, SEC.expires) is not None
            assert f"up to sequence number {key['last_sequence']}" in str(
                graph.value(method, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"))
            )
    # The first publication was the voluntary organisation's.
    publisher = graph.value(CATALOG, DCTERMS.publisher)
    assert publisher == URIRef(BRREG + "910000047")


def test_configured_publisher_and_contact(configured_publisher, dcat_shapes):  # noqa: F811
    graph = catalog_graph(configured_publisher)
    conforms, report = check(graph, dcat_shapes)
    assert conforms, report
    assert graph.value(CATALOG, DCTERMS.publisher) == URIRef(BRREG + "910000012")
    contact = graph.value(OFFERS, DCAT.contactPoint)
    assert graph.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")) == URIRef(
        "mailto:data@example.org"
    )


def test_catalog_of_an_empty_node_conforms_and_names_the_node(empty_publisher, dcat_shapes):  # noqa: F811
    graph = catalog_graph(empty_publisher)
    conforms, report = check(graph, dcat_shapes)
    assert conforms, report
    publisher = graph.value(CATALOG, DCTERMS.publisher)
    assert publisher == URIRef(f"{BASE_URL}/catalog#publisher")
    assert (publisher, RDF.type, FOAF.Agent) in graph
    assert graph.value(publisher, FOAF.name) == Literal("Tom node", lang="nb")
    assert graph.value(publisher, DCTERMS.identifier) is None
    assert graph.value(CATALOG, DCTERMS.modified) is None


def test_catalog_refuses_html(publisher):
    response = publisher.get("/catalog", headers={"Accept": "text/html"})
    assert response.status_code == 406
    assert response.get_json()["code"] == 406


def test_dump_has_every_published_offer_and_no_withdrawn_one(publisher, offer_ids):
    response = publisher.get("/catalog/dump", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.is_streamed
    assert "Accept" in response.headers["Vary"]
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    services = set(graph.subjects(RDF.type, CPSV.PublicService)) | set(
        graph.subjects(RDF.type, CPSVNO.Service)
    )
    expected = {URIRef(f"{BASE_URL}/offers/{i}") for n, i in offer_ids.items() if n != "skolekurs"}
    assert services == expected


def test_dump_formats_agree(publisher):
    turtle = Graph().parse(
        data=publisher.get("/catalog/dump?format=ttl").get_data(), format="turtle"
    )
    triples = Graph().parse(data=publisher.get("/catalog/dump?format=nt").get_data(), format="nt")
    document = json.loads(publisher.get("/catalog/dump?format=jsonld").get_data())
    assert len(turtle) > 300
    assert isomorphic(turtle, triples)
    assert isomorphic(turtle, parse_jsonld(document))


def test_dump_of_an_empty_node_is_a_valid_empty_document(empty_publisher):
    document = json.loads(empty_publisher.get("/catalog/dump?format=jsonld").get_data())
    assert document == {"@context": f"{BASE_URL}/context.jsonld", "@graph": []}
    assert empty_publisher.get("/catalog/dump?format=nt").get_data() == b""
