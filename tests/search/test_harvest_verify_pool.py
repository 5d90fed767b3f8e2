"""Verification of a feed page in worker processes (``shared.ingest.verify_pool``): the same
verdicts, refusals recorded event by event as one process records them, a key rotation in the
middle of a page still taken in order, and a worker that dies or hangs an error, not a wait."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import signal
import time
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.ingest.models import HarvestCursor, RejectedEvent
from tests.federation import OSLO
from tests.search.federation import new_search_index
from tests.search.test_harvester import DRAMMEN

PAGE = 40  # a run this long goes to the workers (verify_pool.POOL_FROM is 32)


def _tampered(node: Any, real: httpx.Client, changes: dict[int, dict[str, Any]]) -> httpx.Client:
    """A client serving ``node``'s pages with the events at the given sequence numbers replaced
    (``forged``: the data changed, the signature kept; ``deep``: a name nested 600 deep, too
    deep to hand to a worker; else re-signed with ``changes``)."""

    def handle(request: httpx.Request) -> httpx.Response:
        answer = real.get(str(request.url), headers=dict(request.headers))
        if "/ldes/pages/" not in request.url.path:
            return answer
        page = answer.json()
        for position, event in enumerate(page["events"]):
            change = changes.get(int(event["sequence"]))
            if change == {"forged": True}:
                event["data"]["name"] = "Endret etter signering"
            elif change == {"deep": True}:  # too deep to hand to a worker (pickle)
                event["data"]["name"] = json.loads("[" * 600 + "]" * 600)
            elif change is not None:
                page["events"][position] = node.resign(event, **change)
        return httpx.Response(200, json=page)

    return httpx.Client(transport=httpx.MockTransport(handle))


def _harvest(
    index: Any, node: Any, processes: int, changes: dict[int, dict[str, Any]]
) -> tuple[Any, int]:
    """The report of one round with ``processes`` verifying, and how many workers ran."""
    harvester = index.harvester(verify_processes=processes)
    harvester.client = _tampered(node, harvester.client, changes)
    try:
        [report] = harvester.harvest_all()
        return report, len(multiprocessing.active_children())
    finally:
        harvester.close()


def _rejections(index: Any, node: Any) -> list[tuple[int, str]]:
    """(sequence number, reason) of each refusal recorded, in the order recorded."""
    sequences = {event["id"]: event["sequence"] for event in node.events()}
    with Session(index.engine) as session:
        rows = session.scalars(select(RejectedEvent).order_by(RejectedEvent.id)).all()
        return [(int(sequences[row.event_id]), row.reason) for row in rows]


def test_refusals_in_the_middle_of_a_page_are_the_same_as_in_one_process(
    federation, index, search_database_factory
):
    node = federation.node("kommune", {**DRAMMEN, "oslo": OSLO}, page_size=PAGE)
    one_process = new_search_index(search_database_factory, federation.client())
    for national in (index, one_process):
        national.trust(node, organisations=[DRAMMEN["municipality"][0]])
    with node.builder() as b:
        for i in range(PAGE):
            if i == 30:
                b.publish("oslo", name="I Oslo", coverage=["0301"])
            else:
                b.publish(name=f"Tilbud {i}")
    changes: dict[int, dict[str, Any]] = {
        5: {"deep": True},
        12: {"forged": True},
        25: {"data_name": 25},
    }
    pooled, workers = _harvest(index, node, 2, changes)
    assert workers == 2
    assert multiprocessing.active_children() == []  # the workers ended with the harvester
    alone, workers = _harvest(one_process, node, 0, changes)
    assert workers == 0
    for report in (pooled, alone):
        assert (report.applied, report.rejected, report.error) == (PAGE - 4, 4, None)
    reasons = _rejections(index, node)
    assert [sequence for sequence, _ in reasons] == [5, 12, 25, 31]
    assert "nested more than 16 deep" in reasons[0][1]
    assert "signature" in reasons[1][1]
    assert "name" in reasons[2][1]
    assert "may not publish for organisation 910000063" in reasons[3][1]
    assert reasons == _rejections(one_process, node)
    assert index.indexed() == one_process.indexed()
    assert len(index.indexed()) == PAGE - 4
    one_process.engine.dispose()


def test_a_key_rotation_in_a_pooled_page_is_taken_before_the_events_after_it(federation, index):
    from shared.publication import keys
    from tests.conftest import TEST_PASSPHRASE

    node = federation.node("kommune", DRAMMEN, page_size=2 * PAGE + 1)
    index.trust(node)
    with node.builder() as b:
        for i in range(PAGE):
            b.publish(name=f"Før {i}")
    with Session(node.engine) as session, session.begin():
        # Announced in the log (sequence 41): the 40 events after it need the new key.
        keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE), node.base_url)
    with node.builder() as b:
        for i in range(PAGE):
            b.publish(name=f"Etter {i}")
    harvester = index.harvester(verify_processes=2)
    try:
        [report] = harvester.harvest_all()
    finally:
        harvester.close()
    assert (report.applied, report.rejected, report.error) == (2 * PAGE, 0, None)
    assert index.indexed() == node.published()


def test_an_event_signed_by_a_key_not_held_in_a_pooled_run_pauses_the_page_there(federation, index):
    """Refused by the worker for its key, it is verified again in the harvester, which waits
    for the key (the next round tries again) rather than passing the event."""
    from shared.publication import keys
    from tests.conftest import TEST_PASSPHRASE

    node = federation.node("kommune", DRAMMEN, page_size=PAGE)
    index.trust(node)
    with node.builder() as b:
        for i in range(PAGE // 2):
            b.publish(name=f"Før {i}")
    with Session(node.engine) as session, session.begin():
        keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))  # not announced in the log
    with node.builder() as b:
        for i in range(PAGE // 2):
            b.publish(name=f"Etter {i}")
    harvester = index.harvester(verify_processes=2)
    try:
        [report] = harvester.harvest_all()
    finally:
        harvester.close()
    assert "waiting at sequence 21" in (report.error or "")
    assert (report.applied, report.rejected) == (20, 0)
    [(sequence, reason)] = _rejections(index, node)  # noted once, for the operator
    assert sequence == 21 and reason.startswith("waiting at sequence 21: unknown signing key")
    with Session(index.engine) as session:
        assert session.get(HarvestCursor, node.id).last_sequence == 20  # type: ignore[union-attr]


def test_a_node_changed_while_its_run_is_verified_is_verified_as_it_is_now(
    federation, index, monkeypatch
):
    """The operator disables the node (or a JWKS read retires a key) after a run was handed
    over: the rest is verified with the entry as it is now, as one process would."""
    from shared.ingest.directory import Directory
    from shared.ingest.verify_pool import VerifyPool

    node = federation.node("kommune", DRAMMEN, page_size=PAGE)
    index.trust(node)
    with node.builder() as b:
        for i in range(PAGE):
            b.publish(name=f"Tilbud {i}")
    harvester = index.harvester(verify_processes=2)
    handed_over = VerifyPool.submit

    def submit_then_disable(pool: Any, events: Any, trusted: Any) -> Any:
        pending = handed_over(pool, events, trusted)
        disabled = Directory([dataclasses.replace(trusted, enabled=False)])
        monkeypatch.setattr(harvester.verifier.directory, "current", lambda: disabled)
        return pending

    monkeypatch.setattr(VerifyPool, "submit", submit_then_disable)
    try:
        [report] = harvester.harvest_all()
    finally:
        harvester.close()
    assert (report.applied, report.rejected, report.error) == (0, PAGE, None)
    reasons = _rejections(index, node)
    assert [sequence for sequence, _ in reasons] == list(range(1, PAGE + 1))
    assert {reason for _, reason in reasons} == {"node 'kommune' is disabled in the directory"}
    assert index.indexed() == {}


def _killed(events: list[Any], node: Any, max_future: Any) -> list[Any]:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("not reached")


def _stuck(events: list[Any], node: Any, max_future: Any) -> list[Any]:
    time.sleep(600)
    raise AssertionError("not reached")


def test_a_worker_that_dies_is_an_error_and_the_next_round_reads_the_page_again(
    federation, index, monkeypatch
):
    node = federation.node("kommune", DRAMMEN, page_size=PAGE)
    index.trust(node)
    with node.builder() as b:
        for i in range(PAGE):
            b.publish(name=f"Tilbud {i}")
    harvester = index.harvester(verify_processes=2)
    try:
        monkeypatch.setattr("shared.ingest.verify_pool.verdicts", _killed)
        started = time.monotonic()
        [report] = harvester.harvest_all()
        assert time.monotonic() - started < 60
        assert "a verification worker died" in (report.error or "")
        assert (report.applied, report.rejected) == (0, 0)
        with Session(index.engine) as session:
            assert session.get(HarvestCursor, node.id).last_sequence == 0  # type: ignore[union-attr]
        assert index.indexed() == {}
        monkeypatch.undo()
        [again] = harvester.harvest_all()
        assert (again.applied, again.rejected, again.error) == (PAGE, 0, None)
        assert index.indexed() == node.published()
    finally:
        harvester.close()


def test_a_worker_that_does_not_answer_is_stopped_after_the_timeout(federation, index, monkeypatch):
    node = federation.node("kommune", DRAMMEN, page_size=PAGE)
    index.trust(node)
    with node.builder() as b:
        for i in range(PAGE):
            b.publish(name=f"Tilbud {i}")
    harvester = index.harvester(verify_processes=2)
    harvester.pool.timeout = 2.0
    monkeypatch.setattr("shared.ingest.verify_pool.verdicts", _stuck)
    started = time.monotonic()
    try:
        [report] = harvester.harvest_all()
    finally:
        harvester.close()
    assert time.monotonic() - started < 60
    assert "gave no answer in 2 s" in (report.error or "")
    assert (report.applied, index.indexed()) == (0, {})
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert multiprocessing.active_children() == []  # the stuck workers were killed


def test_the_workers_can_be_forked_before_any_page_and_end_with_the_harvester(index):
    harvester = index.harvester(verify_processes=3)
    try:
        harvester.pool.start()
        workers = multiprocessing.active_children()
        assert len(workers) == 3
        assert all(worker.is_alive() for worker in workers)
    finally:
        harvester.close()
    assert multiprocessing.active_children() == []
    alone = index.harvester(verify_processes=1)
    alone.pool.start()  # one process: it verifies itself, nothing is forked
    assert multiprocessing.active_children() == []


def test_ingest_once_forks_the_workers_first_and_leaves_none_behind(federation, index):
    from shared.ingest.cli import _ingest_once

    node = federation.node("kommune", DRAMMEN, page_size=PAGE)
    index.trust(node)
    with node.builder() as b:
        for i in range(PAGE):
            b.publish(name=f"Tilbud {i}")
    harvester = index.harvester(verify_processes=2)
    forked = []
    harvest_all = harvester.harvest_all

    def counted() -> Any:
        forked.append(len(multiprocessing.active_children()))
        return harvest_all()

    harvester.harvest_all = counted  # type: ignore[method-assign]
    _ingest_once(None, harvester)
    assert forked == [2]  # forked before the round (and its threads) began
    assert multiprocessing.active_children() == []
    assert index.indexed() == node.published()


def test_a_worker_keeps_what_it_inherited_out_of_its_garbage_collector(index):
    """A connection the harvester dropped but had not collected is never finalised in a
    worker (which would write to the socket the harvester still shares)."""
    import gc

    # An app made earlier in the same process may have frozen its own objects already
    # (create_app does): the worker freezes everything it inherited beyond those.
    before = gc.get_freeze_count()
    harvester = index.harvester(verify_processes=2)
    try:
        harvester.pool.start()
        frozen = harvester.pool._executor().submit(gc.get_freeze_count).result(timeout=30)
    finally:
        harvester.close()
    assert frozen > before + 10_000  # pytest and the application: far more objects than that
    assert gc.get_freeze_count() == before  # the harvester's own collector is untouched
