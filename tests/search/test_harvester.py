"""The feed road: harvesting nodes' LDES streams, resuming, conditional polls, bounds."""

from __future__ import annotations

import json
import time
import tracemalloc
import zlib

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.ingest.http import FetchError, Limits, get_json
from shared.ingest.models import HarvestCursor, RejectedEvent
from tests.federation import KONGSBERG, OSLO
from tests.publisher.node import ORGANISATIONS

DRAMMEN = {"municipality": ORGANISATIONS["municipality"], "kongsberg": KONGSBERG}


def _cursor(index, node_id: str) -> HarvestCursor:
    with Session(index.engine) as session:
        cursor = session.get(HarvestCursor, node_id)
        assert cursor is not None
        return cursor


def test_harvest_reads_every_page_and_resumes_where_it_stopped(federation, index):
    node = federation.node("kommune", DRAMMEN, page_size=4)
    index.trust(node)
    with node.builder() as b:
        ids = [b.publish(name=f"Tilbud {i}") for i in range(9)]
        b.revise(ids[0], name="Tilbud 0, revidert")
        b.withdraw(ids[1])
    harvester = index.harvester()
    [report] = harvester.harvest_all()
    assert (report.pages, report.applied, report.rejected, report.error) == (3, 11, 0, None)
    assert index.indexed() == node.published()
    assert _cursor(index, node.id).last_sequence == 11

    # Nothing new: the root answers 304 to the stored ETag, and no page is read.
    before = len(federation.transport.requests)
    [idle] = harvester.harvest_all()
    assert (idle.pages, idle.applied) == (0, 0)
    assert federation.transport.requests[before:] == [f"{node.base_url}/ldes"]

    with node.builder() as b:
        b.publish("kongsberg", name="Nytt i Kongsberg", coverage=["3303"])
        b.withdraw(ids[2])
    [more] = harvester.harvest_all()
    # Resumes in page 3 (sequence 9-12), then page 4: never page 1 or 2 again.
    pages = [u for u in federation.transport.requests[before:] if "/pages/" in u]
    assert pages == [f"{node.base_url}/ldes/pages/3", f"{node.base_url}/ldes/pages/4"]
    assert (more.applied, more.ignored) == (2, 0)
    assert index.indexed() == node.published()


def test_a_round_is_bounded_and_the_next_one_goes_on(federation, index):
    node = federation.node("kommune", DRAMMEN, page_size=2)
    index.trust(node)
    with node.builder() as b:
        for i in range(7):
            b.publish(name=f"Tilbud {i}")
    harvester = index.harvester(max_pages=2)
    assert [r.pages for r in harvester.harvest_all()] == [2]
    assert _cursor(index, node.id).last_sequence == 4
    assert [r.pages for r in harvester.harvest_all()] == [2]
    assert index.indexed() == node.published()


def test_a_node_over_its_ingest_rate_is_deferred_to_the_next_round(federation, index):
    from shared.ingest.rates import NodeRates

    node = federation.node("kommune", DRAMMEN, page_size=2)
    index.trust(node)
    with node.builder() as b:
        for i in range(7):
            b.publish(name=f"Tilbud {i}")
    now = [0.0]
    rates = NodeRates(3, clock=lambda: now[0])  # three events a minute, a minute's burst
    harvester = index.harvester(rates=rates)
    # Page 1 (2 events), page 2 (2 more: over by one), then the round ends for this node.
    [report] = harvester.harvest_all()
    assert (report.pages, report.applied, report.deferred, report.error) == (2, 4, True, None)
    assert _cursor(index, node.id).last_sequence == 4
    [waiting] = harvester.harvest_all()
    assert (waiting.pages, waiting.deferred) == (0, True)
    now[0] = 40.0  # two events' worth again
    [report] = harvester.harvest_all()
    assert (report.applied, _cursor(index, node.id).last_sequence) == (2, 6)
    now[0] = 200.0
    harvester.harvest_all()
    assert index.indexed() == node.published()


def test_refused_events_are_recorded_and_passed(federation, index):
    node = federation.node("kommune", {**DRAMMEN, "oslo": OSLO}, page_size=3)
    index.trust(node, organisations=[DRAMMEN["municipality"][0]])
    with node.builder() as b:
        b.publish(name="I Drammen")
        oslo = b.publish("oslo", name="I Oslo", coverage=["0301"])
        b.publish(name="Også i Drammen")
    [report] = index.harvester().harvest_all()
    assert (report.applied, report.rejected) == (2, 1)
    published = node.published()
    del published[f"{node.base_url}/offers/{oslo}"]
    assert index.indexed() == published
    with Session(index.engine) as session:
        [rejected] = session.scalars(select(RejectedEvent)).all()
    assert rejected.via == "feed" and rejected.node_id == node.id
    assert "may not publish for organisation 910000063" in rejected.reason
    assert _cursor(index, node.id).last_sequence == 3


def test_an_event_refused_while_applying_leaves_the_rest_of_its_page_applied(federation, index):
    # A withdrawal from a node no longer trusted for the offer's organisation is verified, but
    # refused when applied because nothing of the offer is here: the page is applied again
    # event by event, and only that event is left out.
    node = federation.node("kommune", {**DRAMMEN, "oslo": OSLO}, page_size=4)
    index.trust(node, organisations=[DRAMMEN["municipality"][0]])
    with node.builder() as b:
        first = b.publish(name="I Drammen")
        oslo = b.publish("oslo", name="I Oslo", coverage=["0301"])
        b.withdraw(oslo, "oslo")
        last = b.publish(name="Også i Drammen")
    [report] = index.harvester().harvest_all()
    assert (report.applied, report.rejected, report.error) == (2, 2, None)
    assert set(index.indexed()) == {f"{node.base_url}/offers/{i}" for i in (first, last)}
    with Session(index.engine) as session:
        reasons = sorted(r.reason for r in session.scalars(select(RejectedEvent)))
    assert len(reasons) == 2
    assert sum("has nothing here to withdraw" in reason for reason in reasons) == 1
    assert all("may not publish for organisation 910000063" in reason for reason in reasons)
    assert _cursor(index, node.id).last_sequence == 4


JSON = {"Content-Type": "application/json"}


def _serving(document: object) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(200, json=document)))


def test_fetches_are_bounded_in_size():
    chunks = [b'{"events": ["', *([b"x" * 500] * 10), b'"]}']
    client = httpx.Client(
        transport=httpx.MockTransport(
            lambda _: httpx.Response(200, content=iter(chunks), headers=JSON)
        )
    )
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        get_json(client, "https://n.test/ldes", Limits(max_bytes=1000))
    big = httpx.Client(
        transport=httpx.MockTransport(
            lambda _: httpx.Response(
                200, content=b"{}", headers={**JSON, "Content-Length": "99999999"}
            )
        )
    )
    with pytest.raises(FetchError, match="99999999 bytes"):
        get_json(big, "https://n.test/ldes", Limits(max_bytes=1000))


def _gzipped(body: bytes) -> bytes:
    compress = zlib.compressobj(9, zlib.DEFLATED, 31)
    return compress.compress(body) + compress.flush()


def _answering(body: bytes, encoding: str) -> httpx.Client:
    """A node answering ``body`` as it comes off the network (not yet decoded by httpx)."""
    headers = {**JSON, "Content-Encoding": encoding}
    return httpx.Client(
        transport=httpx.MockTransport(
            lambda _: httpx.Response(200, content=iter([body]), headers=headers)
        )
    )


def test_compressed_answers_are_inflated_no_further_than_the_limit():
    root = {"page_size": 250, "last_sequence": 3}
    gzipped = _answering(_gzipped(json.dumps(root).encode()), "gzip")
    assert get_json(gzipped, "https://n.test/ldes", Limits()).document == root
    # 64 kilobytes that inflate to 64 MiB: read no further than the limit.
    bomb = _answering(_gzipped(b"[" + b" " * 64 * 1024 * 1024), "gzip")
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="larger than 1048576 bytes"):
            get_json(bomb, "https://n.test/ldes", Limits(max_bytes=1024 * 1024))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * 1024 * 1024
    for body, encoding, message in [
        (b"not gzip at all", "gzip", "not usable gzip"),
        (_gzipped(b"[1, 2, 3]")[:-12], "gzip", "ends before its compressed body does"),
        (b"[]", "br", "compressed as 'br', which was not asked for"),
    ]:
        with pytest.raises(FetchError, match=message):
            get_json(_answering(body, encoding), "https://n.test/ldes", Limits())


def test_fetches_are_bounded_in_time_even_when_bytes_trickle():
    def trickle():  # a node that sends a byte every 0.2 s, for ever
        while True:
            time.sleep(0.2)
            yield b" "

    client = httpx.Client(
        transport=httpx.MockTransport(
            lambda _: httpx.Response(200, content=trickle(), headers=JSON)
        )
    )
    started = time.monotonic()
    with pytest.raises(FetchError, match="took longer than 1.0 s"):
        get_json(client, "https://n.test/ldes", Limits(timeout=1.0))
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    ("root", "message"),
    [
        ([], "not a JSON object"),
        ({"page_size": 0, "last_sequence": 1}, "page_size 0"),
        ({"page_size": True, "last_sequence": 1}, "page_size True"),
        ({"page_size": 10, "last_sequence": -1}, "last_sequence -1"),
    ],
)
def test_malformed_roots_stop_the_round_with_a_reason(federation, index, root, message):
    node = federation.node("kommune", DRAMMEN)
    index.trust(node)
    harvester = index.harvester()
    harvester.client = _serving(root)
    [report] = harvester.harvest_all()
    assert message in (report.error or "")
    assert _cursor(index, node.id).last_error == report.error


def test_pages_that_lie_about_their_contents_are_refused(federation, index):
    node = federation.node("kommune", DRAMMEN, page_size=2)
    index.trust(node)
    with node.builder() as b:
        for i in range(3):
            b.publish(name=f"Tilbud {i}")
    events = node.events()

    def hostile(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/ldes":
            return httpx.Response(200, json={"page_size": 2, "last_sequence": 3})
        # Page 1 claims to hold sequence 3, which belongs on page 2.
        return httpx.Response(
            200, json={"page": 1, "complete": True, "events": [events[2], events[0]]}
        )

    harvester = index.harvester()
    harvester.client = httpx.Client(transport=httpx.MockTransport(hostile))
    [report] = harvester.harvest_all()
    assert "out of order or out of range" in (report.error or "")
    assert index.indexed() == {}
    assert _cursor(index, node.id).last_sequence == 0


def test_an_etag_too_long_to_keep_is_not_kept(federation, index):
    node = federation.node("kommune", DRAMMEN)
    index.trust(node)
    harvester = index.harvester()
    harvester.client = httpx.Client(
        transport=httpx.MockTransport(
            lambda _: httpx.Response(
                200, json={"page_size": 250, "last_sequence": 0}, headers={"ETag": "x" * 5000}
            )
        )
    )
    for _ in range(2):  # the database could not hold it, every round
        [report] = harvester.harvest_all()
        assert report.error is None
        assert _cursor(index, node.id).root_etag is None


def test_a_node_that_went_backwards_is_reported_not_applied(federation, index):
    node = federation.node("kommune", DRAMMEN)
    index.trust(node)
    with node.builder() as b:
        b.publish()
    index.harvester().harvest_all()
    harvester = index.harvester()
    harvester.client = _serving({"page_size": 250, "last_sequence": 0})
    [report] = harvester.harvest_all()
    assert "was the node reset" in (report.error or "")
    assert len(index.indexed()) == 1


def test_an_event_signed_with_a_key_not_yet_known_waits_for_the_next_round(federation, index):
    from shared.ingest import node_keys
    from shared.publication import keys
    from tests.conftest import TEST_PASSPHRASE

    node = federation.node("kommune", DRAMMEN, page_size=10)
    index.trust(node)
    with node.builder() as b:
        b.publish(name="Før")
    with Session(node.engine) as session, session.begin():
        keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))
    with node.builder() as b:
        b.publish(name="Etter")
    harvester = index.harvester()
    real_client = harvester.client
    # The node's JWKS cannot be read this round: the second event waits, it is not skipped.
    unreachable = httpx.Client(
        transport=httpx.MockTransport(
            lambda r: (
                httpx.Response(503)
                if r.url.path.endswith("jwks.json")
                else real_client.get(str(r.url), headers=dict(r.headers))
            )
        )
    )
    harvester.client = harvester.verifier.client = unreachable
    [report] = harvester.harvest_all()
    assert "waiting at sequence 2" in (report.error or "")
    assert (report.applied, report.rejected) == (1, 0)
    assert _cursor(index, node.id).last_sequence == 1
    harvester.client = harvester.verifier.client = real_client
    harvester.verifier.refresh_interval = 0
    # Read now, the new key is pending: the event waits until the operator approves it.
    [later] = harvester.harvest_all()
    assert "not trusted here" in (later.error or "")
    with index.sessions.begin() as session:
        [pending] = node_keys.list_keys(session, node.id, state="pending")
        node_keys.approve_key(session, node.id, pending.key_id)
    [approved] = harvester.harvest_all()
    assert (approved.applied, approved.error) == (1, None)
    assert index.indexed() == node.published()


def test_granting_an_organisation_brings_what_was_refused_before(federation, index):
    from shared.ingest import directory

    node = federation.node("kommune", {**DRAMMEN, "oslo": OSLO}, page_size=10)
    index.trust(node, organisations=[DRAMMEN["municipality"][0]])
    with node.builder() as b:
        b.publish("oslo", name="I Oslo", coverage=["0301"])
        b.publish(name="I Drammen")
    harvester = index.harvester()
    [first] = harvester.harvest_all()
    assert (first.applied, first.rejected) == (1, 1)
    with index.sessions.begin() as session:
        directory.grant(session, node.id, [OSLO[0]])
    [again] = harvester.harvest_all()
    assert (again.applied, again.ignored, again.rejected) == (1, 1, 0)
    assert index.indexed() == node.published()


def test_one_nodes_trouble_never_stops_the_others(federation, index):
    good = federation.node("kommune", DRAMMEN)
    bad = federation.node("oslo", {"oslo": OSLO})
    index.trust(bad)
    index.trust(good)
    with good.builder() as b:
        b.publish()
    with bad.builder() as b:
        b.publish("oslo", coverage=["0301"])
    harvester = index.harvester()
    sink = harvester.sink
    original = sink.publish_many

    def breaks_on_oslo(session, events):  # type: ignore[no-untyped-def]
        if any(event.node.id == "oslo" for event in events):
            raise RuntimeError("a bug met by one node's data")
        original(session, events)

    sink.publish_many = breaks_on_oslo  # type: ignore[method-assign]
    reports = {r.node_id: r for r in harvester.harvest_all()}
    assert "RuntimeError" in (reports["oslo"].error or "")
    assert reports["kommune"].applied == 1 and reports["kommune"].error is None
    assert index.indexed() == good.published()
    assert _cursor(index, "oslo").last_sequence == 0  # nothing of it was lost


def test_deeply_nested_or_overlong_json_is_a_bad_answer_not_a_crash():
    for body in (b"[" * 100_000, b"1" * 5000, b"\xff\xfe"):
        client = httpx.Client(
            transport=httpx.MockTransport(
                lambda _, b=body: httpx.Response(200, content=b, headers=JSON)
            )
        )
        with pytest.raises(FetchError, match="not usable JSON"):
            get_json(client, "https://n.test/ldes", Limits())
