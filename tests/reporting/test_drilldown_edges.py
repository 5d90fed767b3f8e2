"""The drill-down's yes/no filters both ways: `overdue` and `outside_home` as `true` and as
`false`. The quality report links only their `true` side, and the fixture federation has no
offer covering more than its provider's home area, so each side is tested here on a node of
its own.

Every expectation is written by hand from the timetable below (Drammen, 3301):
  "I Drammen"        covers 3301, first published 2025-01-15 12:00 UTC: due 2026-01-15
  "I hele Buskerud"  covers 33 (the county), first published 2025-06-15 12:00 UTC: due 2026-06-15
(a year from the first publication, the default review interval). On 1 March 2026 the first is
past its review date and the second is not; only the second covers more than Drammen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.federation import Federation, publishing_at
from tests.reporting.conftest import make_reporting_app
from tests.reporting.federation import MUNICIPAL_NODE, new_history
from tests.reporting.reading import get_report, grid

DAY = "2026-03-01"
HOME, COUNTY = "I Drammen", "I hele Buskerud"


@pytest.fixture(scope="module")
def api(node_database_factory, reporting_database_factory, tmp_path_factory) -> Iterator:
    tmp_path = tmp_path_factory.mktemp("drilldown")
    federation = Federation(node_database_factory, tmp_path)
    with federation.node("kommune", MUNICIPAL_NODE).builder() as node:
        with publishing_at(dt.datetime(2025, 1, 15, 12, tzinfo=dt.UTC)):
            node.publish(name=HOME, coverage=["3301"])
        with publishing_at(dt.datetime(2025, 6, 15, 12, tzinfo=dt.UTC)):
            node.publish(name=COUNTY, coverage=["33"])
    history = new_history(reporting_database_factory, federation.client())
    history.trust_and_harvest(federation)
    app = make_reporting_app(history.url, tmp_path / "app")
    yield app.test_client()
    app.extensions["nettungen.db"].engine.dispose()
    history.engine.dispose()
    federation.close()


def listed(api, **params: str) -> set[str]:
    report = get_report(api, "offers", area="3301", at=DAY, **params)
    return {row["name"] for row in grid(report, "offers").values()}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {HOME, COUNTY}),
        ({"overdue": "true"}, {HOME}),
        ({"overdue": "false"}, {COUNTY}),
        ({"outside_home": "true"}, {COUNTY}),
        ({"outside_home": "false"}, {HOME}),
        ({"overdue": "false", "outside_home": "false"}, set()),
        ({"overdue": "true", "outside_home": "false"}, {HOME}),
    ],
)
def test_the_yes_no_filters_list_the_offers_of_each_side(api, params, expected):
    assert listed(api, **params) == expected


def test_the_quality_report_counts_the_offer_outside_its_home_area(api):
    report = get_report(api, "quality", area="3301", at=DAY)
    shares = grid(report, "shares")
    assert (shares["outside_home"]["offers"], shares["overdue"]["offers"]) == (1, 1)


def test_each_point_of_the_trend_links_the_offers_of_its_own_day(api):
    """At the end of May 2025 only "I Drammen" was published; at the end of June both."""
    report = get_report(api, "trend", area="3301", at="2025-06-30", months=2)
    [table] = report["tables"]
    totals = {row["key"]: row["cells"][-1] for row in table["rows"]}
    assert {day: cell["value"] for day, cell in totals.items()} == {
        "2025-05-31": 1,
        "2025-06-30": 2,
    }
    for day, cell in totals.items():
        listed = api.get(cell["offers"]).get_json()
        assert listed["summary"]["total"] == cell["value"], day


def test_the_links_write_yes_no_filters_as_the_api_documents_them(api):
    report = get_report(api, "quality", area="3301", at=DAY)
    [shares] = [t for t in report["tables"] if t["name"] == "shares"]
    links = {row["key"]: row["cells"][1]["offers"] for row in shares["rows"]}
    assert "overdue=true" in links["overdue"].split("?")[1].split("&")
    assert "outside_home=true" in links["outside_home"].split("?")[1].split("&")
