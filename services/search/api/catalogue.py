"""The national DCAT-AP-NO catalogue (``GET /catalog``): every node's catalogue and feeds.

One ``dcat:Catalog`` of national search that

* lists each node's own catalogue (``dcat:catalog``, the IRI the node serves at
  ``{base}/catalog``) and describes the node's offers dataset by the IRI the node gives it
  (``{base}/catalog#offers``), with its LDES stream, HSDS API and offer tables as
  distributions: a harvester merging the node's catalogue with this one sees one dataset;
* holds the national dataset of every offer in the federation, with national search's HSDS
  API, JSON search API and offer tables.

Built from the directory national search trusts; no Flask in here.
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from services.search.index.nodes import PublicNode

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
EU_FILE_TYPE = Namespace(EU_AUTHORITY + "file-type/")
EU_FREQUENCY = Namespace(EU_AUTHORITY + "frequency/")
EU_LICENCE = Namespace(EU_AUTHORITY + "licence/")
EU_DATA_THEME = Namespace(EU_AUTHORITY + "data-theme/")
EU_LANGUAGE = Namespace(EU_AUTHORITY + "language/")
IANA = "https://www.iana.org/assignments/media-types/"
LDES_SPECIFICATION = URIRef("https://w3id.org/ldes/specification")
HSDS_SPECIFICATION = URIRef("https://docs.openreferral.org/en/latest/hsds/")
LICENCE = EU_LICENCE.NLOD_2_0
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# (fragment, path, media type, EU file type or None, title) of each node's distributions.
NODE_FEEDS = (
    ("ldes", "/ldes", "text/turtle", "RDF_TURTLE", "LDES-strøm av tilbudsversjoner"),
    ("hsds", "/hsds/", "application/json", None, "HSDS 3.1-API"),
    ("table-csv", "/offers.csv", "text/csv", "CSV", "Publiserte tilbud som CSV-tabell"),
    ("table-xlsx", "/offers.xlsx", XLSX, "XLSX", "Publiserte tilbud som Excel-tabell"),
)
SPECIFICATIONS = {"ldes": LDES_SPECIFICATION, "hsds": HSDS_SPECIFICATION}


def describe_national_catalogue(graph: Graph, base: str, nodes: Sequence[PublicNode]) -> URIRef:
    """Add the national catalogue over ``nodes`` to ``graph``; ``base`` is search's URL."""
    catalog = URIRef(f"{base}/catalog")
    publisher = _agent(graph, URIRef(f"{catalog}#publisher"), "Nettungen")
    _describe(
        graph,
        catalog,
        DCAT.Catalog,
        "Nettungen – nasjonal katalog",
        "Alle Nettungen-noder med katalogene og strømmene deres, og alle tilbud til barn, "
        "unge og familier i føderasjonen samlet.",
        publisher,
    )
    graph.add((catalog, DCTERMS.language, _concept(graph, EU_LANGUAGE.NOB, "language")))
    national = _national_dataset(graph, base, publisher)
    graph.add((catalog, DCAT.dataset, national))
    for node in nodes:
        node_catalog, dataset = _node(graph, node)
        graph.add((catalog, DCAT.catalog, node_catalog))
        graph.add((catalog, DCAT.dataset, dataset))
    for standard, title in (
        (LDES_SPECIFICATION, "Linked Data Event Streams"),
        (HSDS_SPECIFICATION, "Human Services Data Specification 3.1"),
    ):
        graph.add((standard, RDF.type, DCTERMS.Standard))
        graph.add((standard, DCTERMS.title, Literal(title, lang="en")))
    return catalog


def _node(graph: Graph, node: PublicNode) -> tuple[URIRef, URIRef]:
    """A node's catalogue and offers dataset, by the IRIs the node itself gives them."""
    feeds = node.feeds
    catalog = URIRef(feeds["catalog"])
    publisher = _agent(graph, URIRef(f"{catalog}#publisher"), node.name)
    _describe(
        graph,
        catalog,
        DCAT.Catalog,
        node.name,
        f"Katalogen til Nettungen-noden {node.name}.",
        publisher,
    )
    graph.add((catalog, FOAF.homepage, URIRef(feeds["home"])))
    dataset = URIRef(f"{catalog}#offers")
    _describe(
        graph,
        dataset,
        DCAT.Dataset,
        f"Tilbud i {node.name}",
        "Tilbud til barn, unge og familier (CPSV-AP-NO) publisert av organisasjonene på "
        f"noden {node.name}: {', '.join(o.name for o in node.organisations) or 'ingen ennå'}.",
        publisher,
    )
    _theme_and_frequency(graph, dataset)
    graph.add((catalog, DCAT.dataset, dataset))
    base = node.base_url.rstrip("/")
    for fragment, path, media_type, file_type, title in NODE_FEEDS:
        distribution = _distribution(
            graph, URIRef(f"{catalog}#{fragment}-distribution"), base + path, media_type, title
        )
        if file_type is not None:
            graph.add((distribution, DCTERMS.format, _file_type(graph, file_type)))
        if fragment in SPECIFICATIONS:
            graph.add((distribution, DCTERMS.conformsTo, SPECIFICATIONS[fragment]))
        else:
            graph.add((distribution, DCAT.downloadURL, URIRef(base + path)))
        graph.add((dataset, DCAT.distribution, distribution))
    return catalog, dataset


def _national_dataset(graph: Graph, base: str, publisher: URIRef) -> URIRef:
    dataset = URIRef(f"{base}/catalog#offers")
    _describe(
        graph,
        dataset,
        DCAT.Dataset,
        "Alle tilbud i Nettungen",
        "Alle tilbud til barn, unge og familier publisert i Nettungen-føderasjonen, fra alle "
        "noder, slik det nasjonale søket holder dem.",
        publisher,
    )
    _theme_and_frequency(graph, dataset)
    for fragment, url, media_type, file_type, title in (
        ("hsds", f"{base}/hsds/", "application/json", None, "Nasjonalt HSDS 3.1-API"),
        ("search", f"{base}/api/v1/offers", "application/json", None, "Søke-API (JSON)"),
        ("table-csv", f"{base}/offers.csv", "text/csv", "CSV", "Alle tilbud som CSV-tabell"),
        ("table-xlsx", f"{base}/offers.xlsx", XLSX, "XLSX", "Alle tilbud som Excel-tabell"),
    ):
        iri = URIRef(f"{dataset}-{fragment}")
        distribution = _distribution(graph, iri, url, media_type, title)
        if fragment == "hsds":
            graph.add((distribution, DCTERMS.conformsTo, HSDS_SPECIFICATION))
        if file_type is not None:
            graph.add((distribution, DCAT.downloadURL, URIRef(url)))
            graph.add((distribution, DCTERMS.format, _file_type(graph, file_type)))
        graph.add((dataset, DCAT.distribution, distribution))
    return dataset


def _describe(
    graph: Graph, iri: URIRef, kind: URIRef, title: str, description: str, publisher: URIRef
) -> None:
    graph.add((iri, RDF.type, kind))
    graph.add((iri, DCTERMS.identifier, Literal(str(iri))))
    graph.add((iri, DCTERMS.title, Literal(title, lang="nb")))
    graph.add((iri, DCTERMS.description, Literal(description, lang="nb")))
    graph.add((iri, DCTERMS.publisher, publisher))
    if kind == DCAT.Catalog:
        graph.add((iri, DCTERMS.license, _concept(graph, LICENCE, "licence")))


def _theme_and_frequency(graph: Graph, dataset: URIRef) -> None:
    graph.add((dataset, DCAT.theme, _concept(graph, EU_DATA_THEME.SOCI, "data-theme")))
    frequency = _concept(graph, EU_FREQUENCY.UPDATE_CONT, "frequency")
    graph.add((dataset, DCTERMS.accrualPeriodicity, frequency))
    graph.add((dataset, DCTERMS.language, _concept(graph, EU_LANGUAGE.NOB, "language")))


def _agent(graph: Graph, iri: URIRef, name: str) -> URIRef:
    graph.add((iri, RDF.type, FOAF.Agent))
    graph.add((iri, FOAF.name, Literal(name, lang="nb")))
    return iri


def _distribution(graph: Graph, iri: URIRef, url: str, media_type: str, title: str) -> URIRef:
    graph.add((iri, RDF.type, DCAT.Distribution))
    graph.add((iri, DCAT.accessURL, URIRef(url)))
    graph.add((iri, DCTERMS.title, Literal(title, lang="nb")))
    graph.add((iri, DCAT.mediaType, URIRef(IANA + media_type)))
    graph.add((iri, DCTERMS.license, _concept(graph, LICENCE, "licence")))
    return iri


def _file_type(graph: Graph, name: str) -> URIRef:
    return _concept(graph, EU_FILE_TYPE[name], "file-type")


def _concept(graph: Graph, iri: URIRef, table: str) -> URIRef:
    """A value from an EU authority table, saying which table (the shapes check it)."""
    graph.add((iri, SKOS.inScheme, URIRef(EU_AUTHORITY + table)))
    return iri
