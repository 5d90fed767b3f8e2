"""Reports at their edges: versions published, replaced or withdrawn exactly at the instant a
day ends in Norway, on both sides of a change to or from summer time, at other times than noon;
the age bands' edges; the pyramid's base tied with another level.

Every expectation is written by hand from the timetable below (Drammen, 3301).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from services.reporting.reports.pyramid import Pyramid
from services.reporting.reports.scope import LEVELS
from tests.federation import Federation, publishing_at
from tests.reporting.conftest import make_reporting_app
from tests.reporting.federation import MUNICIPAL_NODE, new_history
from tests.reporting.reading import get_report, grid, levels


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{text}+00:00")


# Summer time began on 30 March 2025 at 01:00 UTC and ended on 26 October at 01:00 UTC, so a
# day in Norway ends at 23:00 UTC in winter and at 22:00 UTC in summer:
#   29 Mar ends 2025-03-29 23:00 UTC     30 Mar ends 2025-03-30 22:00 UTC
#   10 Apr ends 2025-04-10 22:00 UTC     20 Apr ends 2025-04-20 22:00 UTC
#   25 Oct ends 2025-10-25 22:00 UTC     26 Oct ends 2025-10-26 23:00 UTC
#
#   "early"   level 1, published 2025-03-29 22:59:59 (23:59:59 on 29 Mar in Norway);
#             revised to level 2 at 2025-04-10 22:00:00 (midnight, as 10 Apr ends)
#   "midnight" level 2, published 2025-03-29 23:00:00 (midnight, as 29 Mar ends);
#             withdrawn at 2025-04-20 22:00:00 (midnight, as 20 Apr ends)
#   "late"    level 3, published 2025-03-30 22:30:00 (00:30 on 31 Mar in Norway)
#   the four age offers, level 1, published 2025-05-05 07:15:00: ages 5-6, 12-13, 17-18, 25-25
#   "autumn"  level 3, published 2025-10-25 22:30:00 (00:30 on 26 Oct in Norway)
#   "winter"  level 3, published 2025-10-26 23:00:00 (midnight, as 26 Oct ends in winter time)
TIMETABLE = [
    ("2025-03-29T22:59:59", "publish", "early", {"level": 1}),
    ("2025-03-29T23:00:00", "publish", "midnight", {"level": 2, "category": "group"}),
    ("2025-03-30T22:30:00", "publish", "late", {"level": 3, "category": "guidance"}),
    ("2025-04-10T22:00:00", "revise", "early", {"level": 2, "category": "group"}),
    ("2025-04-20T22:00:00", "withdraw", "midnight", {}),
    ("2025-05-05T07:15:00", "publish", "ages 5-6", {"age_min": 5, "age_max": 6}),
    ("2025-05-05T07:15:00", "publish", "ages 12-13", {"age_min": 12, "age_max": 13}),
    ("2025-05-05T07:15:00", "publish", "ages 17-18", {"age_min": 17, "age_max": 18}),
    ("2025-05-05T07:15:00", "publish", "ages 25-25", {"age_min": 25, "age_max": 25}),
    ("2025-10-25T22:30:00", "publish", "autumn", {"level": 3, "category": "guidance"}),
    ("2025-10-26T23:00:00", "publish", "winter", {"level": 3, "category": "guidance"}),
]


@pytest.fixture(scope="module")
def api(node_database_factory, reporting_database_factory, tmp_path_factory) -> Iterator:
    tmp_path = tmp_path_factory.mktemp("instants")
    federation = Federation(node_database_factory, tmp_path)
    ids: dict[str, str] = {}
    with federation.node("kommune", MUNICIPAL_NODE).builder() as node:
        for moment, action, name, content in TIMETABLE:
            with publishing_at(utc(moment)):
                if action == "publish":
                    ids[name] = node.publish(name=f"Tilbud {name}", **content)
                elif action == "revise":
                    node.revise(ids[name], **content)
                else:
                    node.withdraw(ids[name])
    history = new_history(reporting_database_factory, federation.client())
    history.trust_and_harvest(federation)
    app = make_reporting_app(history.url, tmp_path / "app")
    yield app.test_client()
    app.extensions["nettungen.db"].engine.dispose()
    history.engine.dispose()
    federation.close()


def level_counts(api, day: str) -> tuple[int, int, int]:
    report = get_report(api, "pyramid", area="3301", at=day)
    totals = grid(report, "levels")
    return tuple(totals[str(level)]["total"] for level in LEVELS)  # type: ignore[return-value]


AGES = 4  # the four age offers, level 1, from 5 May on


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-03-28", (0, 0, 0)),
        # Published a second before the day ended: counted; at its end: not yet.
        ("2025-03-29", (1, 0, 0)),
        # "midnight" counts from 30 Mar; "late", published 00:30 on 31 Mar in Norway (still
        # 30 Mar in UTC), does not count for 30 Mar.
        ("2025-03-30", (1, 1, 0)),
        ("2025-03-31", (1, 1, 1)),
        # Revised exactly as 10 Apr ended: the old version (level 1) is the one of 10 Apr.
        ("2025-04-10", (1, 1, 1)),
        ("2025-04-11", (0, 2, 1)),
        # Withdrawn exactly as 20 Apr ended: still there on 20 Apr, gone on 21 Apr.
        ("2025-04-20", (0, 2, 1)),
        ("2025-04-21", (0, 1, 1)),
        ("2025-05-04", (0, 1, 1)),
        ("2025-05-05", (AGES, 1, 1)),
        # 00:30 on 26 Oct in Norway is 22:30 UTC on 25 Oct (summer time).
        ("2025-10-25", (AGES, 1, 1)),
        ("2025-10-26", (AGES, 1, 2)),
        # 26 Oct ends at 23:00 UTC, in winter time again.
        ("2025-10-27", (AGES, 1, 3)),
    ],
)
def test_a_day_ends_at_midnight_in_norway(api, day, expected):
    assert level_counts(api, day) == expected


def test_the_trend_takes_each_month_end_in_norway(api):
    report = get_report(api, "trend", area="3301", at="2025-05-31", months=3)
    points = {key: levels(row) for key, row in grid(report, "trend").items()}
    assert points == {
        "2025-03-31": (1, 1, 1, 3),
        "2025-04-30": (0, 1, 1, 2),
        "2025-05-31": (AGES, 1, 1, AGES + 2),
    }


def test_age_bands_include_both_edges(api):
    report = get_report(api, "coverage", area="3301", at="2025-05-31")
    bands = {band: levels(row) for band, row in grid(report, "age_bands").items()}
    # The age offers (level 1): 5-6 is in 0-5 and 6-12, 12-13 in 6-12 and 13-17, 17-18 in
    # 13-17 and 18-25, 25-25 in 18-25; "early" (level 2) and "late" (level 3) are 13-20.
    assert bands == {
        "0-5": (1, 0, 0, 1),
        "6-12": (2, 0, 0, 2),
        "13-17": (2, 1, 1, 4),
        "18-25": (2, 1, 1, 4),
    }


@pytest.mark.parametrize(
    ("band", "expected"),
    [
        ("0-5", {"ages 5-6"}),
        ("6-12", {"ages 5-6", "ages 12-13"}),
        ("13-17", {"ages 12-13", "ages 17-18", "early", "late"}),
        ("18-25", {"ages 17-18", "ages 25-25", "early", "late"}),
    ],
)
def test_the_offers_of_an_age_band_include_both_edges(api, band, expected):
    report = get_report(api, "offers", area="3301", at="2025-05-31", age_band=band)
    names = {row["name"] for row in grid(report, "offers").values()}
    assert names == {f"Tilbud {name}" for name in expected}


def _pyramid(level_1: int, level_2: int, level_3: int) -> Pyramid:
    return Pyramid(
        {1: {"municipality": level_1}, 2: {"county": level_2}, 3: {"state": level_3}}, []
    )


@pytest.mark.parametrize(
    ("counts", "widest"),
    [
        ((2, 2, 1), True),  # a tie with level 2 keeps the base the widest
        ((2, 1, 2), True),  # ... and with level 3
        ((2, 2, 2), True),
        ((0, 0, 0), True),
        ((1, 2, 0), False),
        ((1, 0, 2), False),
    ],
)
def test_the_base_is_widest_when_tied(counts, widest):
    assert _pyramid(*counts).base_is_widest is widest


def test_a_tie_is_reported_as_the_widest_base(api):
    # On 30 Mar: one offer on level 1, one on level 2; on 20 Apr: none, two and one.
    first = get_report(api, "pyramid", area="3301", at="2025-03-30")["summary"]
    assert (first["offers"], first["base_is_widest"]) == (2, True)
    second = get_report(api, "pyramid", area="3301", at="2025-04-20")["summary"]
    assert (second["offers"], second["base_is_widest"]) == (3, False)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # "early" was first published on 29 Mar 2025 in Norway: due on 29 Mar 2026, a year on
        # (the default interval), and overdue from the day after.
        ("2026-03-29", set()),
        ("2026-03-30", {"early"}),
        # "late" was first published on 31 Mar 2025 in Norway (30 Mar in UTC).
        ("2026-03-31", {"early"}),
        ("2026-04-01", {"early", "late"}),
    ],
)
def test_a_review_is_overdue_from_the_day_after_it_is_due(api, day, expected):
    report = get_report(api, "offers", area="3301", at=day, overdue="true")
    names = {row["name"] for row in grid(report, "offers").values()}
    assert names == {f"Tilbud {name}" for name in expected}
