"""Every report on the fixture federation, for today and for days in the past.

The expected numbers are worked out by hand from the timetable in tests.reporting.federation:
D1-D6 Drammen (D4 in its child welfare agency), K1 Kongsberg, C1-C2 Buskerud county, R1
Bufetat region sør, S1 the state (whole country), V1 a national voluntary association, V2-V3
Røde Kors Buskerud, O1 Oslo. By 2026-03-31 D3 has moved from level 2 to 1, D5 has new ages and
risk groups, and V2 is withdrawn.
"""

from __future__ import annotations

import pytest

from services.reporting.norway_time import today
from services.reporting.reports import overlaps
from tests.reporting.conftest import MID, NOW, PAST
from tests.reporting.reading import column, get_report, grid, levels

KINDS = ("municipality", "county", "region", "state", "voluntary")
DRAMMEN = {"area": "3301"}
KONGSBERG = {"area": "3303"}
DRAMMEN_KOMMUNE = "910000012"
RED_CROSS = "910000101"


def kind_counts(report, row: str) -> list[int]:
    values = grid(report, "levels")[row]
    return [values[kind] for kind in (*KINDS, "total")]


def test_pyramid_of_drammen_counts_every_provider_that_covers_it(api):
    report = get_report(api, "pyramid", at=NOW, **DRAMMEN)
    assert report["scope"] == {
        "kind": "area",
        "code": "3301",
        "name": "Drammen",
        "area_kind": "municipality",
        "at": "2026-03-31",
        "municipalities": 1,
    }
    # municipality, county, region, state, voluntary, total
    assert kind_counts(report, "1") == [4, 1, 0, 0, 1, 6]  # D1 D2 D3 D6, C2, V1
    assert kind_counts(report, "2") == [1, 1, 1, 0, 1, 4]  # D5, C1, R1, V3
    assert kind_counts(report, "3") == [1, 0, 0, 1, 0, 2]  # D4, S1
    assert kind_counts(report, "total") == [6, 2, 1, 1, 2, 12]
    assert report["summary"]["offers"] == 12 and report["summary"]["base_is_widest"] is True
    agencies = {
        (row["provider"], row["agency"]): levels(row) for row in grid(report, "agencies").values()
    }
    assert agencies == {
        ("Barne-, ungdoms- og familieetaten", "Tjenester"): (0, 0, 1, 1),
        ("Bufetat, region sør", "Tjenester"): (0, 1, 0, 1),
        ("Buskerud fylkeskommune", "Tjenester"): (1, 1, 0, 2),
        ("Drammen kommune", "Barneverntjenesten"): (0, 0, 1, 1),
        ("Drammen kommune", "Tjenester"): (4, 1, 0, 5),
        ("Foreningen for barn og unge", "Tjenester"): (1, 0, 0, 1),
        ("Røde Kors Buskerud", "Tjenester"): (0, 1, 0, 1),
    }
    assert [r["provider"] for r in grid(report, "agencies").values()][:3] == [
        "Barne-, ungdoms- og familieetaten",
        "Bufetat, region sør",
        "Buskerud fylkeskommune",
    ]


def test_pyramid_in_the_past_is_drawn_from_the_versions_then(api):
    report = get_report(api, "pyramid", at=PAST, **DRAMMEN)
    assert kind_counts(report, "1") == [2, 0, 0, 0, 1, 3]  # D1 D2, V1
    assert kind_counts(report, "2") == [2, 1, 1, 0, 1, 5]  # D3 (then level 2) D5, C1, R1, V2
    assert kind_counts(report, "3") == [1, 0, 0, 1, 0, 2]  # D4, S1
    assert report["summary"]["offers"] == 10 and report["summary"]["base_is_widest"] is False
    assert report["scope"]["at"] == "2025-06-30"


def test_pyramid_before_anything_was_published_is_empty(api):
    report = get_report(api, "pyramid", at="2025-01-14", **DRAMMEN)
    assert kind_counts(report, "total") == [0, 0, 0, 0, 0, 0]
    assert report["summary"]["offers"] == 0


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        # K1 joins in the county and the region; O1 only in the whole country.
        ({"area": "33"}, ([4, 1, 0, 0, 1, 6], [1, 1, 1, 0, 1, 4], [2, 0, 0, 1, 0, 3])),
        ({"area": "bufetat-sor"}, ([4, 1, 0, 0, 1, 6], [1, 1, 1, 0, 1, 4], [2, 0, 0, 1, 0, 3])),
        ({"area": "NO"}, ([5, 1, 0, 0, 1, 7], [1, 1, 1, 0, 1, 4], [2, 0, 0, 1, 0, 3])),
        ({"area": "3303"}, ([0, 1, 0, 0, 1, 2], [0, 1, 1, 0, 0, 2], [1, 0, 0, 1, 0, 2])),
        ({"area": "0301"}, ([1, 0, 0, 0, 1, 2], [0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 1])),
        ({"area": "46"}, ([0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 1])),
        (
            {"organisation": DRAMMEN_KOMMUNE},
            ([4, 0, 0, 0, 0, 4], [1, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 1]),
        ),
        ({"organisation": RED_CROSS}, ([0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0])),
    ],
)
def test_pyramid_of_every_kind_of_scope(api, scope, expected):
    report = get_report(api, "pyramid", at=NOW, **scope)
    assert (
        kind_counts(report, "1"),
        kind_counts(report, "2"),
        kind_counts(report, "3"),
    ) == expected


def test_organisation_scope_is_named_by_its_newest_version(api):
    report = get_report(api, "pyramid", at=PAST, organisation=RED_CROSS)
    assert report["scope"]["kind"] == "organisation"
    assert report["scope"]["name"] == "Røde Kors Buskerud"
    assert report["scope"]["municipalities"] == 18  # its home area, Buskerud
    assert kind_counts(report, "2") == [0, 0, 0, 0, 1, 1]  # V2, withdrawn later


def test_risk_groups_and_ages_against_the_level(api):
    report = get_report(api, "coverage", at=NOW, **DRAMMEN)
    risk = {code: levels(row) for code, row in grid(report, "risk_groups").items()}
    assert risk == {
        "child_welfare": (0, 0, 2, 2),
        "parent_chronic_illness": (0, 0, 0, 0),
        "parent_mental_illness": (1, 0, 0, 1),
        "parent_substance_abuse": (0, 0, 0, 0),
        "parent_in_prison": (0, 0, 0, 0),
        "parent_violent_milieu": (0, 0, 0, 0),
        "violent_milieu": (0, 0, 2, 2),
        "trauma": (0, 2, 0, 2),
        "parental_breakup": (0, 2, 0, 2),
        "under_assessment": (0, 0, 0, 0),
        "bullying": (1, 0, 0, 1),
        "peer_difficulties": (0, 0, 0, 0),
        "school_absence": (0, 1, 0, 1),
        "learning_difficulties": (0, 0, 0, 0),
    }
    ages = {band: levels(row) for band, row in grid(report, "age_bands").items()}
    assert ages == {
        "0-5": (3, 1, 2, 6),
        "6-12": (4, 3, 2, 9),
        "13-17": (5, 3, 1, 9),
        "18-25": (4, 2, 1, 7),
    }
    diagnosis = {code: levels(row) for code, row in grid(report, "diagnosis_groups").items()}
    assert diagnosis["conduct_disorders"] == (0, 0, 1, 1)
    assert sum(total for *_, total in diagnosis.values()) == 1
    assert report["summary"]["risk_group_gaps"] == [
        "parent_chronic_illness",
        "parent_substance_abuse",
        "parent_in_prison",
        "parent_violent_milieu",
        "under_assessment",
        "peer_difficulties",
        "learning_difficulties",
    ]
    assert report["summary"]["age_band_gaps"] == []


def test_empty_cells_are_marked_as_gaps(api):
    report = get_report(api, "coverage", at=NOW, **DRAMMEN)
    [table] = [t for t in report["tables"] if t["name"] == "risk_groups"]
    rows = {row["key"]: row for row in table["rows"]}
    assert rows["parent_in_prison"]["gap"] is True
    assert all(cell.get("gap") for cell in rows["parent_in_prison"]["cells"][1:])
    trauma = rows["trauma"]
    assert trauma["gap"] is False
    assert [bool(cell.get("gap")) for cell in trauma["cells"][1:]] == [True, False, True, False]


def test_coverage_in_the_past(api):
    report = get_report(api, "coverage", at=PAST, **DRAMMEN)
    risk = grid(report, "risk_groups")
    assert levels(risk["parent_mental_illness"]) == (0, 1, 0, 1)  # D3 was on level 2
    assert levels(risk["trauma"]) == (0, 2, 0, 2)  # D5 and V2
    assert levels(risk["parental_breakup"]) == (0, 1, 0, 1)  # R1 only: D5 was not yet for it
    assert levels(grid(report, "age_bands")["0-5"]) == (1, 2, 2, 5)  # D1; D3 R1; D4 S1


def test_statutory_duties_of_drammen(api):
    report = get_report(api, "duties", at=NOW, **DRAMMEN)
    duties = grid(report, "duties")
    assert len(duties) == 39  # every duty of the catalogue reaches a municipality
    covered = {
        code: (row["offers"], row["municipalities_covered"], row["municipalities"])
        for code, row in duties.items()
        if row["offers"]
    }
    assert covered == {
        "hol-3-2-helsestasjon": (2, 1, 1),  # D1 and D6
        "hol-3-2-skolehelsetjeneste": (1, 1, 1),
        "bvl-3-1-hjelpetiltak": (1, 1, 1),
        "oppl-9-4-oppfolgingstjenesten": (1, 1, 1),  # the county's
        "tannhl-1-3-barn-ungdom": (1, 1, 1),  # the county's, since T4
        "fvkl-1-familievern": (1, 1, 1),  # the region's
        "bvl-16-3-bistandsplikt": (1, 1, 1),  # the state's
    }
    assert duties["oppl-11-13-ppt"]["offers"] == 0  # Kongsberg's PPT does not reach Drammen
    assert duties["oppl-11-13-ppt"]["status"] == "No offer"
    assert duties["hol-3-2-helsestasjon"]["status"] == "Covered"
    assert report["summary"] == {"covered": 7, "partly": 0, "missing": 32, "duties": 39}
    past = get_report(api, "duties", at=PAST, **DRAMMEN)
    assert past["summary"] == {"covered": 6, "partly": 0, "missing": 33, "duties": 39}
    assert grid(past, "duties")["hol-3-2-helsestasjon"]["offers"] == 1


def test_statutory_duties_of_a_county_municipality_by_municipality(api):
    report = get_report(api, "duties", at=NOW, area="33")
    duties = grid(report, "duties")
    assert {
        code: (row["offers"], row["municipalities_covered"], row["status"])
        for code, row in duties.items()
        if row["offers"]
    } == {
        "hol-3-2-helsestasjon": (2, 1, "Partly covered"),
        "hol-3-2-skolehelsetjeneste": (1, 1, "Partly covered"),
        "bvl-3-1-hjelpetiltak": (1, 1, "Partly covered"),
        "oppl-11-13-ppt": (1, 1, "Partly covered"),
        "oppl-9-4-oppfolgingstjenesten": (1, 18, "Covered"),
        "tannhl-1-3-barn-ungdom": (1, 18, "Covered"),
        "fvkl-1-familievern": (1, 18, "Covered"),
        "bvl-16-3-bistandsplikt": (1, 18, "Covered"),
    }
    assert {row["municipalities"] for row in duties.values()} == {18}
    assert report["summary"] == {"covered": 4, "partly": 4, "missing": 31, "duties": 39}


def test_statutory_duties_of_an_organisation_are_those_of_its_kind(api):
    report = get_report(api, "duties", at=NOW, organisation=DRAMMEN_KOMMUNE)
    duties = grid(report, "duties")
    assert len(duties) == 29  # 26 for municipalities only, 3 for municipalities and counties
    assert "tannhl-1-3-barn-ungdom" not in duties
    assert report["summary"] == {"covered": 3, "partly": 0, "missing": 26, "duties": 29}


def _pairs(report, table: str) -> list[tuple[str, str]]:
    return [(row["first_offer"], row["second_offer"]) for row in grid(report, table).values()]


def test_overlaps_and_near_identical_offers(api):
    report = get_report(api, "overlaps", at=NOW, **DRAMMEN)
    assert _pairs(report, "overlapping") == [
        ("Helsestasjon 0–5 år", "Tannhelsetjenesten"),
        ("Helsestasjon for ungdom", "Tannhelsetjenesten"),
        ("Sorggruppe for barn", "Sorggrupper for barn"),
    ]
    assert column(report, "overlapping", "risk_groups") == {
        key: value
        for key, value in zip(
            grid(report, "overlapping"),
            [
                "None (offers for all)",
                "None (offers for all)",
                "Children exposed to trauma (loss, accident)",
            ],
            strict=True,
        )
    }
    assert _pairs(report, "similar") == [("Sorggruppe for barn", "Sorggrupper for barn")]
    [similar] = grid(report, "similar").values()
    assert similar["name_similarity"] == 1.0
    assert similar["description_similarity"] < 0.7
    assert report["summary"] == {
        "offers_compared": 12,
        "overlapping": 3,
        "similar": 1,
        "limit": 200,
    }


def test_overlaps_need_a_municipality_in_common(api):
    # Oslo's "Helsestasjon 0–5 år" has Drammen's name but no municipality in common with it.
    report = get_report(api, "overlaps", at=NOW, area="NO")
    assert _pairs(report, "similar") == [("Sorggruppe for barn", "Sorggrupper for barn")]
    assert report["summary"]["overlapping"] == 3
    assert report["summary"]["offers_compared"] == 14


def test_overlaps_in_the_past_and_the_limit(api):
    past = get_report(api, "overlaps", at=PAST, **DRAMMEN)
    assert past["summary"]["overlapping"] == 0 and past["summary"]["similar"] == 0
    mid = get_report(api, "overlaps", at=MID, **DRAMMEN, limit=1)
    assert mid["summary"] == {"offers_compared": 12, "overlapping": 2, "similar": 1, "limit": 1}
    assert _pairs(mid, "overlapping") == [("Helsestasjon 0–5 år", "Tannhelsetjenesten")]


def test_quality_shares_and_overdue_reviews(api):
    report = get_report(api, "quality", at=NOW, **DRAMMEN)
    shares = {key: (row["offers"], row["share"]) for key, row in grid(report, "shares").items()}
    assert shares == {
        "user_participation": (5, 42),  # D1 D3 C1 V1 V3 of 12
        "evaluated": (2, 17),  # D2 R1
        "good_practice": (2, 17),  # D2 S1
        "evidence_based": (3, 25),  # D3 D4 S1
        "overdue": (4, 33),  # D1 (reviewed 2024-06), D4 (6 months), C1 and V1 (a year)
        "outside_home": (0, 0),  # each covers only its provider's home area
        "total": (12, 100),
    }
    assert column(report, "measure_statuses", "offers") == {
        "pilot": 1,
        "project": 1,
        "permanent": 10,
    }
    drammen = grid(report, "agencies")[f"{DRAMMEN_KOMMUNE}/" + _agency(report, "Tjenester")]
    assert [
        drammen[k]
        for k in (
            "offers",
            "user_participation",
            "evaluated",
            "good_practice",
            "evidence_based",
            "overdue",
        )
    ] == [5, 2, 1, 1, 1, 1]
    past = get_report(api, "quality", at=PAST, **DRAMMEN)
    assert grid(past, "shares")["overdue"]["offers"] == 1  # only D1 was late by then
    assert grid(past, "shares")["user_participation"]["offers"] == 3  # D1 C1 V1 of 10


def _agency(report, name: str) -> str:
    [key] = [
        k.split("/")[1]
        for k, row in grid(report, "agencies").items()
        if row["agency"] == name and k.startswith(DRAMMEN_KOMMUNE)
    ]
    return key


def test_without_a_day_a_report_is_for_today(api):
    report = get_report(api, "pyramid", **DRAMMEN)
    assert report["scope"]["at"] == today().isoformat()
    assert kind_counts(report, "total") == [6, 2, 1, 1, 2, 12]  # nothing changed after T5


def test_overlaps_refuse_a_scope_too_large_to_compare(api, monkeypatch):
    monkeypatch.setattr(overlaps, "MAX_OFFERS", 11)
    answer = api.get(f"/api/v1/reports/overlaps?area=3301&at={NOW}")
    assert answer.status_code == 422
    assert answer.get_json()["message"].startswith("More than 11 offers to compare")
    assert api.get(f"/api/v1/reports/overlaps?area=3303&at={NOW}").status_code == 200
