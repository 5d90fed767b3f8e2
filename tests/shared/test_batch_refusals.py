"""Why an event is refused while its batch is applied (shared.ingest.batch.refusal_reason): the
reason the rejection log shows the node's operator, written by hand for each kind of refusal."""

from __future__ import annotations

from sqlalchemy.exc import DataError, IntegrityError

from shared.ingest.batch import refusal_reason
from shared.publication.events import EventRejected


def test_each_refusal_while_applying_is_said_in_words():
    assert refusal_reason(EventRejected("version 3 comes with sequence 1")) == (
        "version 3 comes with sequence 1"
    )
    assert refusal_reason(OverflowError("date value out of range")) == (
        "a value of the event is out of the range the arithmetic can represent"
    )
    too_long = DataError("INSERT INTO indexed_offers ...", {}, Exception("value too long"))
    assert refusal_reason(too_long) == ("the database cannot hold a value of the event (DataError)")
    twice = IntegrityError("INSERT INTO offer_terms ...", {}, Exception("duplicate key"))
    assert refusal_reason(twice) == (
        "the database cannot hold a value of the event (IntegrityError)"
    )
