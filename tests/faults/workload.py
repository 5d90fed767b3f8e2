"""The fault suite's workload: three nodes' publishers at work, interleaved at random.

Every change is one transaction of the registry's own service layer, as a publisher's click
would be: a new offer published, a published one revised, or one withdrawn. Each makes one
signed row in its node's log, so the nodes' logs are the exact record of what was published.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.publication import EVENT_WITHDRAWN
from shared.publication.keys import Signer
from shared.publication.models import LogEntry, PublishedOffer
from tests.conftest import TEST_PASSPHRASE
from tests.federation import BUFETAT_SOR, KONGSBERG, RED_CROSS, TestNode
from tests.publisher.node import ORGANISATIONS, NodeBuilder, Provider

# node id -> provider kind -> (organisation, coverage of its offers)
NODES = {
    "kommune": {
        "municipality": (ORGANISATIONS["municipality"], ["3301"]),
        "kongsberg": (KONGSBERG, ["3303"]),
    },
    "fylke": {
        "county": (ORGANISATIONS["county"], ["33"]),
        "state": (ORGANISATIONS["state"], ["bufetat-sor"]),
        "region": (BUFETAT_SOR, ["bufetat-sor"]),
    },
    "frivillig": {
        "voluntary": (ORGANISATIONS["voluntary"], ["NO"]),
        "redcross": (RED_CROSS, ["33"]),
    },
}


def organisations_of(node_id: str) -> dict[str, tuple[str, str, str, str]]:
    return {kind: organisation for kind, (organisation, _) in NODES[node_id].items()}


@dataclass
class Publishing:
    """One node's publishers: their accounts (looked up once) and the offers published now."""

    node: TestNode
    signer: Signer
    providers: dict[str, Provider] = field(default_factory=dict)
    live: list[tuple[str, str]] = field(default_factory=list)  # (offer id, provider kind)


class Workload:
    """Makes changes one at a time; ``done`` counts them (read by the fault threads)."""

    def __init__(self, nodes: list[TestNode], seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - a repeatable workload, not a secret
        signer = Signer(TEST_PASSPHRASE)
        self.publishing = [Publishing(node, signer) for node in nodes]
        self.done = 0

    def change(self) -> None:
        """Publish, revise or withdraw one offer on a node drawn at random."""
        state = self.rng.choice(self.publishing)
        node = state.node
        with sessionmaker(node.engine, expire_on_commit=False).begin() as session:
            builder = NodeBuilder(
                session,
                base_url=node.base_url,
                signer=state.signer,
                providers=state.providers,
                organisations=node.organisations,
            )
            draw = self.rng.random()
            if len(state.live) < 5 or draw < 0.35:
                kind = self.rng.choice(sorted(node.organisations))
                coverage = NODES[node.id][kind][1]
                name = f"Tilbud {self.done} fra {node.id}"
                state.live.append((builder.publish(kind, name=name, coverage=coverage), kind))
            elif draw < 0.85:
                offer_id, kind = self.rng.choice(state.live)
                builder.revise(offer_id, kind, schedule=f"Endring {self.done}.")
            else:
                offer_id, kind = state.live.pop(self.rng.randrange(len(state.live)))
                builder.withdraw(offer_id, kind)
        self.done += 1


@dataclass(frozen=True)
class Published:
    """What the nodes published, read from their own databases."""

    versions: set[tuple[str, int, bool]]  # (offer URI, version, withdrawn) of every log row
    current: set[tuple[str, int]]  # (offer URI, version) of every offer published now
    log_rows: int


def published_by(nodes: list[TestNode]) -> Published:
    versions: set[tuple[str, int, bool]] = set()
    current: set[tuple[str, int]] = set()
    rows = 0
    for node in nodes:
        with Session(node.engine) as session:
            log = session.execute(
                select(LogEntry.offer_uri, LogEntry.version, LogEntry.event_type)
            ).all()
            rows += len(log)
            versions |= {(uri, version, kind == EVENT_WITHDRAWN) for uri, version, kind in log}
            snapshot = session.execute(select(PublishedOffer.offer_uri, PublishedOffer.version))
            current |= {(uri, version) for uri, version in snapshot}
    return Published(versions, current, rows)
