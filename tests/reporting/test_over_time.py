"""The trend, the comparison of two areas, and the offers behind every number, on the fixture
federation (see tests.reporting.test_reports for how the expected numbers are worked out)."""

from __future__ import annotations

from tests.reporting.conftest import MID, NOW, PAST
from tests.reporting.reading import get_report, grid, levels

DRAMMEN = {"area": "3301"}
DRAMMEN_KOMMUNE = "910000012"


def test_trend_month_by_month(api):
    report = get_report(api, "trend", at=NOW, months=15, **DRAMMEN)
    trend = {day: levels(row) for day, row in grid(report, "trend").items()}
    assert trend == {
        "2025-01-31": (3, 1, 0, 4),
        "2025-02-28": (3, 1, 0, 4),
        "2025-03-31": (3, 3, 1, 7),
        "2025-04-30": (3, 3, 1, 7),
        "2025-05-31": (3, 3, 1, 7),
        "2025-06-30": (3, 5, 2, 10),
        "2025-07-31": (3, 5, 2, 10),
        "2025-08-31": (3, 5, 2, 10),
        "2025-09-30": (5, 5, 2, 12),
        "2025-10-31": (5, 5, 2, 12),
        "2025-11-30": (5, 5, 2, 12),
        "2025-12-31": (5, 5, 2, 12),
        "2026-01-31": (5, 5, 2, 12),
        "2026-02-28": (6, 4, 2, 12),
        "2026-03-31": (6, 4, 2, 12),
    }


def test_trend_ends_on_the_day_of_the_report(api):
    report = get_report(api, "trend", at="2026-02-15", months=2, **DRAMMEN)
    assert {day: levels(row) for day, row in grid(report, "trend").items()} == {
        "2026-01-31": (5, 5, 2, 12),
        "2026-02-15": (6, 4, 2, 12),
    }


def test_two_areas_side_by_side(api):
    report = get_report(api, "comparison", at=NOW, area="3301", other="3303")
    figures = {
        key: (row["first"], row["second"]) for key, row in grid(report, "comparison").items()
    }
    assert figures == {
        "offers": (12, 6),
        "level-1": (6, 2),
        "level-2": (4, 2),
        "level-3": (2, 2),
        "provider-municipality": (6, 1),
        "provider-county": (2, 2),
        "provider-region": (1, 1),
        "provider-state": (1, 1),
        "provider-voluntary": (2, 1),
        "risk-group-gaps": (7, 9),
        "age-band-gaps": (0, 0),
        "duties-covered": (7, 5),
        "duties-missing": (32, 34),
        "user_participation": (42, 33),
        "evaluated": (17, 17),
        "good_practice": (17, 17),
        "evidence_based": (25, 17),
        "overdue": (4, 2),
    }
    assert report["other"]["name"] == "Kongsberg"
    assert [c["label"] for c in report["tables"][0]["columns"]][1:] == ["Drammen", "Kongsberg"]


def test_the_offers_behind_a_number(api):
    report = get_report(api, "offers", at=NOW, level=2, **DRAMMEN)
    assert report["summary"]["total"] == 4
    assert [row["name"] for row in grid(report, "offers").values()] == [
        "Familievernkontoret",
        "Oppfølgingstjenesten",
        "Sorggruppe for barn",
        "Sorggrupper for barn",
    ]
    past = get_report(api, "offers", at=PAST, level=2, provider_kind="municipality", **DRAMMEN)
    assert [row["name"] for row in grid(past, "offers").values()] == [
        "ICDP foreldreveiledning",
        "Sorggruppe for barn",
    ]


def test_every_count_drills_down_to_as_many_offers(api):
    """Each number of every report is the length of the list its link gives."""
    checked = 0
    for kind, params in (
        ("pyramid", DRAMMEN),
        ("coverage", DRAMMEN),
        ("duties", {"area": "33"}),
        ("quality", DRAMMEN),
        ("trend", {**DRAMMEN, "months": 3}),
        ("comparison", {"area": "3301", "other": "3303"}),
        ("pyramid", {"organisation": DRAMMEN_KOMMUNE}),
    ):
        report = get_report(api, kind, at=MID, **params)
        for table in report["tables"]:
            for row in table["rows"]:
                for cell in row["cells"]:
                    if "offers" not in cell:
                        continue
                    listed = api.get(cell["offers"] + "&per_page=1").get_json()
                    assert listed["summary"]["total"] == cell["value"], (kind, row["key"], cell)
                    checked += 1
    assert checked > 250
