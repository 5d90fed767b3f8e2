"""``GET /offers/<id>``: CPSV-AP-NO by content negotiation, the HTML page, 404 and 410."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from services.publisher.linked.namespaces import CPSV, CPSVNO, CV
from services.publisher.linked.render import local_context
from tests.publisher.node import BASE_URL
from tests.publisher.rdf import parse_jsonld

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def offer_uri(offer_id: str) -> URIRef:
    return URIRef(f"{BASE_URL}/offers/{offer_id}")


def get_graph(client, path: str, fmt: str = "turtle", **headers: str) -> Graph:  # type: ignore[no-untyped-def]
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return Graph().parse(data=response.get_data(as_text=True), format=fmt)


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "text/turtle; charset=utf-8"),
        ("*/*", "text/turtle; charset=utf-8"),
        ("text/turtle", "text/turtle; charset=utf-8"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples; charset=utf-8"),
        ("application/n-triples;q=0.5, text/turtle;q=0.9", "text/turtle; charset=utf-8"),
        (BROWSER_ACCEPT, "text/html; charset=utf-8"),
    ],
)
def test_accept_chooses_the_format(publisher, offer_ids, accept, content_type):
    headers = {"Accept": accept} if accept else {}
    response = publisher.get(f"/offers/{offer_ids['helsestasjon']}", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("html", "text/html"),
    ],
)
def test_format_parameter_overrides_accept(publisher, offer_ids, fmt, content_type):
    response = publisher.get(
        f"/offers/{offer_ids['helsestasjon']}?format={fmt}", headers={"Accept": "image/png"}
    )
    assert response.status_code == 200
    assert response.mimetype == content_type


def test_every_format_says_the_same(publisher, offer_ids):
    path = f"/offers/{offer_ids['foreldrekurs']}"
    turtle = get_graph(publisher, path, "turtle", Accept="text/turtle")
    triples = get_graph(publisher, path, "nt", Accept="application/n-triples")
    assert len(turtle) > 50
    assert isomorphic(turtle, triples)


def test_unsupported_type_is_406_in_the_error_format(publisher, offer_ids):
    response = publisher.get(
        f"/offers/{offer_ids['helsestasjon']}", headers={"Accept": "application/pdf"}
    )
    assert response.status_code == 406
    body = response.get_json()
    assert body["code"] == 406 and body["status"] == "Not Acceptable"
    assert "text/turtle" in body["message"]


def test_unknown_format_parameter_is_406(publisher, offer_ids):
    response = publisher.get(f"/offers/{offer_ids['helsestasjon']}?format=xml")
    assert response.status_code == 406
    assert response.get_json()["code"] == 406


def test_unknown_offer_is_404_in_the_error_format(publisher):
    response = publisher.get("/offers/no-such-offer")
    assert response.status_code == 404
    assert response.get_json() == {
        "code": 404,
        "status": "Not Found",
        "message": "There is no offer with this id on this node.",
    }


def test_withdrawn_offer_is_410_in_the_error_format(publisher, offer_ids):
    for accept in ("text/turtle", BROWSER_ACCEPT):
        response = publisher.get(f"/offers/{offer_ids['skolekurs']}", headers={"Accept": accept})
        assert response.status_code == 410
        body = response.get_json()
        assert body["code"] == 410 and body["status"] == "Gone"


def test_current_version_is_served(publisher, offer_ids):
    graph = get_graph(publisher, f"/offers/{offer_ids['foreldrekurs']}")
    subject = offer_uri(offer_ids["foreldrekurs"])
    assert (subject, RDF.type, CPSV.PublicService) in graph
    schedule = URIRef("http://schema.org/openingHours")
    # The revision changed the schedule; the first version had the default one. Hours are
    # a channel's in CPSV-AP-NO (the places', or the contact point's), not the service's.
    text = Literal("Tirsdager 18–20, åtte ganger.", lang="nb")
    holders = set(graph.subjects(schedule, text))
    ways_in = {*graph.objects(subject, CV.hasChannel), *graph.objects(subject, CV.contactPoint)}
    assert holders and holders <= ways_in
    assert graph.value(subject, schedule) is None
    cost = graph.value(subject, CV.hasCost)
    assert graph.value(cost, DCTERMS.description) == Literal(
        "400 kroner for hele kurset.", lang="nb"
    )


def test_voluntary_offer_is_a_service_owned_by_an_organisation(publisher, offer_ids):
    graph = get_graph(publisher, f"/offers/{offer_ids['leksehjelp']}")
    subject = offer_uri(offer_ids["leksehjelp"])
    assert (subject, RDF.type, CPSVNO.Service) in graph
    assert (subject, RDF.type, CPSV.PublicService) not in graph
    assert graph.value(subject, CV.hasCompetentAuthority) is None
    owner = graph.value(subject, CV.ownedBy)
    assert owner == URIRef("https://data.brreg.no/enhetsregisteret/api/enheter/910000047")


def test_jsonld_names_our_context_and_parses_back_to_the_same_graph(publisher, offer_ids):
    path = f"/offers/{offer_ids['helsestasjon']}"
    response = publisher.get(path, headers={"Accept": "application/ld+json"})
    document = response.get_json(force=True)
    assert document["@context"] == f"{BASE_URL}/context.jsonld"
    # Terms and prefixes from our context are used, so the context matters to the reading.
    uri = str(offer_uri(offer_ids["helsestasjon"]))
    [offer] = [node for node in document["@graph"] if node["@id"] == uri]
    assert offer["@type"] == "PublicService"
    assert "dct:title" in offer
    parsed = parse_jsonld(document)
    assert len(parsed) > 50
    assert isomorphic(parsed, get_graph(publisher, path))


def test_context_is_served_locally_as_jsonld(publisher):
    response = publisher.get("/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    context = response.get_json(force=True)["@context"]
    assert context["cpsv"] == "http://purl.org/vocab/cpsv#"
    assert context == local_context()


class _Page(HTMLParser):
    """Collects what an accessibility check looks at: tags, headings, landmarks, links."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self._heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = tag
            self.headings.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def attrs(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def page(client, path: str) -> tuple[_Page, str]:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    parser = _Page()
    parser.feed(html)
    return parser, " ".join(" ".join(parser.text).split())


def test_offer_page_tells_a_family_what_where_when_and_how(publisher, offer_ids):
    parser, text = page(publisher, f"/offers/{offer_ids['foreldrekurs']}")
    for expected in (
        "Foreldrekurs: Trygg oppvekst",
        "Kurs for foreldre med barn 0–6 år.",
        "0–6 år",
        "Foreldre",
        "Drammen",
        "Helsehuset",
        "Gamle Kirkeplass 7, 3019 Drammen",
        "Tirsdager 18–20, åtte ganger.",
        "Ta kontakt selv",
        "400 kroner for hele kurset.",
        "Norsk (bokmål), Engelsk",
        "32 04 00 00",
        "hfu@example.org",
        "Drammen kommune",
        "Tilbud til de som trenger mer støtte",
        "versjon 2",
    ):
        assert expected in text, expected
    hrefs = {attrs.get("href") for attrs in parser.attrs("a")}
    assert {"?format=ttl", "?format=jsonld", "?format=nt", "mailto:hfu@example.org"} <= hrefs


def test_offer_page_names_the_law_it_fulfils(publisher, offer_ids):
    parser, text = page(publisher, f"/offers/{offer_ids['helsestasjon']}")
    assert "Helsestasjonstjeneste" in text and "Lovpålagt" in text
    assert any((a.get("href") or "").startswith("https://lovdata.no/") for a in parser.attrs("a"))
    assert "Gratis" in text


def test_offer_page_has_accessible_structure(publisher, offer_ids):
    parser, _ = page(publisher, f"/offers/{offer_ids['familievern']}")
    [html] = parser.attrs("html")
    assert html["lang"] == "nb"
    assert [a for a in parser.attrs("meta") if a.get("name") == "viewport"]
    for landmark in ("header", "main", "footer", "nav"):
        assert parser.attrs(landmark), landmark
    assert parser.attrs("nav")[0].get("aria-label")
    assert parser.headings.count("h1") == 1 and parser.headings[0] == "h1"
    # No heading level is skipped on the way down.
    levels = [int(h[1]) for h in parser.headings]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    heading_ids = {attrs.get("id") for name, attrs in parser.tags if name in {"h1", "h2"}}
    for section in parser.attrs("section") + parser.attrs("article"):
        assert section.get("aria-labelledby") in heading_ids
    skip = parser.attrs("a")[0]
    assert skip["href"] == "#main" and parser.attrs("main")[0]["id"] == "main"


def test_offer_page_escapes_text(publisher, offer_ids):
    response = publisher.get(
        f"/offers/{offer_ids['helsestasjon']}", headers={"Accept": BROWSER_ACCEPT}
    )
    assert "<script" not in response.get_data(as_text=True)


def test_routes_are_documented(publisher):
    paths = publisher.get("/openapi.json").get_json()["paths"]
    for path in (
        "/offers/{offer_id}",
        "/catalog",
        "/catalog/dump",
        "/vocabularies/{vocabulary_id}",
        "/vocabularies/{vocabulary_id}/{code}",
        "/areas/{code}",
        "/context.jsonld",
    ):
        assert paths[path]["get"]["summary"], path
    offer = paths["/offers/{offer_id}"]["get"]["responses"]
    assert {"text/turtle", "application/ld+json", "text/html"} <= set(offer["200"]["content"])
    assert "410" in offer


def test_an_offer_page_that_remembers_the_language_is_not_open_to_other_origins(
    publisher, offer_ids
):
    response = publisher.get(
        f"/offers/{offer_ids['helsestasjon']}?lang=en",
        headers={"Accept": BROWSER_ACCEPT, "Origin": "https://www.drammen.kommune.no"},
    )
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Set-Cookie"].startswith("lang=en;")
    assert "Access-Control-Allow-Origin" not in response.headers
    # The same page without a cookie to set, and its data, are open.
    data = publisher.get(f"/offers/{offer_ids['helsestasjon']}?format=ttl")
    assert data.headers["Access-Control-Allow-Origin"] == "*"
