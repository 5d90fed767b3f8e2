"""The public list of the federation's nodes: who they are, what they publish, where.

Read from the directory national search trusts (``shared.ingest``): every enabled node, its
base URL (from which its feeds' addresses follow, as the architecture fixes them), the
organisations it may publish for and how many of its offers the index holds now. Nothing
secret is in the directory; keys and refusals are the operator's (and the status pages').
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.search.index.models import IndexedOffer
from shared import text
from shared.ingest.models import FederationNode

# A node's feeds, relative to its base URL (docs/open-data.md; ARCHITECTURE.md fixes them).
FEEDS = {
    "home": "/",
    "catalog": "/catalog",
    "ldes": "/ldes",
    "hsds": "/hsds/",
    "offers_csv": "/offers.csv",
    "offers_xlsx": "/offers.xlsx",
    "jwks": "/.well-known/jwks.json",
}


@dataclass(frozen=True)
class PublicOrganisation:
    organisation_number: str
    name: str
    kind: str | None


@dataclass(frozen=True)
class PublicNode:
    id: str
    name: str
    base_url: str
    offers: int
    organisations: list[PublicOrganisation] = field(default_factory=list)

    @property
    def feeds(self) -> dict[str, str]:
        base = self.base_url.rstrip("/")
        return {name: base + path for name, path in FEEDS.items()}


def public_nodes(session: Session) -> list[PublicNode]:
    """Every enabled node, by name, with its organisations by name."""
    counts: dict[str, int] = {
        node_id: count
        for node_id, count in session.execute(
            select(IndexedOffer.node_id, func.count()).group_by(IndexedOffer.node_id)
        )
    }
    # What the index calls an organisation, for those the operator gave no name.
    indexed_names: dict[str, str] = {
        orgnr: name
        for orgnr, name in session.execute(
            select(IndexedOffer.provider_orgnr, func.max(IndexedOffer.provider_name)).group_by(
                IndexedOffer.provider_orgnr
            )
        )
    }
    nodes = session.scalars(select(FederationNode).where(FederationNode.enabled.is_(True)))
    found = [
        PublicNode(
            id=node.id,
            name=node.name,
            base_url=node.base_url,
            offers=counts.get(node.id, 0),
            organisations=sorted(
                (
                    PublicOrganisation(
                        o.organisation_number,
                        o.name or indexed_names.get(o.organisation_number) or o.organisation_number,
                        o.kind,
                    )
                    for o in node.organisations
                ),
                key=lambda o: (text.sort_key(o.name), o.organisation_number),
            ),
        )
        for node in nodes
    ]
    return sorted(found, key=lambda n: (text.sort_key(n.name), n.id))
