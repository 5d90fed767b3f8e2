"""The node's LDES: the event log cut into fixed pages of sequence numbers.

Page *k* holds log rows ``(k-1)·P+1 … k·P``. The log is gap-free and append-only, so a page
whose last row exists is complete and can never change: it is served as immutable. Pages exist
up to the first one that is not yet complete (possibly empty), which is the short-lived newest
page. The root view ``/ldes`` describes the stream and links page 1.

Members are offer versions, ``<offer URI>/versions/<n>``, described in CPSV-AP-NO, linked to the
offer by ``dct:isVersionOf`` and timestamped by ``prov:generatedAtTime``; a withdrawal is a
member typed ``as:Delete`` (``ldes:versionDeletePath rdf:type`` with
``ldes:versionDeleteObject as:Delete``). Each member also carries the event's sequence number,
id and signature, so anyone can fetch the signed CloudEvent (``application/json``) and verify it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, PROV, RDF, XSD
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.publisher.linked.cpsv import describe_offer
from services.publisher.linked.namespaces import (
    AS,
    LDES,
    LDES_SPECIFICATION,
    NTG,
    TREE,
    new_graph,
)
from shared.publication import (
    EVENT_KEY_ROTATED,
    EVENT_PUBLISHED,
    EVENT_REDACTED,
    EVENT_WITHDRAWN,
)
from shared.publication.keys import entry_event
from shared.publication.models import LogEntry, LogHead
from shared.publication.redaction import has_personal_data


@dataclass(frozen=True)
class Paging:
    """Where the pages stand: the page size and the last sequence number in the log."""

    page_size: int
    last_seq: int

    @property
    def page_count(self) -> int:
        """Complete pages, plus the one being filled (which may be empty)."""
        return self.last_seq // self.page_size + 1

    def bounds(self, page: int) -> tuple[int, int]:
        return (page - 1) * self.page_size + 1, page * self.page_size

    def is_complete(self, page: int) -> bool:
        return self.last_seq >= page * self.page_size

    def exists(self, page: int) -> bool:
        return 1 <= page <= self.page_count


def paging(session: Session, page_size: int) -> Paging:
    head = session.get(LogHead, 1)
    return Paging(page_size, head.last_seq if head else 0)


def page_rows(session: Session, paging: Paging, page: int) -> list[LogEntry]:
    first, last = paging.bounds(page)
    return list(
        session.scalars(
            select(LogEntry).where(LogEntry.seq.between(first, last)).order_by(LogEntry.seq)
        )
    )


class Stamp(NamedTuple):
    """What names a log row's content: a redaction changes its signature."""

    seq: int
    event_id: str
    signature: str


def page_stamps(session: Session, paging: Paging, page: int) -> list[Stamp]:
    """The page's rows by their stamps, without their snapshots: enough for its ETag."""
    first, last = paging.bounds(page)
    rows = session.execute(
        select(LogEntry.seq, LogEntry.event_id, LogEntry.signature)
        .where(LogEntry.seq.between(first, last))
        .order_by(LogEntry.seq)
    )
    return [Stamp(*row) for row in rows]


def holds_personal_data(rows: Sequence[LogEntry]) -> bool:
    """Whether any of the rows' versions names a person as contact (a redaction may change
    such a row, so it is not immutable)."""
    return any(
        row.event_type in (EVENT_PUBLISHED, EVENT_WITHDRAWN)
        and has_personal_data(json.loads(row.snapshot))
        for row in rows
    )


def stream_iri(base: str) -> URIRef:
    return URIRef(f"{base}/ldes#stream")


def root_iri(base: str) -> URIRef:
    return URIRef(f"{base}/ldes")


def page_url(base: str, page: int) -> str:
    return f"{base}/ldes/pages/{page}"


def version_iri(offer_uri: str, version: int) -> URIRef:
    return URIRef(f"{offer_uri}/versions/{version}")


def _graph() -> Graph:
    graph = new_graph()
    for prefix, namespace in (("ldes", LDES), ("tree", TREE), ("as", AS), ("ntg", NTG)):
        graph.bind(prefix, namespace)
    graph.bind("prov", PROV)
    return graph


def _timestamp(moment: dt.datetime) -> Literal:
    return Literal(moment.astimezone(dt.UTC).isoformat(), datatype=XSD.dateTime)


def root_graph(base: str, paging: Paging, title: str) -> Graph:
    graph = _graph()
    stream, root = stream_iri(base), root_iri(base)
    view = URIRef(f"{base}/ldes#view")
    graph.add((stream, RDF.type, LDES.EventStream))
    graph.add((stream, DCTERMS.title, Literal(f"{title}: tilbud (hendelsesstrøm)", lang="nb")))
    graph.add((stream, DCTERMS.conformsTo, LDES_SPECIFICATION))
    graph.add((stream, LDES.timestampPath, PROV.generatedAtTime))
    graph.add((stream, LDES.versionOfPath, DCTERMS.isVersionOf))
    graph.add((stream, LDES.versionDeletePath, RDF.type))
    graph.add((stream, LDES.versionDeleteObject, AS.Delete))
    graph.add((stream, TREE.view, root))
    graph.add((root, RDF.type, TREE.Node))
    graph.add((root, TREE.viewDescription, view))
    graph.add((view, RDF.type, TREE.ViewDescription))
    graph.add((view, RDF.type, DCAT.DataService))
    graph.add((view, DCAT.endpointURL, root))
    graph.add((view, DCTERMS.conformsTo, LDES_SPECIFICATION))
    relation = URIRef(f"{base}/ldes#first")
    graph.add((root, TREE.relation, relation))
    graph.add((relation, RDF.type, TREE.Relation))
    graph.add((relation, TREE.node, URIRef(page_url(base, 1))))
    graph.add((root, NTG.pageSize, Literal(paging.page_size)))
    graph.add((root, NTG.lastSequence, Literal(paging.last_seq)))
    return graph


def page_graph(base: str, paging: Paging, page: int, rows: list[LogEntry]) -> Graph:
    graph = _graph()
    stream, node = stream_iri(base), URIRef(page_url(base, page))
    graph.add((node, RDF.type, TREE.Node))
    complete = paging.is_complete(page)
    if complete:
        graph.add((node, LDES.immutable, Literal(True)))
        # Times never decrease along the log, so everything later is at or after this page's
        # last time: a client looking for newer members can skip straight on.
        relation = URIRef(f"{page_url(base, page)}#next")
        graph.add((node, TREE.relation, relation))
        graph.add((relation, RDF.type, TREE.GreaterThanOrEqualToRelation))
        graph.add((relation, TREE.path, PROV.generatedAtTime))
        graph.add((relation, TREE.value, _timestamp(rows[-1].occurred_at)))
        graph.add((relation, TREE.node, URIRef(page_url(base, page + 1))))
    for row in rows:
        member = version_iri(row.offer_uri, row.version)
        graph.add((stream, TREE.member, member))
        describe_member(graph, member, row, base)
    return graph


def describe_member(graph: Graph, member: URIRef, row: LogEntry, base: str) -> None:
    """One offer version as a member: a CPSV-AP-NO description, or a delete for a withdrawal;
    or the announcement of the node's new signing key, or of a redaction (which offer, up to
    which version: ``ntg:redacts``, ``ntg:throughVersion``)."""
    if row.event_type == EVENT_WITHDRAWN:
        graph.add((member, RDF.type, AS.Delete))
    elif row.event_type == EVENT_KEY_ROTATED:
        graph.add((member, RDF.type, NTG.KeyRotation))
    elif row.event_type == EVENT_REDACTED:
        data = json.loads(row.snapshot)
        graph.add((member, RDF.type, NTG.Redaction))
        graph.add((member, NTG.redacts, URIRef(data["offer"])))
        graph.add((member, NTG.throughVersion, Literal(data["through_version"])))
    else:
        describe_offer(graph, member, json.loads(row.snapshot), base)
    graph.add((member, DCTERMS.isVersionOf, URIRef(row.offer_uri)))
    graph.add((member, PROV.generatedAtTime, _timestamp(row.occurred_at)))
    graph.add((member, OWL.versionInfo, Literal(str(row.version))))
    graph.add((member, NTG.sequence, Literal(row.seq)))
    graph.add((member, NTG.eventId, Literal(row.event_id)))
    graph.add((member, NTG.signingKey, Literal(row.key_id)))
    graph.add((member, NTG.signature, Literal(row.signature)))


def root_json(base: str, paging: Paging) -> dict[str, Any]:
    """The stream's entry point for our own harvesters."""
    return {
        "stream": str(root_iri(base)),
        "page_size": paging.page_size,
        "last_sequence": paging.last_seq,
        "page_count": paging.page_count,
        "first": page_url(base, 1),
        "latest": page_url(base, paging.page_count),
        "keys": f"{base}/.well-known/jwks.json",
    }


def page_json(base: str, paging: Paging, page: int, rows: list[LogEntry]) -> dict[str, Any]:
    """A page as signed CloudEvents: what our harvesters verify and apply."""
    first, last = paging.bounds(page)
    complete = paging.is_complete(page)
    return {
        "stream": str(root_iri(base)),
        "page": page,
        "first_sequence": first,
        "last_sequence": last,
        "complete": complete,
        "next": page_url(base, page + 1) if complete else None,
        "events": [entry_event(row) for row in rows],
    }
