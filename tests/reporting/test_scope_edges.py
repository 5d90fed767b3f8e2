"""The edges of `services.reporting.reports.scope` the report fixtures never reach: a provider
whose versions were recorded out of the order of their validity, or begin at the same instant,
and drill-down links whose values hold capitals.

The rows are written straight into a history database, so each expectation is read off the
rows below, by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.reporting.history.models import OfferVersion
from services.reporting.reports.scope import OfferFilter, Organisation, organisation_scope

ORGNR = "987654321"
DAY = dt.date(2026, 3, 1)


def version(number: int, name: str, valid_from: dt.datetime, home: str) -> OfferVersion:
    """A version of an offer of provider ORGNR, named ``name`` by it; only the provider's
    columns and the times matter here."""
    return OfferVersion(
        offer_uri=f"https://kommune.node.test/offers/{number}",
        version=1,
        node_id="kommune",
        offer_id=str(number),
        withdrawn=False,
        valid_from=valid_from,
        published_at=valid_from,
        valid_to=None,
        name=f"Tilbud {number}",
        name_sort=f"tilbud {number}",
        name_terms="",
        description_terms="",
        provider_orgnr=ORGNR,
        provider_name=name,
        provider_kind="municipality",
        provider_home_area=home,
        agency_id="a",
        agency_name="Etat",
        level=1,
        category="guidance",
        age_min=0,
        age_max=25,
        user_participation=False,
        evaluated=False,
        good_practice=False,
        evidence_based=False,
        measure_status="established",
        review_interval_months=12,
        first_published=valid_from,
        review_due=dt.date(2027, 1, 1),
        recorded_at=valid_from,
    )


@pytest.fixture
def session(reporting_database_factory) -> Iterator[Session]:
    engine = create_engine(reporting_database_factory())
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_the_newest_valid_version_names_the_provider_whatever_the_order_recorded(session):
    """Recorded first (lower id) but valid later: its name is the newest."""
    session.add(version(1, "Nytt navn", dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC), "3301"))
    session.flush()
    session.add(version(2, "Gammelt navn", dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC), "33"))
    session.commit()
    assert organisation_scope(session, ORGNR, DAY).organisation == Organisation(
        ORGNR, "Nytt navn", "municipality", "3301"
    )


def test_of_two_versions_valid_from_the_same_instant_the_one_recorded_last_names_it(session):
    instant = dt.datetime(2026, 2, 1, 12, tzinfo=dt.UTC)
    session.add(version(1, "Først mottatt", instant, "33"))
    session.flush()
    session.add(version(2, "Sist mottatt", instant, "3301"))
    session.commit()
    assert organisation_scope(session, ORGNR, DAY).organisation == Organisation(
        ORGNR, "Sist mottatt", "municipality", "3301"
    )


def test_a_provider_the_history_does_not_know_has_no_scope(session):
    assert organisation_scope(session, ORGNR, DAY) is None


def test_drilldown_parameters_keep_the_case_of_codes_and_write_yes_no_in_lower_case():
    """Agency ids are any string the contract allows (ours are UUIDs, another node's may hold
    capitals); only the yes/no filters are spelled `true`/`false`."""
    params = OfferFilter(
        agency="Agency-ÆØÅ-7", provider=ORGNR, level=2, overdue=True, outside_home=False
    ).params()
    assert params == {
        "level": "2",
        "provider": ORGNR,
        "agency": "Agency-ÆØÅ-7",
        "overdue": "true",
        "outside_home": "false",
    }
