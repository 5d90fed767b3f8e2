"""A harvester facing broken and hostile nodes on real sockets stays bounded and serves the rest.

The nodes (:mod:`tests.shared.hostile_nodes`) never answer, drip their headers or body a byte
at a time, send without end, redirect elsewhere, serve pages that never advance, or present a
certificate that is self-signed, expired or for another host. They are harvested in one round
with a healthy node served over TLS by a test CA the harvester is told to trust (through
``HARVEST_CA_FILE``): every hostile node's share of the round ends within its deadline with
the reason recorded, and the healthy node is read fully without waiting for them.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from shared.ingest import directory
from shared.ingest.config import build_client
from shared.ingest.directory import TrustedNode
from shared.ingest.harvester import Harvester, HarvestReport
from shared.ingest.http import FetchError, Limits, get_json, new_client
from shared.ingest.models import HarvestCursor
from shared.signing import VerificationKey, generate_private_key, public_bytes
from tests.federation import KONGSBERG, Federation
from tests.publisher.node import ORGANISATIONS
from tests.search.federation import SearchIndex, new_search_index
from tests.shared.hostile_nodes import (
    HostileNode,
    ServedApp,
    TestCA,
    closing_all,
    drip_body,
    drip_headers,
    drip_tls_handshake,
    endless,
    looping_feed,
    redirect_to,
    silent,
)

DRAMMEN = {"municipality": ORGANISATIONS["municipality"], "kongsberg": KONGSBERG}
ROUND_SECONDS = 2.0
LIMITS = Limits(timeout=1.0, connect_timeout=1.0, max_bytes=256 * 1024)
SLACK = 2.0  # for thread scheduling on a busy two-core machine (CI runs PostgreSQL beside)


@pytest.fixture
def ca(tmp_path) -> TestCA:
    return TestCA(tmp_path)


@pytest.fixture
def federation(node_database_factory, tmp_path) -> Iterator[Federation]:
    federation = Federation(node_database_factory, tmp_path)
    yield federation
    federation.close()


@pytest.fixture
def index(service_databases, ca) -> Iterator[SearchIndex]:
    client = build_client({"HARVEST_CA_FILE": str(ca.ca_file)})
    index = new_search_index(service_databases["search"], client)
    yield index
    index.engine.dispose()
    client.close()


def _trust_stranger(index: SearchIndex, node_id: str, url: str) -> None:
    key = VerificationKey("stranger", public_bytes(generate_private_key()), None)
    with index.sessions.begin() as session:
        directory.add_node(
            session, node_id=node_id, name=node_id, url=url, keys=[key], allow_http_loopback=True
        )


def _healthy_node(federation: Federation, index: SearchIndex, ca: TestCA) -> ServedApp:
    served = ServedApp(tls=ca.server_context("healthy"))
    node = federation.node("healthy", DRAMMEN, page_size=2, base_url=served.url)
    served.app = node.app
    index.trust(node)
    with node.builder() as b:
        for i in range(5):
            b.publish(name=f"Tilbud {i}")
    return served


def test_a_round_is_bounded_by_hostile_nodes_and_serves_the_healthy_one(federation, index, ca):
    elsewhere = HostileNode(looping_feed)
    hostile = {
        "silent": (HostileNode(silent), r"took too long \((Read|Connect)Timeout"),
        "drip-headers": (HostileNode(drip_headers), r"took too long \((Read|Connect)Timeout"),
        "drip-body": (HostileNode(drip_body), r"took (too long|longer than)"),
        "endless": (HostileNode(endless), r"/ldes is larger than 262144 bytes"),
        "redirect": (HostileNode(redirect_to(elsewhere.url)), r"/ldes answered 302"),
        "loop": (HostileNode(looping_feed), r"page 1 says it is complete but ends at sequence 0"),
        "self-signed": (
            HostileNode(looping_feed, tls=ca.server_context("self", self_signed=True)),
            r"certificate verify failed: self.signed certificate",
        ),
        "expired": (
            HostileNode(looping_feed, tls=ca.server_context("expired", days=(-10, -1))),
            r"certificate verify failed: certificate has expired",
        ),
        "wrong-host": (
            HostileNode(looping_feed, tls=ca.server_context("wrong", host="elsewhere.test")),
            r"certificate verify failed: IP address mismatch",
        ),
    }
    served = _healthy_node(federation, index, ca)
    servers = [elsewhere, served, *(server for server, _ in hostile.values())]
    with closing_all(*servers):
        for node_id, (server, _) in hostile.items():
            _trust_stranger(index, node_id, server.url)
        harvester = index.harvester(
            limits=LIMITS, round_seconds=ROUND_SECONDS, concurrency=len(hostile) + 1
        )
        reports, finished, round_seconds = _timed_round(harvester)

        print(f"\nround over {len(reports)} nodes: {round_seconds:.2f} s")
        for node_id, report in reports.items():
            print(f"  {node_id:<13} done after {finished[node_id]:.2f} s: {report.error}")
        healthy = reports["healthy"]
        assert (healthy.error, healthy.applied, healthy.pages) == (None, 5, 3)
        assert index.indexed() == federation.nodes["healthy"].published()
        # Served without waiting for the hostile nodes, which end within their deadline.
        assert finished["healthy"] < ROUND_SECONDS
        assert round_seconds < ROUND_SECONDS + SLACK
        with Session(index.engine) as session:
            for node_id, (server, reason) in hostile.items():
                report = reports[node_id]
                assert re.search(reason, report.error or ""), (node_id, report.error)
                assert report.seconds < ROUND_SECONDS + SLACK, node_id
                cursor = session.get(HarvestCursor, node_id)
                assert cursor is not None and cursor.last_error == report.error
                assert (cursor.last_sequence, report.applied) == (0, 0)
                if node_id in ("self-signed", "expired", "wrong-host"):
                    assert server.paths == [], "nothing is asked of a node not verified"
        assert elsewhere.paths == [], "a redirect is never followed"
        # Without the test CA the healthy node's certificate is refused like any other.
        with pytest.raises(FetchError, match="certificate verify failed"):
            get_json(new_client(), f"{served.url}/ldes", LIMITS)


def _timed_round(harvester: Harvester) -> tuple[dict[str, HarvestReport], dict[str, float], float]:
    """Reports of one round, the seconds after its start at which each node was done, and
    the seconds the round took."""
    finished: dict[str, float] = {}
    harvest = harvester.harvest

    def timed(node: TrustedNode) -> HarvestReport:
        report = harvest(node)
        finished[node.id] = time.monotonic() - started
        return report

    harvester.harvest = timed  # type: ignore[method-assign]
    started = time.monotonic()
    reports = {report.node_id: report for report in harvester.harvest_all()}
    return reports, finished, time.monotonic() - started


def test_a_hanging_node_delays_the_others_only_when_nodes_are_read_one_by_one(
    federation, index, ca
):
    hanging = HostileNode(silent)
    served = _healthy_node(federation, index, ca)
    with closing_all(hanging, served):
        _trust_stranger(index, "hanging", hanging.url)  # before "healthy" in every round
        finished = {}
        for concurrency in (1, 2):
            with index.sessions.begin() as session:
                directory.reharvest(session, "healthy")
            # The hanging node is given up on by its fetches' timeouts or the round's end;
            # the healthy one has three seconds, however busy the machine is (CI's was not
            # enough for one second).
            harvester = index.harvester(limits=LIMITS, round_seconds=3.0, concurrency=concurrency)
            reports, finished[concurrency], _ = _timed_round(harvester)
            assert (reports["healthy"].error, reports["healthy"].pages) == (None, 3)
            assert reports["hanging"].error
        print(
            f"\nthe healthy node was read after {finished[1]['healthy']:.2f} s one node at a "
            f"time, after {finished[2]['healthy']:.2f} s two at a time, beside a node that never "
            f"answers (given up after {finished[2]['hanging']:.2f} s)"
        )
        assert finished[1]["hanging"] < finished[1]["healthy"]  # it waited for the hanging node
        assert finished[2]["healthy"] < finished[2]["hanging"]  # it did not


def test_an_endless_answer_is_read_no_further_than_the_limit(index):
    limit = 1024 * 1024
    server = HostileNode(endless)
    with closing_all(server):
        _trust_stranger(index, "endless", server.url)
        harvester = index.harvester(limits=Limits(timeout=5.0, max_bytes=limit))
        [node] = harvester.verifier.directory.current().harvested()
        tracemalloc.start()
        try:
            report = harvester.harvest(node)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        print(f"\nan endless answer: {server.sent} bytes sent, {peak} bytes at most held")
        assert f"larger than {limit} bytes" in (report.error or "")
        assert peak < 3 * limit


@pytest.mark.parametrize(
    ("behaviour", "scheme", "at_connect"),
    [
        (silent, "http", False),
        (drip_headers, "http", False),
        (drip_body, "http", False),
        (silent, "https", False),
        (drip_tls_handshake, "https", True),
    ],
    ids=["silent", "drip-headers", "drip-body", "silent-tls", "drip-tls-handshake"],
)
def test_every_fetch_ends_at_its_deadline_whatever_the_node_drips(behaviour, scheme, at_connect):
    server = HostileNode(behaviour, at_connect=at_connect)
    url = server.url.replace("http:", f"{scheme}:") + "/ldes"
    with closing_all(server):
        started = time.monotonic()
        # Every socket operation alone would be allowed far longer than the whole fetch.
        with pytest.raises(FetchError, match="took (too long|longer than)"):
            get_json(new_client(), url, Limits(timeout=0.5, connect_timeout=5.0))
        took = time.monotonic() - started
    assert 0.5 <= took < 0.5 + SLACK, took


def test_the_ca_file_is_checked_when_the_service_starts(tmp_path, ca):
    from services.reporting.config import CONFIG as REPORTING
    from services.search.config import CONFIG as SEARCH
    from shared.config import ConfigError, load_config

    for declared in (SEARCH, REPORTING):
        settings = load_config(declared, {"HARVEST_CA_FILE": str(ca.ca_file)}, environ={})
        assert (settings["HARVEST_CA_FILE"], settings["HARVEST_CONCURRENCY"]) == (
            str(ca.ca_file),
            4,
        )
        with pytest.raises(ConfigError, match="HARVEST_CA_FILE"):
            load_config(declared, {"HARVEST_CA_FILE": str(tmp_path / "missing.pem")}, environ={})
