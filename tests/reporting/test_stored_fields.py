"""Reporting keeps only the fields its reports use: after ingest by the bus or by the feed, no
table of reporting's database holds an offer's contact (its name, e-mail or phone) or any
other part of the version document the reports do not read."""

from __future__ import annotations

import threading

from sqlalchemy import MetaData, inspect, select
from sqlalchemy.orm import Session

from services.publisher.relay import Relay, RelaySettings
from services.reporting.history.models import OfferVersion
from services.reporting.history.sink import HistorySink
from shared.bus import open_consumer, open_publisher
from shared.ingest.consumer import BINDINGS, BusIngest
from tests.federation import publishing_at
from tests.reporting.federation import T1, T2, T3

CONTACT = {
    "name": "Ola Nordmann",
    "email": "ola.nordmann@example.org",
    "phone": "912 34 567",
    "url": "https://www.example.org/ola-sin-side",
}
# Parts of the document no report reads: they must not be kept either.
SCHEDULE = "Tirsdager 12-15 hos Kari Kaffebønne"
STREET = "Storgata 99 (inngang ved siden av Ola)"
NEVER_KEPT = (
    CONTACT["name"],
    CONTACT["email"],
    "912 34 567",
    "91234567",
    CONTACT["url"],
    SCHEDULE,
    STREET,
    "Beskrivelse med Kari Kaffebønne",
)


def _publish_with_a_personal_contact(node) -> str:
    location = {"name": "Familiens hus", "street_address": STREET, "postal_code": "3015"}
    with node.builder() as b:
        with publishing_at(T1):
            offer = b.publish(
                name="Helsestasjon",
                description="Beskrivelse med Kari Kaffebønne",
                contact=CONTACT,
                schedule=SCHEDULE,
                locations=[location],
            )
        with publishing_at(T2):
            b.revise(offer, name="Helsestasjon for ungdom")
        with publishing_at(T3):
            b.withdraw(offer)
    return f"{node.base_url}/offers/{offer}"


def _every_stored_text(engine) -> str:
    """Every value of every row of every table of the database, as one text."""
    metadata = MetaData()
    metadata.reflect(engine)
    values: list[str] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                values.extend(str(v) for v in row)
    return "\n".join(values)


def _assert_nothing_personal_kept(history, uri) -> None:
    assert [v.version for v in history.versions(uri)] == [1, 2, 3]
    stored = _every_stored_text(history.engine)
    assert "Helsestasjon for ungdom" in stored  # the scan sees the rows
    for text in NEVER_KEPT:
        assert text not in stored, text


def test_the_feed_path_keeps_no_contact(history, node):
    history.trust(node)
    uri = _publish_with_a_personal_contact(node)
    [report] = history.harvester().harvest_all()
    assert report.error is None and report.applied == 3
    _assert_nothing_personal_kept(history, uri)


def test_the_bus_path_keeps_no_contact(history, node, bus_url, queue_name):
    history.trust(node)
    uri = _publish_with_a_personal_contact(node)
    bus = open_consumer(bus_url, queue_name, BINDINGS)
    bus.connect()
    try:
        relay = Relay(node.engine, open_publisher(bus_url), RelaySettings(idle_seconds=0.05))
        relay.run(threading.Event(), until_caught_up=True)
        consumer = BusIngest(history.sessions, bus, HistorySink(), history.verifier())
        assert consumer.drain(timeout=2.0) == 3
    finally:
        bus.close()
    _assert_nothing_personal_kept(history, uri)


def test_the_history_has_only_the_columns_the_reports_use(history):
    # Written by hand from what reports/, present/ and api/ read (plus the keys and the
    # validity interval): a new column must be a decision, with docs/privacy.md updated.
    expected = {
        "id", "offer_uri", "version", "node_id", "offer_id", "withdrawn", "valid_from",
        "published_at", "valid_to", "name", "name_sort", "name_terms", "description_terms",
        "provider_orgnr", "provider_name", "provider_kind", "provider_home_area", "agency_id",
        "agency_name", "level", "category", "age_min", "age_max", "user_participation",
        "evaluated", "good_practice", "evidence_based", "measure_status",
        "review_interval_months", "outside_home", "last_reviewed", "first_published",
        "review_due", "recorded_at", "staff_fte", "budget_nok", "reachable", "only_mobile",
    }  # fmt: skip
    columns = {c["name"] for c in inspect(history.engine).get_columns("offer_versions")}
    assert columns == expected
    assert set(OfferVersion.__table__.columns.keys()) == expected
    with Session(history.engine) as session:
        assert session.scalar(select(OfferVersion.id)) is None
