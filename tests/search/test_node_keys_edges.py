"""Which of a node's keys verify its events (shared.ingest.node_keys), at the edges: what a JWKS
read adds, retires, reports missing or listed again, the most keys pending (64, the directory's
limit), the operator's approval, a rotation event's trust, and the line the operator reads.

Each call is made straight on the index's database with the clock held still, so every
expectation is written by hand from the module's rules (docs/operations.md, "Keys").
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import delete, func, select

from shared.errors import Conflict, InvalidInput, NotFound
from shared.ingest import directory, node_keys
from shared.ingest.models import (
    KEY_PENDING,
    KEY_TRUSTED,
    FederationNode,
    FederationNodeKey,
    RejectedEvent,
)
from shared.ingest.node_keys import KeyChange
from shared.signing import VerificationKey, b64url, generate_private_key, key_id, public_bytes

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 3, 1, 12, 5, tzinfo=dt.UTC)


def new_key(last_sequence: int | None = None) -> VerificationKey:
    public = public_bytes(generate_private_key())
    return VerificationKey(key_id(public), public, last_sequence)


def again(key: VerificationKey, last_sequence: int | None = None) -> VerificationKey:
    """The same key as a JWKS lists it, perhaps with a last sequence number."""
    return VerificationKey(key.key_id, key.public, last_sequence)


@pytest.fixture
def clock(monkeypatch):
    now = [T0]
    monkeypatch.setattr(node_keys, "utcnow", lambda: now[0])
    monkeypatch.setattr(directory, "utcnow", lambda: now[0])
    return now


@pytest.fixture
def first(index, clock) -> VerificationKey:
    """Node "kommune", added with one trusted key at T0."""
    key = new_key()
    with index.sessions.begin() as session:
        directory.add_node(
            session,
            node_id="kommune",
            name="Drammen",
            url="https://kommune.node.test",
            keys=[key],
            organisations=["910000012"],
        )
    return key


def observe(index, *keys: VerificationKey) -> list[KeyChange]:
    with index.sessions.begin() as session:
        return node_keys.observe_keys(session, "kommune", keys)


def rows(index) -> dict[str, tuple]:
    with index.sessions() as session:
        node = session.get(FederationNode, "kommune")
        return {
            row.key_id: (row.state, row.last_sequence, row.missing_since, row.trusted_by)
            for row in node.keys
        }


def node_times(index) -> tuple[dt.datetime | None, dt.datetime | None]:
    with index.sessions() as session:
        node = session.get(FederationNode, "kommune")
        return node.keys_fetched_at, node.updated_at


def test_a_key_the_jwks_adds_is_pending_and_the_read_is_recorded(index, clock, first):
    added = new_key()
    clock[0] = T1
    changes = observe(index, again(first), added)
    assert changes == [KeyChange("kommune", added.key_id, node_keys.PENDING)]
    assert rows(index)[added.key_id] == (KEY_PENDING, None, None, None)
    assert rows(index)[first.key_id] == (KEY_TRUSTED, None, None, "nodes add")
    assert node_times(index) == (T1, T1)
    with index.sessions() as session:
        [row] = [r for r in session.get(FederationNode, "kommune").keys if r.key_id == added.key_id]
        assert (row.public_key, row.first_seen_at) == (b64url(added.public), T1)


def test_a_new_key_the_jwks_gives_a_last_sequence_keeps_it(index, first):
    rotated = new_key(last_sequence=5)
    observe(index, again(first), rotated)
    assert rows(index)[rotated.key_id] == (KEY_PENDING, 5, None, None)


def test_a_read_that_changes_nothing_does_not_touch_the_node(index, clock, first):
    clock[0] = T1
    assert observe(index, again(first)) == []
    assert node_times(index) == (T1, T0)  # read at T1, last changed when added


def test_a_key_no_longer_listed_is_kept_and_reported_missing_once(index, clock, first):
    other = new_key()
    clock[0] = T1
    assert observe(index, other) == [
        KeyChange("kommune", other.key_id, node_keys.PENDING),
        KeyChange("kommune", first.key_id, node_keys.MISSING),
    ]
    assert rows(index)[first.key_id] == (KEY_TRUSTED, None, T1, "nodes add")
    clock[0] = T1 + dt.timedelta(minutes=5)
    assert observe(index, again(other)) == []
    assert rows(index)[first.key_id][2] == T1  # missing since the first read without it


def test_a_key_listed_again_is_no_longer_missing_and_may_be_retired_at_once(index, clock, first):
    other = new_key()
    observe(index, other)
    assert observe(index, again(first, 7)) == [
        KeyChange("kommune", first.key_id, node_keys.LISTED_AGAIN),
        KeyChange("kommune", other.key_id, node_keys.MISSING),
    ]
    assert rows(index)[first.key_id] == (KEY_TRUSTED, 7, None, "nodes add")


@pytest.mark.parametrize(
    ("given", "expected_changes", "expected_last"),
    [
        ((5,), [node_keys.RETIRED], 5),
        ((5, 9), [node_keys.RETIRED], 5),  # a rotation is never undone
        ((5, 5), [node_keys.RETIRED], 5),
        ((5, 4), [node_keys.RETIRED, node_keys.RETIRED], 4),  # the earliest number wins
        ((5, None), [node_keys.RETIRED], 5),
        ((0,), [node_keys.RETIRED], 0),
    ],
)
def test_the_jwks_may_narrow_a_key_never_widen_it(
    index, first, given, expected_changes, expected_last
):
    changes = []
    for last in given:
        changes += observe(index, again(first, last))
    assert changes == [KeyChange("kommune", first.key_id, c) for c in expected_changes]
    assert rows(index)[first.key_id][1] == expected_last


def test_another_public_key_under_a_key_id_we_hold_changes_nothing(index, first):
    forged = VerificationKey(first.key_id, public_bytes(generate_private_key()), 3)
    assert observe(index, forged) == [KeyChange("kommune", first.key_id, node_keys.CONFLICTING)]
    assert rows(index)[first.key_id] == (KEY_TRUSTED, None, None, "nodes add")
    with index.sessions() as session:
        [row] = session.get(FederationNode, "kommune").keys
        assert row.public_key == b64url(first.public)


def test_at_most_64_keys_are_pending_and_a_jwks_lists_at_most_64(index, first):
    many = [new_key() for _ in range(64)]
    changes = observe(index, *many)
    assert [c.change for c in changes] == [node_keys.PENDING] * 64 + [node_keys.MISSING]
    late = new_key()
    changes = observe(index, late)
    assert changes[0] == KeyChange(
        "kommune", late.key_id, "not recorded: too many keys are pending"
    )
    assert [c.change for c in changes[1:]] == [node_keys.MISSING] * 64  # the 64 pending
    assert late.key_id not in rows(index)
    with pytest.raises(InvalidInput) as refused:
        observe(index, *many, late)
    assert refused.value.code == "node.too_many_keys_given"
    [message] = refused.value.errors["keys"]
    assert (message.code, message.params) == ("node.too_many_keys", {"largest": 64})


def test_the_operator_approves_a_pending_key_once(index, clock, first):
    added = new_key()
    observe(index, again(first), added)
    clock[0] = T1
    with index.sessions.begin() as session:
        change = node_keys.approve_key(session, "kommune", added.key_id)
    assert change == KeyChange("kommune", added.key_id, node_keys.APPROVED)
    assert rows(index)[added.key_id] == (KEY_TRUSTED, None, None, "operator")
    assert node_times(index)[1] == T1
    with index.sessions.begin() as session:
        with pytest.raises(Conflict) as trusted:
            node_keys.approve_key(session, "kommune", added.key_id)
        with pytest.raises(NotFound) as unknown:
            node_keys.approve_key(session, "kommune", "no-such-key")
    assert (trusted.value.code, trusted.value.params) == (
        "node.key_already_trusted",
        {"id": "kommune", "key": added.key_id},
    )
    assert (unknown.value.code, unknown.value.params) == (
        "node.key_not_found",
        {"id": "kommune", "key": "no-such-key"},
    )


def test_trusting_keys_records_and_approves_each_new_one_by_whom(index, first):
    one, two = new_key(), new_key()
    with index.sessions.begin() as session:
        changes = node_keys.trust_keys(session, "kommune", [again(first), one, two], by="demo")
    assert [(c.key_id, c.change) for c in changes] == [
        (one.key_id, node_keys.PENDING),
        (two.key_id, node_keys.PENDING),
        (one.key_id, node_keys.APPROVED),
        (two.key_id, node_keys.APPROVED),
    ]
    held = rows(index)
    assert held[one.key_id][0] == held[two.key_id][0] == KEY_TRUSTED
    assert held[one.key_id][3] == held[two.key_id][3] == "demo"
    assert held[first.key_id][3] == "nodes add"


def test_keys_are_listed_by_node_and_key_id_and_by_state(index, first):
    with index.sessions.begin() as session:
        directory.add_node(
            session,
            node_id="fylke",
            name="Buskerud",
            url="https://fylke.node.test",
            keys=[new_key()],
            organisations=["910000020"],
        )
    added = new_key()
    observe(index, again(first), added)
    with index.sessions() as session:
        everything = [(k.node_id, k.key_id) for k in node_keys.list_keys(session)]
        assert everything == sorted(everything)
        assert [k.node_id for k in node_keys.list_keys(session)].count("kommune") == 2
        assert [k.key_id for k in node_keys.list_keys(session, "kommune", KEY_PENDING)] == [
            added.key_id
        ]
        assert [k.key_id for k in node_keys.list_keys(session, "kommune", KEY_TRUSTED)] == [
            first.key_id
        ]
        assert {k.node_id for k in node_keys.list_keys(session, state=KEY_TRUSTED)} == {
            "kommune",
            "fylke",
        }
        with pytest.raises(NotFound):
            node_keys.list_keys(session, "ukjent")


def test_keys_are_listed_by_node_id_then_key_id(index, first):
    """Rows with key ids chosen here, added out of order."""
    with index.sessions.begin() as session:
        for node_id in ("b-node", "a-node"):
            directory.add_node(
                session,
                node_id=node_id,
                name=node_id,
                url=f"https://{node_id}.node.test",
                keys=[new_key()],
                organisations=[],
            )
        session.execute(delete(FederationNodeKey))
        for node_id, key in (("b-node", "a"), ("a-node", "z"), ("a-node", "m")):
            session.add(FederationNodeKey(node_id=node_id, key_id=key, public_key="x"))
    with index.sessions() as session:
        assert [(k.node_id, k.key_id) for k in node_keys.list_keys(session)] == [
            ("a-node", "m"),
            ("a-node", "z"),
            ("b-node", "a"),
        ]


def test_the_operator_reads_a_key_in_one_line(index, clock, first):
    with index.sessions() as session:
        [row] = node_keys.list_keys(session, "kommune")
        assert node_keys.describe(row) == f"kommune  {first.key_id}  trusted  trusted by nodes add"
        row.last_sequence = 0
        row.missing_since = dt.datetime(2026, 3, 1, 9, 7, 59, tzinfo=dt.UTC)
        row.trusted_by = None
        row.state = KEY_PENDING
        assert node_keys.describe(row) == (
            f"kommune  {first.key_id}  pending  retired after sequence 0"
            "  MISSING from the JWKS since 2026-03-01 09:07Z"
        )
    assert str(KeyChange("kommune", "k1", "approved")) == "node kommune: key k1 approved"


def test_changes_that_need_the_operator_are_warnings(caplog):
    with caplog.at_level(logging.INFO, logger="shared.ingest.node_keys"):
        node_keys._log(
            [
                KeyChange("n", "a", node_keys.RETIRED),
                KeyChange("n", "b", node_keys.LISTED_AGAIN),
                KeyChange("n", "c", node_keys.APPROVED),
                KeyChange("n", "d", node_keys.PENDING),
                KeyChange("n", "e", node_keys.MISSING),
                KeyChange("n", "f", node_keys.CONFLICTING),
            ]
        )
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", "node n: key a retired"),
        ("INFO", "node n: key b listed again"),
        ("INFO", "node n: key c approved"),
        ("WARNING", "node n: key d pending"),
        ("WARNING", "node n: key e missing"),
        ("WARNING", "node n: key f conflicting"),
    ]


def test_a_rotation_event_retires_the_old_key_and_trusts_the_new(index, clock, first):
    announced = new_key()
    clock[0] = T1
    with index.sessions.begin() as session:
        changes = node_keys.trust_announced_key(session, "kommune", announced, first.key_id, 12)
    assert changes == [
        KeyChange("kommune", first.key_id, node_keys.RETIRED),
        KeyChange("kommune", announced.key_id, "trusted: announced by a rotation event"),
    ]
    held = rows(index)
    assert held[first.key_id] == (KEY_TRUSTED, 12, None, "nodes add")
    assert held[announced.key_id] == (KEY_TRUSTED, None, None, f"rotation by {first.key_id}")
    with index.sessions() as session:
        row = session.get(FederationNodeKey, ("kommune", announced.key_id))
        assert (row.first_seen_at, row.trusted_at) == (T1, T1)
    assert node_times(index)[1] == T1
    # The same event again, by the other road: nothing changes.
    clock[0] = T1 + dt.timedelta(minutes=1)
    with index.sessions.begin() as session:
        assert node_keys.trust_announced_key(session, "kommune", announced, first.key_id, 12) == []
    assert node_times(index)[1] == T1


def test_a_rotation_event_trusts_a_key_the_jwks_had_made_pending(index, first):
    announced = new_key()
    observe(index, again(first), announced)
    with index.sessions.begin() as session:
        changes = node_keys.trust_announced_key(session, "kommune", announced, first.key_id, 3)
    assert [c.change for c in changes] == [
        node_keys.RETIRED,
        "trusted: announced by a rotation event",
    ]
    assert rows(index)[announced.key_id][0] == KEY_TRUSTED


def test_a_rotation_event_announcing_another_public_key_under_a_held_id_trusts_nothing(
    index, first
):
    pending = new_key()
    observe(index, again(first), pending)
    forged = VerificationKey(pending.key_id, public_bytes(generate_private_key()))
    with index.sessions.begin() as session:
        changes = node_keys.trust_announced_key(session, "kommune", forged, first.key_id, 3)
    assert changes == [
        KeyChange("kommune", first.key_id, node_keys.RETIRED),
        KeyChange("kommune", pending.key_id, node_keys.CONFLICTING),
    ]
    assert rows(index)[pending.key_id][0] == KEY_PENDING


def test_an_untrusted_event_is_recorded_once_per_event_id(index, first):
    def count() -> int:
        with index.sessions() as session:
            return session.scalar(select(func.count()).select_from(RejectedEvent))

    event = {"id": "e-1", "subject": "https://kommune.node.test/offers/1"}
    node_keys.record_untrusted_once(index.sessions, "kommune", event, "key not trusted")
    node_keys.record_untrusted_once(index.sessions, "kommune", event, "key not trusted")
    assert count() == 1
    node_keys.record_untrusted_once(index.sessions, "kommune", {"id": "e-2"}, "key not trusted")
    assert count() == 2
    # The same event id in another node's feed is another event.
    node_keys.record_untrusted_once(index.sessions, "fylke", event, "key not trusted")
    assert count() == 3
    # What is not an event at all is recorded once too.
    node_keys.record_untrusted_once(index.sessions, "kommune", ["not", "an event"], "bad")
    node_keys.record_untrusted_once(index.sessions, "kommune", ["not", "an event"], "bad")
    assert count() == 4
    with index.sessions() as session:
        found = session.scalars(select(RejectedEvent).where(RejectedEvent.event_id == "e-1"))
        assert sorted((r.node_id, r.via, r.reason) for r in found) == [
            ("fylke", "feed", "key not trusted"),
            ("kommune", "feed", "key not trusted"),
        ]
