"""National open data: the public list of nodes (JSON and page), the national DCAT-AP-NO
catalogue of every node's catalogue and feeds (checked with the official shapes), and every
offer as a table, over the standard federation."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF
from rdflib.plugins.parsers.jsonld import to_rdf

from shared import offer_table
from tests.publisher.rdf import check, load_standard
from tests.search.test_hsds import NAMES

NODES = ["frivillig", "fylke", "kommune"]  # by name, in Norwegian order
CATALOG = URIRef("https://sok.test/catalog")


@pytest.fixture(scope="module")
def dcat_shapes() -> tuple[Graph, Graph]:
    return (
        load_standard("dcat-ap-no", "shacl", "DCAT-AP-NO-shacl_shapes_2.00.ttl"),
        load_standard("dcat-ap-no", "shacl", "ontologies.ttl"),
    )


# --- the list of nodes --------------------------------------------------------------------------


def test_the_nodes_and_their_feeds_as_json(api: Any) -> None:
    response = api.get("/api/v1/nodes")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    nodes = response.get_json()["nodes"]
    assert [n["id"] for n in nodes] == NODES
    assert {n["id"]: n["offers"] for n in nodes} == {"frivillig": 2, "fylke": 4, "kommune": 4}
    kommune = nodes[2]
    assert kommune["base_url"] == "https://kommune.node.test"
    assert kommune["feeds"] == {
        "home": "https://kommune.node.test/",
        "catalog": "https://kommune.node.test/catalog",
        "ldes": "https://kommune.node.test/ldes",
        "hsds": "https://kommune.node.test/hsds/",
        "offers_csv": "https://kommune.node.test/offers.csv",
        "offers_xlsx": "https://kommune.node.test/offers.xlsx",
        "jwks": "https://kommune.node.test/.well-known/jwks.json",
    }
    assert [(o["organisation_number"], o["name"]) for o in kommune["organisations"]] == [
        ("910000012", "Drammen kommune"),
        ("910000055", "Kongsberg kommune"),
    ]
    assert api.get("/api/v1/nodes?page=2").status_code == 400


def test_every_feed_listed_is_served_by_its_node(api: Any, standard: Any) -> None:
    for node in api.get("/api/v1/nodes").get_json()["nodes"]:
        client = standard.federation.nodes[node["id"]].app.test_client()
        for name, url in node["feeds"].items():
            path = url.removeprefix(node["base_url"])
            assert client.get(path).status_code == 200, (node["id"], name)


@pytest.mark.parametrize(
    ("lang", "heading", "count"),
    [
        ("nb", "Åpne data: noder og strømmer", "4 tilbud i det nasjonale søket."),
        ("nn", "Opne data: nodar og straumar", "4 tilbod i det nasjonale søket."),
        ("en", "Open data: nodes and feeds", "4 offers in national search."),
    ],
)
def test_the_nodes_page(api: Any, lang: str, heading: str, count: str) -> None:
    response = api.get(f"/noder?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f"<h1>{heading}</h1>" in html and count in html
    assert "Drammen kommune, Kongsberg kommune." in html
    links = set(re.findall(r'href="([^"]+)"', html))
    assert {
        "https://kommune.node.test/",
        "https://fylke.node.test/ldes",
        "https://frivillig.node.test/hsds/",
        "https://kommune.node.test/offers.csv",
        "/catalog",
        "/offers.csv",
        "/api/v1/nodes",
    } <= links
    assert "Access-Control-Allow-Origin" not in response.headers


# --- the national catalogue ---------------------------------------------------------------------


def catalogue(api: Any, accept: str = "text/turtle", fmt: str = "turtle") -> Graph:
    response = api.get("/catalog", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    if fmt == "json-ld":
        # rdflib's Graph.parse(format="json-ld") warns of its own deprecated ConjunctiveGraph.
        graph = Graph()
        to_rdf(response.get_json(), graph)
        return graph
    return Graph().parse(data=response.get_data(as_text=True), format=fmt)


def test_the_catalogue_conforms_to_dcat_ap_no(api: Any, dcat_shapes: Any) -> None:
    conforms, report = check(catalogue(api), dcat_shapes)
    assert conforms, report


def test_the_shapes_catch_a_broken_catalogue(api: Any, dcat_shapes: Any) -> None:
    graph = catalogue(api)
    graph.remove((URIRef("https://fylke.node.test/catalog#offers"), DCTERMS.title, None))
    conforms, report = check(graph, dcat_shapes)
    assert not conforms and "dct:title" in report


def test_the_catalogue_lists_every_nodes_catalogue_and_feeds(api: Any) -> None:
    graph = catalogue(api)
    assert (CATALOG, RDF.type, DCAT.Catalog) in graph
    assert set(graph.objects(CATALOG, DCAT.catalog)) == {
        URIRef(f"https://{n}.node.test/catalog") for n in NODES
    }
    kommune = URIRef("https://kommune.node.test/catalog#offers")
    assert (CATALOG, DCAT.dataset, kommune) in graph
    assert graph.value(kommune, DCTERMS.title) == Literal("Tilbud i kommune", lang="nb")
    access = {graph.value(d, DCAT.accessURL) for d in graph.objects(kommune, DCAT.distribution)}
    assert access == {
        URIRef(f"https://kommune.node.test{p}")
        for p in ("/ldes", "/hsds/", "/offers.csv", "/offers.xlsx")
    }
    national = URIRef("https://sok.test/catalog#offers")
    urls = {graph.value(d, DCAT.accessURL) for d in graph.objects(national, DCAT.distribution)}
    assert urls == {
        URIRef(f"https://sok.test{p}")
        for p in ("/hsds/", "/api/v1/offers", "/offers.csv", "/offers.xlsx")
    }


def test_the_catalogue_in_every_rdf_format(api: Any) -> None:
    turtle = catalogue(api)
    assert isomorphic(turtle, catalogue(api, "application/n-triples", "nt"))
    assert isomorphic(turtle, catalogue(api, "application/ld+json", "json-ld"))
    by_parameter = api.get("/catalog?format=nt")
    assert by_parameter.mimetype == "application/n-triples"
    assert api.get("/catalog", headers={"Accept": "text/html"}).status_code == 406
    assert api.get("/catalog?format=xml").status_code == 400
    assert api.get("/catalog?x=1").status_code == 400


# --- every offer as a table ---------------------------------------------------------------------


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_every_offer_as_csv(api: Any, standard: Any) -> None:
    response = api.get("/offers.csv")
    assert response.status_code == 200 and response.content_type == offer_table.CSV_TYPE
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    rows = read_csv(response.data)
    assert [r["name"] for r in rows] == NAMES
    assert list(rows[0]) == offer_table.HEADER
    ppt = next(r for r in rows if r["name"] == "PP-tjenesten i Kongsberg")
    assert ppt["id"] == standard.ids["kongsberg_ppt"]
    assert (ppt["organisation_number"], ppt["coverage"], ppt["languages"]) == (
        "910000055",
        "3303",
        "nob, ara",
    )


def test_the_table_takes_the_search_apis_filters(api: Any) -> None:
    rows = read_csv(api.get("/offers.csv?organisation=910000055").data)
    assert [r["name"] for r in rows] == ["PP-tjenesten i Kongsberg"]
    rows = read_csv(api.get("/offers.csv?level=3&q=akutt").data)
    assert [r["name"] for r in rows] == ["Barnevernets akuttberedskap"]
    for bad in ("page=2", "per_page=5", "level=4", "municipality=99", "unknown=1"):
        response = api.get(f"/offers.csv?{bad}")
        assert response.status_code == 400, bad
        assert bad.split("=")[0] in response.get_json()["errors"]["query"]


def test_the_table_with_commas_on_request(api: Any) -> None:
    response = api.get("/offers.csv?separator=comma&organisation=910000055")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == ["PP-tjenesten i Kongsberg"]
    assert rows[0]["languages"] == "nob, ara"  # quoted, one cell
    assert api.get("/offers.csv?separator=pipe").status_code == 400


def test_every_offer_as_xlsx(api: Any) -> None:
    response = api.get("/offers.xlsx?free=true")
    assert response.status_code == 200 and response.mimetype == offer_table.XLSX_TYPE
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert list(rows[0]) == offer_table.HEADER
    names = [r[4] for r in rows[1:]]
    assert names and "Foreldrekurs: De utrolige årene" not in names  # it costs 500 kroner
    assert set(names) < set(NAMES)
