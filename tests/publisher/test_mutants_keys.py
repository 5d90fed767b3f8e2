"""The node's own keys (shared.publication.keys) at the edges the publishing tests pass over:
the order keys are listed in, a rotation with no active key, the rotation event's log row field
by field and its time when this host's clock lags, a key unsealed once, and signing with no
key. Every expectation is written by hand."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from shared.errors import Conflict, ServiceUnavailable
from shared.publication import keys
from shared.publication.models import LogEntry, NodeKey
from tests.conftest import TEST_PASSPHRASE
from tests.publisher.bus import publish
from tests.publisher.node import BASE_URL

T1 = dt.datetime(2099, 1, 1, 12, 0, tzinfo=dt.UTC)
T2 = dt.datetime(2099, 1, 1, 12, 5, tzinfo=dt.UTC)
T3 = dt.datetime(2099, 1, 1, 12, 10, tzinfo=dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    now = [T1]
    monkeypatch.setattr(keys, "utcnow", lambda: now[0])
    return now


def rotate(node, base_url: str | None = None) -> tuple[NodeKey, NodeKey]:
    with sessionmaker(node, expire_on_commit=False).begin() as session:
        return keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE), base_url)


def test_keys_are_listed_oldest_first(node, clock):
    made = []
    for minutes in range(4):
        clock[0] = T1 + dt.timedelta(minutes=minutes)
        made.append(rotate(node)[1].key_id)
    with sessionmaker(node).begin() as session:
        listed = keys.all_keys(session)
        assert [row.key_id for row in listed][1:] == made  # after the one made at migration
        assert list(keys.verification_keys(session))[1:] == made
        assert [row.retired_at for row in listed][1:] == [
            T1 + dt.timedelta(minutes=1),
            T1 + dt.timedelta(minutes=2),
            T1 + dt.timedelta(minutes=3),
            None,
        ]


def test_a_rotation_without_an_active_key_is_refused(node):
    with sessionmaker(node).begin() as session:
        session.execute(update(NodeKey).values(retired_at=T1))
    with pytest.raises(Conflict) as refused:
        rotate(node)
    assert refused.value.code == "key.missing"


def rotation_row(node) -> LogEntry:
    with sessionmaker(node, expire_on_commit=False).begin() as session:
        return session.scalars(select(LogEntry).order_by(LogEntry.seq.desc()).limit(1)).one()


def test_the_rotation_event_as_the_log_holds_it(node, clock):
    old, new = rotate(node, BASE_URL)
    row = rotation_row(node)
    assert (row.seq, row.event_type, row.offer_uri, row.version) == (
        1,
        "no.nettungen.key.rotated",
        f"{BASE_URL}/keys/{new.key_id}",
        1,
    )
    assert (row.organisation_number, row.key_id, row.occurred_at) == ("", old.key_id, T1)
    assert json.loads(row.snapshot) == {
        "key_id": new.key_id,
        "public_key": new.public_key,
        "previous_key_id": old.key_id,
    }
    assert (old.last_seq, old.retired_at, new.retired_at) == (1, T1, None)


def test_the_rotation_event_is_never_dated_before_the_event_before_it(node, clock):
    """Events 1 and 2 logged at T1 and T3; this host's clock says T2 when it rotates."""
    publish(node, 2)
    with sessionmaker(node).begin() as session:
        session.execute(update(LogEntry).where(LogEntry.seq == 1).values(occurred_at=T1))
        session.execute(update(LogEntry).where(LogEntry.seq == 2).values(occurred_at=T3))
    clock[0] = T2
    rotate(node, BASE_URL)
    row = rotation_row(node)
    assert (row.seq, row.occurred_at) == (3, T3)


def test_the_rotation_event_takes_the_hosts_time_when_it_is_later(node, clock):
    publish(node, 2)
    with sessionmaker(node).begin() as session:
        session.execute(update(LogEntry).where(LogEntry.seq == 1).values(occurred_at=T3))
        session.execute(update(LogEntry).where(LogEntry.seq == 2).values(occurred_at=T1))
    clock[0] = T2
    rotate(node, BASE_URL)
    assert rotation_row(node).occurred_at == T2


def test_each_key_is_unsealed_once(node, monkeypatch):
    unsealed: list[str] = []
    real = keys.unseal

    def counting(sealed: str, passphrase: str):  # type: ignore[no-untyped-def]
        unsealed.append(sealed)
        return real(sealed, passphrase)

    monkeypatch.setattr(keys, "unseal", counting)
    old, new = rotate(node)
    signer = keys.Signer(TEST_PASSPHRASE)
    with sessionmaker(node).begin() as session:
        rows = [session.get(NodeKey, old.key_id), session.get(NodeKey, new.key_id)]
        first = [signer.private(row) for row in rows]
        again = [signer.private(row) for row in rows]
    assert unsealed == [old.private_key, new.private_key]
    assert first == again
    assert first[0] is not first[1]


def test_signing_with_no_key_to_sign_with_is_refused(node):
    publish(node, 1)
    with sessionmaker(node, expire_on_commit=False).begin() as session:
        [entry] = session.scalars(select(LogEntry)).all()
        session.execute(update(NodeKey).values(retired_at=T1))
        with pytest.raises(ServiceUnavailable) as none_active:
            keys.Signer(TEST_PASSPHRASE).sign_entries(session, [entry])
        entry.key_id = "no-such-key"
        with pytest.raises(ServiceUnavailable) as none_known:
            keys.Signer(TEST_PASSPHRASE).resign_entries(session, [entry])
        session.rollback()
    assert none_active.value.code == none_known.value.code == "key.none_to_sign"
