"""Issue 9's fault suite: nothing published is lost, duplicated or left stale by crashes.

Three nodes make ``NETTUNGEN_FAULTS_CHANGES`` changes (by default 5,000 on RabbitMQ, 2,000 on
the embedded bus), interleaved, through the registry's service layer, while each node's relay
and the search and reporting ingest run as the ``nettungen`` commands an operator starts,
search's as two processes consuming its one queue (scaled out, issue 22). At
random points (seeded by ``NETTUNGEN_FAULTS_SEED``, drawn and printed when unset) every relay
is killed once and each consumer twice with SIGKILL, and started again after a short pause; on
RabbitMQ the broker is stopped and started once as well (``NETTUNGEN_TEST_RABBITMQCTL``,
``rabbitmqctl`` by default). A third of the way through, a node rotates its signing key
(``nettungen registry key rotate``); half way, a publisher removes the personal contact data
from the versions of an offer published then.
Afterwards, within 60 seconds, search must index exactly the newest version of every offer
published now, and reporting must hold exactly every version the nodes logged, neither
holding the redacted contact in any version of that offer, with nothing dead-lettered and
nothing rejected. The ingest runs with ``--no-feeds``: the bus alone must
deliver everything, the harvester is not there to make up for a loss.
"""

from __future__ import annotations

import json
import os
import resource
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.history.models import OfferVersion
from services.search.index.models import IndexedOffer
from shared.db import create_engine
from shared.ingest.models import RejectedEvent
from shared.publication.redaction import has_personal_data
from tests.conftest import TEST_BROKER_URL, TEST_DATABASE_URL
from tests.deploy.processes import environment
from tests.faults.chaos import Chaos, Plan, Service, Timeline
from tests.faults.workload import NODES, Published, Workload, organisations_of, published_by
from tests.federation import Federation, IngestingDatabase, migrated_copies
from tests.publisher.bus import dead_letter_ids, declare

if TYPE_CHECKING:  # imported here, pytest would take the class for a test case
    from tests.federation import TestNode

# The 5,000 changes where the broker restarts too (RabbitMQ and PostgreSQL); fewer on
# the embedded pass, which runs the same kills but would double the suite's time at full size.
CHANGES = int(os.environ.get("NETTUNGEN_FAULTS_CHANGES") or (5000 if TEST_BROKER_URL else 2000))
SEED = int(os.environ.get("NETTUNGEN_FAULTS_SEED") or secrets.randbelow(2**32))
CONVERGENCE_SECONDS = 60.0
CONSUMERS = ("search", "reporting")
# Search's ingest scaled out: this many consumer processes on its one queue (issue 22).
SEARCH_CONSUMERS = 2
ROTATE_AT, REDACT_AT = CHANGES // 3, CHANGES // 2


@dataclass
class National:
    """A national service's database and the queue its ingest consumes."""

    name: str
    database: IngestingDatabase
    queue: str

    def close(self, bus_url: str) -> None:
        """Let go of the database; delete the queues from a broker others use too."""
        self.database.engine.dispose()
        self.database.client.close()
        if bus_url.startswith("amqp"):
            from kombu import Connection

            with Connection(bus_url) as connection:
                channel = connection.channel()
                for queue in (self.queue, f"{self.queue}.dead"):
                    channel.queue_delete(queue)


def national(name: str, database_factory: Callable[..., str], nodes: list[TestNode]) -> National:
    """The service's migrated database, trusting ``nodes``, and a queue of its own."""
    if name == "search":
        from services.search import db as service_db
        from services.search.index.sink import SearchSink as sink
    else:
        from services.reporting import db as service_db
        from services.reporting.history.sink import HistorySink as sink  # type: ignore[assignment]
    url = migrated_copies(database_factory, service_db.upgrade)()
    database = IngestingDatabase(url, create_engine(url), httpx.Client(), sink)
    for node in nodes:
        database.trust(node)
    return National(name, database, f"faults.{name}.{uuid.uuid4().hex[:8]}")


def ingest_processes(service: str) -> list[str]:
    """The names of the service's ingest processes: search's several share its queue."""
    if service == "search" and SEARCH_CONSUMERS > 1:
        return [f"search-ingest-{n}" for n in range(1, SEARCH_CONSUMERS + 1)]
    return [f"{service}-ingest"]


@pytest.fixture
def federation(node_database_factory, tmp_path) -> Iterator[Federation]:  # type: ignore[no-untyped-def]
    federation = Federation(node_database_factory, tmp_path)
    yield federation
    federation.close()


def start_services(
    nodes: list[TestNode], nationals: list[National], bus_url: str, folder: Path
) -> dict[str, Service]:
    folder.mkdir(parents=True, exist_ok=True)
    services = {}
    for node in nodes:
        env = environment(
            DATABASE_URL=str(node.engine.url.render_as_string(hide_password=False)),
            NODE_BASE_URL=node.base_url,
            BROKER_URL=bus_url,
            INSTANCE_PATH=str(folder / node.id),
        )
        services[f"relay-{node.id}"] = Service(
            f"relay-{node.id}", ["publisher", "relay"], env, folder
        )
    for service in nationals:
        env = environment(
            DATABASE_URL=service.database.url,
            BROKER_URL=bus_url,
            INGEST_QUEUE=service.queue,
            INSTANCE_PATH=str(folder / service.name),
        )
        for name in ingest_processes(service.name):
            services[name] = Service(name, [service.name, "ingest", "--no-feeds"], env, folder)
    for service in services.values():
        service.start()
    return services


@dataclass(frozen=True)
class Copies:
    """What the national services hold: rows, and the (offer, version) of each."""

    search_rows: int
    search: set[tuple[str, int]]
    reporting_rows: int
    reporting: set[tuple[str, int, bool]]
    # Versions of the redacted offers whose stored document still names the contact.
    unredacted: set[tuple[str, str, int]]

    @classmethod
    def read(cls, search: National, reporting: National, redacted: set[str]) -> Copies:
        with Session(search.database.engine) as session:
            indexed = session.execute(select(IndexedOffer.offer_uri, IndexedOffer.version)).all()
            unredacted = _unredacted(session, IndexedOffer, "search", redacted)
        with Session(reporting.database.engine) as session:
            history = session.execute(
                select(OfferVersion.offer_uri, OfferVersion.version, OfferVersion.withdrawn)
            ).all()
        return cls(
            len(indexed),
            {(uri, version) for uri, version in indexed},
            len(history),
            {(uri, version, withdrawn) for uri, version, withdrawn in history},
            unredacted,
        )

    def equal(self, published: Published) -> bool:
        return (
            not self.unredacted
            and self.search == published.current
            and self.search_rows == len(published.current)
            and self.reporting == published.versions
            and self.reporting_rows == len(published.versions)
        )

    def comparison(self, published: Published) -> list[str]:
        def row(what: str, rows: int, held: set, expected: set) -> str:  # type: ignore[type-arg]
            return (
                f"{what:<28} expected {len(expected):5d}  held {len(held):5d} in {rows:5d} rows  "
                f"missing {len(expected - held):5d}  not expected {len(held - expected):5d}"
            )

        stale = {uri for uri, _ in published.current} & {uri for uri, _ in self.search}
        stale -= {uri for uri, _ in published.current & self.search}
        return [
            f"{'nodes logged':<28} {published.log_rows:5d} versions",
            row("search (current versions)", self.search_rows, self.search, published.current),
            f"{'':<28} stale (an older version) {len(stale)}",
            row(
                "reporting (every version)", self.reporting_rows, self.reporting, published.versions
            ),
            f"{'redacted, still named':<28} {sorted(self.unredacted)}",
        ]


def _unredacted(
    session: Session, model: type[IndexedOffer], name: str, uris: set[str]
) -> set[tuple[str, str, int]]:
    """The stored versions of the offers ``uris`` whose document names a person as contact
    (search's; reporting keeps no contact at all)."""
    rows = session.execute(
        select(model.offer_uri, model.version, model.document).where(model.offer_uri.in_(uris))
    )
    return {
        (name, uri, version)
        for uri, version, document in rows
        if has_personal_data(json.loads(document))
    }


def wait_for_copies(
    search: National, reporting: National, published: Published, redacted: set[str]
) -> Copies:
    deadline = time.monotonic() + CONVERGENCE_SECONDS
    while True:
        copies = Copies.read(search, reporting, redacted)
        if copies.equal(published) or time.monotonic() > deadline:
            return copies
        time.sleep(0.5)


def rejected(service: National) -> list[str]:
    """The service's refusals: which node or source, which event, why (for the failure's
    message: refusals from an unknown node mean another run shared the broker)."""
    with Session(service.database.engine) as session:
        rows = session.scalars(select(RejectedEvent).order_by(RejectedEvent.id))
        return [f"{r.via} {r.node_id or r.source} {r.event_id}: {r.reason}" for r in rows]


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Outcome:
    """What a run under faults left: the nodes' record, the national copies, and the rest."""

    published: Published
    copies: Copies
    converged: float  # seconds from the last recovery until the copies were equal (or not)
    crashed: dict[str, int]  # services that exited by themselves, with their exit codes
    dead: dict[str, list[str]]  # dead-lettered message ids by service
    refused: dict[str, list[str]]  # rejected events by service
    cpu: tuple[float, float]  # CPU seconds of the workload's process, and of the services'


def run_under_faults(
    workload: Workload,
    chaos: Chaos,
    services: dict[str, Service],
    nationals: tuple[National, National],
    bus_url: str,
) -> Outcome:
    """Make every change while the faults happen, then wait for the copies to converge."""
    timeline, (search, reporting) = chaos.timeline, nationals
    before = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    try:
        chaos.start()
        redacted: set[str] = set()
        for number in range(CHANGES):
            if number == ROTATE_AT:
                timeline.note(f"signing key of {workload.rotate_key()} rotated")
            if number == REDACT_AT:
                redacted.add(workload.redact())
                timeline.note(f"personal data of {min(redacted)} redacted")
            workload.change()
        timeline.note("workload done")
        chaos.join(timeout=120)
        timeline.note("every fault recovered")
        published = published_by([state.node for state in workload.publishing])
        recovered = time.monotonic()
        copies = wait_for_copies(search, reporting, published, redacted)
        converged = time.monotonic() - recovered
        timeline.note(f"copies compared after {converged:.1f} s")
        crashed = {name: code for name, s in services.items() if (code := s.exited()) is not None}
    finally:
        chaos.abort()
        for process in services.values():
            process.stop()
        dead = {s.name: dead_letter_ids(bus_url, s.queue) for s in nationals}
        refused = {s.name: rejected(s) for s in nationals}
        for copy in nationals:
            copy.close(bus_url)
    cpu = (
        cpu_seconds(resource.RUSAGE_SELF) - before[0],
        cpu_seconds(resource.RUSAGE_CHILDREN) - before[1],
    )
    return Outcome(published, copies, converged, crashed, dead, refused, cpu)


def test_crashes_and_a_broker_restart_lose_duplicate_and_leave_stale_nothing(
    federation, database_factory, bus_url, tmp_path, capsys
):
    amqp = not bus_url.startswith("embedded://")
    nodes = [federation.node(node_id, organisations_of(node_id)) for node_id in NODES]
    search, reporting = (national(name, database_factory, nodes) for name in CONSUMERS)
    for service in (search, reporting):
        declare(bus_url, service.queue)  # before the relays start: nothing is unroutable
    services = start_services(nodes, [search, reporting], bus_url, tmp_path / "processes")
    workload = Workload(nodes, SEED)
    timeline = Timeline(lambda: workload.done)
    kills = {f"relay-{node.id}": 1 for node in nodes} | {
        name: 2 for n in CONSUMERS for name in ingest_processes(n)
    }
    plan = Plan.draw(SEED, CHANGES, kills, broker_restarts=1 if amqp else 0)
    chaos = Chaos(plan, services, timeline)
    outcome = run_under_faults(workload, chaos, services, (search, reporting), bus_url)
    comparison = outcome.copies.comparison(outcome.published)
    with capsys.disabled():
        kind = "RabbitMQ and " if amqp else "the embedded bus and "
        kind += "PostgreSQL" if TEST_DATABASE_URL else "SQLite"
        print(
            f"\nfault suite: seed {SEED}, {CHANGES} changes over {len(nodes)} nodes, {kind}, "
            f"{SEARCH_CONSUMERS} search consumers on one queue"
        )
        print("\n".join([*timeline.lines(), *comparison]))
        print(
            f"converged {outcome.converged:.1f} s after recovery; dead letters {outcome.dead}; "
            f"rejected { {name: len(r) for name, r in outcome.refused.items()} }; "
            f"CPU seconds: workload {outcome.cpu[0]:.0f}, "
            f"services {outcome.cpu[1]:.0f}"
        )

    assert outcome.published.log_rows == len(outcome.published.versions) == CHANGES
    notes = [what for *_, what in timeline.entries]
    assert any(what.startswith("signing key of") for what in notes)
    assert any(what.startswith("personal data of") for what in notes)
    assert not outcome.crashed, f"exited by themselves: {outcome.crashed}"
    kills_done = sum(1 for *_, what in timeline.entries if what.startswith("killed"))
    assert kills_done == sum(kills.values())
    assert amqp == any(what == "broker started again" for *_, what in timeline.entries)
    assert outcome.copies.equal(outcome.published), "\n".join(comparison)
    assert outcome.converged <= CONVERGENCE_SECONDS
    assert outcome.dead == {"search": [], "reporting": []}
    assert outcome.refused == {"search": [], "reporting": []}
