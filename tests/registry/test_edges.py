"""Edges of publishing and accounts: log times when the clock goes back, and API tokens stored
as a one-way hash of their secret."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from services.registry.accounts.models import ApiToken
from shared.publication.models import LogEntry
from tests.federation import publishing_at
from tests.publisher.node import NodeBuilder

NOON = dt.datetime(2025, 5, 1, 12, 0, tzinfo=dt.UTC)


def test_log_times_never_go_back_when_the_clock_does(db):
    node = NodeBuilder(db)
    with publishing_at(NOON):
        first = node.publish(name="Helsestasjon")
    # This host's clock is now an hour behind the one that wrote the previous row.
    with publishing_at(NOON - dt.timedelta(hours=1)):
        node.revise(first, name="Helsestasjon for ungdom")
        node.publish(name="Foreldrekurs")
    with publishing_at(NOON + dt.timedelta(minutes=5)):
        node.withdraw(first)
    times = db.scalars(select(LogEntry.occurred_at).order_by(LogEntry.seq)).all()
    assert times == [NOON, NOON, NOON, NOON + dt.timedelta(minutes=5)]


def test_api_tokens_are_stored_as_the_sha256_of_their_secret(db, world):
    plaintext = world.tokens["a_registrar"]
    prefix, public_id, secret = plaintext.split("_", 2)
    assert prefix == "ntg"
    stored = db.scalar(select(ApiToken.secret_hash).where(ApiToken.public_id == public_id))
    # Written out with hashlib here: the SHA-256 of the secret, as 64 hex digits.
    assert stored == hashlib.sha256(secret.encode("ascii")).hexdigest()
    assert len(stored) == 64
