"""The fault suite's workload: three nodes' publishers at work, interleaved at random.

Every change is one transaction of the registry's own service layer, as a publisher's click
would be: a new offer published, a published one revised, or one withdrawn. Each makes one
signed row in its node's log, so the nodes' logs are the exact record of what was published.
Beside the changes, a node rotates its signing key (``nettungen registry key rotate``, as its
operator would) and a publisher removes the personal contact data from an offer's versions;
each adds an event to the log that is not a version.
"""

from __future__ import annotations

import random
import subprocess
import sys
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.publication import EVENT_PUBLISHED, EVENT_WITHDRAWN
from shared.publication.keys import Signer
from shared.publication.models import LogEntry, PublishedOffer
from tests.conftest import TEST_PASSPHRASE
from tests.deploy.deployfiles import REPO
from tests.deploy.processes import environment
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

    def rotate_key(self) -> str:
        """``nettungen registry key rotate`` on a node drawn at random; its id."""
        node = self.rng.choice(self.publishing).node
        env = environment(
            DATABASE_URL=node.engine.url.render_as_string(hide_password=False),
            NODE_BASE_URL=node.base_url,
            SIGNING_KEY_PASSPHRASE=TEST_PASSPHRASE,
            INSTANCE_PATH=str(node.app.config["INSTANCE_PATH"]),
        )
        subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [sys.executable, "-m", "services.cli", "registry", "key", "rotate"],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
        )
        return node.id

    def redact(self) -> str:
        """A publisher removes the personal data from the versions of an offer published
        now, drawn at random; its URI. It stays published (and may be revised later)."""
        state = self.rng.choice([s for s in self.publishing if s.live])
        offer_id, kind = self.rng.choice(state.live)
        with sessionmaker(state.node.engine, expire_on_commit=False).begin() as session:
            NodeBuilder(
                session,
                base_url=state.node.base_url,
                signer=state.signer,
                providers=state.providers,
                organisations=state.node.organisations,
            ).redact(offer_id, kind)
        return f"{state.node.base_url}/offers/{offer_id}"


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
            # The versions: not the key rotations and redactions, which are events of the log
            # but no version of an offer.
            log = session.execute(
                select(LogEntry.offer_uri, LogEntry.version, LogEntry.event_type).where(
                    LogEntry.event_type.in_((EVENT_PUBLISHED, EVENT_WITHDRAWN))
                )
            ).all()
            rows += len(log)
            versions |= {(uri, version, kind == EVENT_WITHDRAWN) for uri, version, kind in log}
            snapshot = session.execute(select(PublishedOffer.offer_uri, PublishedOffer.version))
            current |= {(uri, version) for uri, version in snapshot}
    return Published(versions, current, rows)
