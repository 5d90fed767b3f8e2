"""The report builders at their edges, each expectation worked out by hand: shares rounded
half up, the trend's month ends (leap years, a day before its month ends), a duty covered,
partly or missing, a matrix's gaps, the pyramid's totals, Jaccard similarity at its
threshold (found by mutation testing, docs/testing.md)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

import pytest

from services.reporting.reports.duties import Duty, DutyStatus, applicable
from services.reporting.reports.pyramid import AgencyCounts, Coverage, Pyramid, month_points
from services.reporting.reports.quality import QualityCounts, percent
from services.reporting.reports.resources import Sums, sums_of
from services.reporting.reports.scope import Organisation, Scope, area_scope
from services.reporting.reports.similarity import jaccard, similar_sets
from tests.federation import Federation, publishing_at
from tests.reporting.conftest import make_reporting_app
from tests.reporting.federation import COUNTY_NODE, MUNICIPAL_NODE, new_history
from tests.reporting.reading import get_report, grid, levels


@pytest.mark.parametrize(
    ("part", "whole", "share"),
    [
        (0, 0, 0),  # nothing of nothing
        (0, 7, 0),
        (7, 7, 100),
        (1, 2, 50),
        (1, 3, 33),  # 33.33
        (2, 3, 67),  # 66.67
        (1, 8, 13),  # 12.5: a half rounds up
        (3, 8, 38),  # 37.5
        (1, 200, 1),  # 0.5
        (1, 201, 0),  # 0.4975
        (199, 200, 100),  # 99.5
        (397, 400, 99),  # 99.25
    ],
)
def test_a_share_is_in_whole_per_cent_halves_rounded_up(part, whole, share):
    assert percent(part, whole) == share


def test_a_measures_share_is_of_the_offers_counted():
    counts = QualityCounts(offers=8)
    counts.marks["evaluated"] = 1
    counts.marks["overdue"] = 3
    assert (counts.share("evaluated"), counts.share("overdue"), counts.share("good_practice")) == (
        13,
        38,
        0,
    )
    assert QualityCounts().share("evaluated") == 0


@pytest.mark.parametrize(
    ("at", "months", "points"),
    [
        ("2025-05-31", 1, ["2025-05-31"]),
        ("2025-05-31", 3, ["2025-03-31", "2025-04-30", "2025-05-31"]),
        # A day before its month ends is the last point itself.
        ("2025-05-15", 3, ["2025-03-31", "2025-04-30", "2025-05-15"]),
        # Across a new year, and February of a leap year and of a common one.
        ("2025-01-10", 2, ["2024-12-31", "2025-01-10"]),
        ("2024-03-01", 3, ["2024-01-31", "2024-02-29", "2024-03-01"]),
        ("2025-03-31", 2, ["2025-02-28", "2025-03-31"]),
        (
            "2025-12-31",
            13,
            [
                "2024-12-31",
                "2025-01-31",
                "2025-02-28",
                "2025-03-31",
                "2025-04-30",
                "2025-05-31",
                "2025-06-30",
                "2025-07-31",
                "2025-08-31",
                "2025-09-30",
                "2025-10-31",
                "2025-11-30",
                "2025-12-31",
            ],
        ),
    ],
)
def test_the_trend_takes_the_month_ends_up_to_the_day(at, months, points):
    assert month_points(dt.date.fromisoformat(at), months) == [
        dt.date.fromisoformat(p) for p in points
    ]


DUTY = Duty("d", {"nb": "Plikt", "en": "Duty"}, "lov", "§ 1", None, ("municipality",))


@pytest.mark.parametrize(
    ("offers", "covered", "municipalities", "status"),
    [
        (2, 3, 3, "covered"),
        (1, 1, 1, "covered"),
        (2, 2, 3, "partly"),
        (1, 1, 3, "partly"),
        (0, 0, 3, "missing"),
        (2, 0, 3, "missing"),  # offers that cite it, none available in the area
        (0, 0, 0, "missing"),  # no municipality at all: nothing covers it
    ],
)
def test_a_duty_is_covered_partly_or_missing(offers, covered, municipalities, status):
    assert DutyStatus(DUTY, offers, covered, municipalities).status == status


def test_a_duty_is_labelled_in_the_language_or_in_bokmal():
    assert (DUTY.label("en"), DUTY.label("nn"), DUTY.label("nb")) == ("Duty", "Plikt", "Plikt")


def test_a_gap_is_a_row_without_an_offer_on_any_level():
    matrix = {
        "a": {1: 0, 2: 0, 3: 0},
        "b": {1: 0, 2: 0, 3: 1},
        "c": {1: 2, 2: 0, 3: 0},
        "d": {1: 0, 2: 0, 3: 0},
    }
    assert Coverage.gaps(matrix) == ["a", "d"]
    assert Coverage.gaps({}) == []


def test_the_pyramids_totals_add_kinds_and_levels():
    shape = Pyramid(
        {
            1: {"municipality": 3, "county": 1, "state": 0},
            2: {"municipality": 0, "county": 2, "state": 0},
            3: {"municipality": 0, "county": 0, "state": 4},
        },
        [],
    )
    assert [shape.level_total(level) for level in (1, 2, 3)] == [4, 2, 4]
    assert shape.total == 10
    assert shape.base_is_widest  # 4 against 2 and a tie with 4
    agency = AgencyCounts("1", "P", "municipality", "a", "A")
    assert (agency.levels, agency.total) == ({1: 0, 2: 0, 3: 0}, 0)
    agency.levels[2] += 3
    agency.levels[3] += 1
    assert agency.total == 4


def test_staff_is_summed_in_hundredths_of_a_full_time_equivalent():
    # The contract takes any number of decimals; the reports show hundredths. One offer of
    # 1.333 full-time equivalents and 500 kroner: (offers, with staff, staff, with budget,
    # budget) as the statement gives them.
    one = sums_of([1, 1, 1.333, 1, 500])
    assert (one.offers, one.staff, one.budget, one.without_staff, one.without_budget) == (
        1,
        1.33,
        500,
        0,
        0,
    )
    # Two of a third each: 0.666, shown 0.67.
    both = Sums(staff=0.333)
    both.add(Sums(offers=1, staff=0.333))
    assert (both.offers, both.staff) == (1, 0.67)


def fs(*terms: str) -> frozenset[str]:
    return frozenset(terms)


@pytest.mark.parametrize(
    ("a", "b", "similarity"),
    [
        (fs(), fs(), 0.0),
        (fs("a"), fs(), 0.0),
        (fs("a"), fs("a"), 1.0),
        (fs("a", "b"), fs("b", "c"), 1 / 3),
        (fs("a", "b", "c", "d"), fs("a", "b", "c", "d", "e"), 0.8),
    ],
)
def test_jaccard_by_hand(a, b, similarity):
    assert jaccard(a, b) == pytest.approx(similarity)
    assert jaccard(b, a) == pytest.approx(similarity)


def test_similar_sets_at_the_threshold_and_just_below():
    sets = [
        fs("a", "b", "c", "d"),  # 0
        fs("a", "b", "c", "d", "e"),  # 1: 4/5 = 0.8 with 0
        fs("a", "b", "c", "x", "y"),  # 2: 3/6 = 0.5 with 0, 3/7 with 1
        fs("a", "b", "c", "d"),  # 3: the same as 0
        fs("p", "q"),  # 4: nothing in common
        fs("a", "b", "c", "d", "e", "f"),  # 5: 4/6 with 0 and 3, 5/6 with 1
    ]
    frequency = Counter(term for s in sets for term in s)
    pairs = {tuple(sorted(p)) for p in similar_sets(sets, frequency, 0.8)}
    assert pairs == {(i, i) for i in range(6)} | {(0, 1), (0, 3), (1, 3), (1, 5)}
    # Just above 0.8 the pairs at exactly 0.8 drop out; 5/6 = 0.833 stays.
    pairs = {tuple(sorted(p)) for p in similar_sets(sets, frequency, 0.81)}
    assert pairs == {(i, i) for i in range(6)} | {(0, 3), (1, 5)}
    # At 0.5: also 0 and 2 (3/6) and 2 and 3.
    pairs = {tuple(sorted(p)) for p in similar_sets(sets, frequency, 0.5)}
    assert pairs == {(i, i) for i in range(6)} | {
        (0, 1),
        (0, 3),
        (1, 3),
        (1, 5),
        (0, 2),
        (2, 3),
        (0, 5),
        (3, 5),
    }


def _organisation(kind: str) -> Scope:
    return Scope(dt.date(2025, 5, 31), organisation=Organisation("1", "O", kind, "3301"))


def test_the_duties_that_apply_to_an_organisation_are_those_of_its_kind():
    # From shared/data/statutory_duties.json, by hand: the state carries two duties (child
    # welfare's duty to assist, family counselling), the regions three (specialist health
    # care), the counties eight (three shared with municipalities), municipalities 29.
    codes = {
        kind: [d.code for d in applicable(_organisation(kind))] for kind in ("state", "region")
    }
    assert codes == {
        "state": ["bvl-16-3-bistandsplikt", "fvkl-1-familievern"],
        "region": [
            "sthl-2-1a-psykisk-helsevern-barn",
            "sthl-2-1a-habilitering-barn",
            "sthl-3-7a-barneansvarlig-personell",
        ],
    }
    assert len(applicable(_organisation("county"))) == 8
    assert len(applicable(_organisation("municipality"))) == 29
    assert applicable(_organisation("voluntary")) == []
    # An area: every duty of the catalogue, in its order.
    everything = applicable(area_scope("3301", dt.date(2025, 5, 31)))
    assert len(everything) == 39
    assert everything[0].code == "hol-3-2-skolehelsetjeneste"
    assert everything[-1].code == "fvkl-1-familievern"


@pytest.fixture(scope="module")
def two_towns(node_database_factory, reporting_database_factory, tmp_path_factory) -> Iterator:
    """Drammen's offer (level 1), Kongsberg's (level 2) and the county's, for all of it
    (level 1), all for ages 13-20 and published on 10 March 2025."""
    tmp_path = tmp_path_factory.mktemp("two_towns")
    federation = Federation(node_database_factory, tmp_path)
    with federation.node("kommune", MUNICIPAL_NODE).builder() as node:
        with publishing_at(dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)):
            node.publish(name="Tilbud i Drammen", level=1)
            node.publish("kongsberg", name="Tilbud i Kongsberg", level=2, coverage=["3303"])
    with federation.node("fylke", COUNTY_NODE).builder() as node:
        with publishing_at(dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)):
            node.publish("county", name="Tilbud i fylket", level=1, coverage=["33"])
    history = new_history(reporting_database_factory, federation.client())
    history.trust_and_harvest(federation)
    app = make_reporting_app(history.url, tmp_path / "app")
    yield app.test_client()
    app.extensions["nettungen.db"].engine.dispose()
    history.engine.dispose()
    federation.close()


@pytest.mark.parametrize(
    ("area", "counts"),
    [("3301", (2, 0, 0, 2)), ("3303", (1, 1, 0, 2)), ("33", (2, 1, 0, 3))],
)
def test_the_trend_counts_only_the_areas_offers(two_towns, area, counts):
    report = get_report(two_towns, "trend", area=area, at="2025-04-30", months=3)
    points = {key: levels(row) for key, row in grid(report, "trend").items()}
    assert points == {"2025-02-28": (0, 0, 0, 0), "2025-03-31": counts, "2025-04-30": counts}


def test_an_age_band_adds_the_offers_of_every_kind_of_provider(two_towns):
    # In Drammen, level 1: the municipality's offer and the county's, both 13-20.
    report = get_report(two_towns, "coverage", area="3301", at="2025-04-30")
    bands = {band: levels(row) for band, row in grid(report, "age_bands").items()}
    assert bands == {
        "0-5": (0, 0, 0, 0),
        "6-12": (0, 0, 0, 0),
        "13-17": (2, 0, 0, 2),
        "18-25": (2, 0, 0, 2),
    }
    assert report["summary"]["offers"] == 2


def test_a_risk_group_is_counted_on_each_level_of_its_offers(two_towns):
    # In the county: Drammen's offer and the county's on level 1, Kongsberg's on level 2, all
    # three for bullying (the offers' one risk group).
    report = get_report(two_towns, "coverage", area="33", at="2025-04-30")
    risk = {code: levels(row) for code, row in grid(report, "risk_groups").items()}
    assert risk["bullying"] == (2, 1, 0, 3)
    assert {code for code, counts in risk.items() if counts != (0, 0, 0, 0)} == {"bullying"}


@pytest.mark.parametrize(
    ("page", "per_page", "names", "pages"),
    [
        (1, 1, ["Tilbud i Drammen"], 3),
        (2, 1, ["Tilbud i fylket"], 3),
        (3, 1, ["Tilbud i Kongsberg"], 3),
        (4, 1, [], 3),
        (1, 2, ["Tilbud i Drammen", "Tilbud i fylket"], 2),
        (2, 2, ["Tilbud i Kongsberg"], 2),
    ],
)
def test_the_offers_behind_a_number_are_paged_in_name_order(
    two_towns, page, per_page, names, pages
):
    # The county's three offers: Drammen's and Kongsberg's from the municipality's node, the
    # county's from its own, so their URIs do not give the names' order.
    report = get_report(
        two_towns, "offers", area="33", at="2025-04-30", page=page, per_page=per_page
    )
    assert [row["name"] for row in grid(report, "offers").values()] == names
    summary = report["summary"]
    assert (summary["total"], summary["page"], summary["per_page"], summary["pages"]) == (
        3,
        page,
        per_page,
        pages,
    )
