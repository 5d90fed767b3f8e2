"""Staff (årsverk) and budget in the pyramid and coverage reports, against numbers worked out
by hand from the resources table in tests.reporting.federation:

    D1 4.5 3 000 000   D2 3.0 2 400 000   D3 0.5 150 000 (0.8 from T4)   D4 2.0 1 600 000
    D5 0.2 -           D6 - -             K1 5.0 4 000 000               C1 6.0 5 000 000
    C2 10.0 12 000 000 R1 8.0 9 000 000   S1 12.5 20 000 000             V1 - -
    V2 1.0 50 000      V3 - 20 000        O1 7.0 6 000 000

Each expected row is (offers, staff, budget, offers without staff, offers without budget).
"""

from __future__ import annotations

import csv
import io

from tests.reporting.conftest import NOW, PAST
from tests.reporting.reading import get_report, grid

DRAMMEN = {"area": "3301"}
COLUMNS = ("offers", "staff_fte", "budget_nok", "without_staff", "without_budget")


def sums(report: dict, table: str) -> dict[str, tuple]:
    return {key: tuple(row[c] for c in COLUMNS) for key, row in grid(report, table).items()}


def test_drammen_resources_by_level_and_kind_of_provider(api):
    report = get_report(api, "pyramid", at=NOW, **DRAMMEN)
    # Level 1: D1 D2 D3 D6 C2 V1; level 2: D5 C1 R1 V3; level 3: D4 S1.
    assert sums(report, "resources_levels") == {
        "3": (2, 14.5, 21_600_000, 0, 0),
        "2": (4, 14.2, 14_020_000, 1, 1),
        "1": (6, 18.3, 17_550_000, 2, 2),
        "total": (12, 47.0, 53_170_000, 3, 3),
    }
    assert sums(report, "resources_kinds") == {
        "municipality": (6, 10.5, 7_150_000, 1, 2),  # D1-D6
        "county": (2, 16.0, 17_000_000, 0, 0),  # C1 C2
        "region": (1, 8.0, 9_000_000, 0, 0),  # R1
        "state": (1, 12.5, 20_000_000, 0, 0),  # S1
        "voluntary": (2, 0.0, 20_000, 2, 1),  # V1 V3
        "total": (12, 47.0, 53_170_000, 3, 3),
    }
    assert report["summary"]["resources"] == {
        "offers": 12,
        "staff_fte": 47.0,
        "budget_nok": 53_170_000,
        "offers_without_staff": 3,
        "offers_without_budget": 3,
    }


def test_drammen_resources_by_agency(api):
    report = get_report(api, "pyramid", at=NOW, **DRAMMEN)
    rows = {
        (row["provider"], row["agency"]): tuple(row[c] for c in COLUMNS)
        for row in grid(report, "resources_agencies").values()
    }
    assert rows == {
        ("Barne-, ungdoms- og familieetaten", "Tjenester"): (1, 12.5, 20_000_000, 0, 0),
        ("Bufetat, region sør", "Tjenester"): (1, 8.0, 9_000_000, 0, 0),
        ("Buskerud fylkeskommune", "Tjenester"): (2, 16.0, 17_000_000, 0, 0),
        ("Drammen kommune", "Barneverntjenesten"): (1, 2.0, 1_600_000, 0, 0),
        ("Drammen kommune", "Tjenester"): (5, 8.5, 5_550_000, 1, 2),
        ("Foreningen for barn og unge", "Tjenester"): (1, 0.0, 0, 1, 1),
        ("Røde Kors Buskerud", "Tjenester"): (1, 0.0, 20_000, 1, 0),
        ("All offers", ""): (12, 47.0, 53_170_000, 3, 3),
    }


def test_risk_groups_count_an_offer_in_each_of_its_rows_and_the_total_once(api):
    report = get_report(api, "coverage", at=NOW, **DRAMMEN)
    rows = sums(report, "resources_risk_groups")
    assert {k: v for k, v in rows.items() if v[0]} == {
        "bullying": (1, 3.0, 2_400_000, 0, 0),  # D2
        "parent_mental_illness": (1, 0.8, 150_000, 0, 0),  # D3 as revised
        "child_welfare": (2, 14.5, 21_600_000, 0, 0),  # D4 S1
        "violent_milieu": (2, 14.5, 21_600_000, 0, 0),  # D4 S1 again
        "trauma": (2, 0.2, 20_000, 1, 1),  # D5 V3
        "parental_breakup": (2, 8.2, 9_000_000, 0, 1),  # D5 R1
        "school_absence": (1, 6.0, 5_000_000, 0, 0),  # C1
        "total": (12, 47.0, 53_170_000, 3, 3),  # each offer once
    }
    assert rows["learning_difficulties"] == (0, 0.0, 0, 0, 0)  # K1 is Kongsberg's only
    # The rows add up to more than the true total: D4, S1 and D5 are in two rows each, and
    # D1, D6, C2, V1 are in none.
    assert round(sum(v[1] for k, v in rows.items() if k != "total"), 2) == 47.2
    [table] = [t for t in report["tables"] if t["name"] == "resources_risk_groups"]
    assert "counts in full in each of them" in table["note"]


def test_statutory_duties_list_those_with_offers(api):
    report = get_report(api, "coverage", at=NOW, **DRAMMEN)
    assert sums(report, "resources_duties") == {
        "hol-3-2-helsestasjon": (2, 4.5, 3_000_000, 1, 1),  # D1 D6
        "hol-3-2-skolehelsetjeneste": (1, 3.0, 2_400_000, 0, 0),  # D2
        "bvl-3-1-hjelpetiltak": (1, 2.0, 1_600_000, 0, 0),  # D4
        "oppl-9-4-oppfolgingstjenesten": (1, 6.0, 5_000_000, 0, 0),  # C1
        "tannhl-1-3-barn-ungdom": (1, 10.0, 12_000_000, 0, 0),  # C2
        "fvkl-1-familievern": (1, 8.0, 9_000_000, 0, 0),  # R1
        "bvl-16-3-bistandsplikt": (1, 12.5, 20_000_000, 0, 0),  # S1
        "total": (12, 47.0, 53_170_000, 3, 3),
    }


def test_resources_in_the_past_are_those_of_the_versions_then(api):
    report = get_report(api, "pyramid", at=PAST, **DRAMMEN)
    # D3 on level 2 with 0.5; V2 not yet withdrawn; D6, C2 and V3 not yet published.
    assert sums(report, "resources_levels") == {
        "3": (2, 14.5, 21_600_000, 0, 0),  # D4 S1
        "2": (5, 15.7, 14_200_000, 0, 1),  # D3 D5 C1 R1 V2
        "1": (3, 7.5, 5_400_000, 1, 1),  # D1 D2 V1
        "total": (10, 37.7, 41_200_000, 1, 2),
    }


def test_an_offer_covering_several_municipalities_counts_whole_in_each(api):
    # V2 (1.0, 50 000) covers Drammen and Kongsberg: whole in each, once in the county.
    drammen = get_report(api, "pyramid", at=PAST, **DRAMMEN)
    kongsberg = get_report(api, "pyramid", at=PAST, area="3303")
    county = get_report(api, "pyramid", at=PAST, area="33")
    assert sums(drammen, "resources_kinds")["voluntary"] == (2, 1.0, 50_000, 1, 1)  # V1 V2
    assert sums(kongsberg, "resources_kinds")["voluntary"] == (2, 1.0, 50_000, 1, 1)
    # Kongsberg: K1 C1 R1 S1 V1 V2.
    assert sums(kongsberg, "resources_levels")["total"] == (6, 32.5, 38_050_000, 1, 1)
    # The county: D1-D5 K1 C1 R1 S1 V1 V2, each once.
    assert sums(county, "resources_levels")["total"] == (11, 42.7, 45_200_000, 1, 2)
    [table] = [t for t in county["tables"] if t["name"] == "resources_levels"]
    assert "every area it covers" in table["note"]


def test_an_organisation_sums_its_own_offers(api):
    report = get_report(api, "pyramid", at=NOW, organisation="910000012")
    assert sums(report, "resources_levels")["total"] == (6, 10.5, 7_150_000, 1, 2)


def test_resource_tables_download_with_a_semicolon_and_a_decimal_comma(api):
    report = get_report(api, "pyramid", at=NOW, **DRAMMEN)
    [table] = [t for t in report["tables"] if t["name"] == "resources_levels"]
    body = api.get(table["csv"]).data
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][2:5] == ["Offers", "Staff (full-time equivalents)", "Yearly budget (NOK)"]
    assert rows[-1] == ["All levels", "", "12", "47,0", "53170000", "3", "3"]
    comma = api.get(table["csv"] + "&separator=comma").data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(comma)))[-1][2:4] == ["12", "47.0"]
    assert api.get(table["csv"] + "&separator=tab").status_code == 400


def test_the_pages_show_the_resources_and_how_they_are_counted(api):
    page = api.get("/pyramid?area=3301&at=2026-03-31&lang=nb").data.decode()
    assert "Ressurser per nivå" in page
    assert "ikke fordelt mellom kommunene" in page
    page = api.get("/coverage?area=3301&at=2026-03-31&lang=nn").data.decode()
    assert "Ressursar per risikogruppe" in page
    page = api.get("/coverage?area=3301&at=2026-03-31&lang=en").data.decode()
    assert "Resources per statutory duty" in page
    assert "counts in full in each of them" in page


def test_the_migration_fills_in_the_resources_of_the_versions_kept(database_factory):
    import datetime as dt
    import json

    from sqlalchemy import MetaData, Table, select

    from services.reporting import db as reporting_db
    from shared.db import create_engine

    url = database_factory()
    reporting_db.upgrade(url, revision="0003")
    engine = create_engine(url)
    when = dt.datetime(2025, 1, 15, 12, tzinfo=dt.UTC)
    common = {
        "node_id": "kommune", "withdrawn": False, "valid_from": when, "published_at": when,
        "name": "X", "name_sort": "x", "description": "X", "name_terms": "x",
        "description_terms": "x", "provider_orgnr": "910000012", "provider_name": "Drammen",
        "provider_kind": "municipality", "provider_home_area": "3301", "agency_id": "a",
        "agency_name": "A", "level": 1, "category": "public", "age_min": 0, "age_max": 5,
        "user_participation": False, "evaluated": False, "good_practice": False,
        "evidence_based": False, "measure_status": "permanent", "review_interval_months": 12,
        "outside_home": False, "first_published": when, "review_due": dt.date(2026, 1, 15),
        "recorded_at": when,
    }  # fmt: skip
    documents = {
        1: {"staff_fte": 2.5, "budget_nok": 1_200_000},
        2: {"staff_fte": None, "budget_nok": None},
        3: {},  # a version from before either was published
    }
    with engine.begin() as conn:
        table = Table("offer_versions", MetaData(), autoload_with=conn)
        for version, resources in documents.items():
            conn.execute(
                table.insert().values(
                    offer_uri="https://k.test/offers/1",
                    offer_id="1",
                    version=version,
                    document=json.dumps({"name": "X", **resources}),
                    **common,
                )
            )
    reporting_db.upgrade(url)
    with engine.connect() as conn:
        table = Table("offer_versions", MetaData(), autoload_with=conn)
        rows = conn.execute(
            select(table.c.version, table.c.staff_fte, table.c.budget_nok).order_by("version")
        ).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 2.5, 1_200_000), (2, None, None), (3, None, None)]


def test_a_budget_on_the_page_is_grouped_in_thousands_in_the_readers_language(api):
    html = api.get("/pyramid?area=3301&at=2026-03-31&lang=nb").get_data(as_text=True)
    assert "53\xa0170\xa0000" in html  # the total budget, as bokmål writes it
    html = api.get("/pyramid?area=3301&at=2026-03-31&lang=en").get_data(as_text=True)
    assert "53,170,000" in html
    assert "47 full-time equivalents and NOK 53,170,000 over 12 offers" in html


def test_the_country_and_a_region_count_each_offer_once(api):
    # The country at NOW: D1-D6 K1 C1 C2 R1 S1 V1 V3 O1 (V2 withdrawn).
    country = get_report(api, "pyramid", at=NOW, area="NO")
    assert sums(country, "resources_levels")["total"] == (14, 59.0, 63_170_000, 3, 3)
    # Bufetat region sør (Buskerud, Vestfold, Telemark, Agder): all of them but Oslo's O1.
    region = get_report(api, "coverage", at=NOW, area="bufetat-sor")
    assert sums(region, "resources_risk_groups")["total"] == (13, 52.0, 57_170_000, 3, 3)


def test_an_agencys_resources_are_keyed_by_its_provider_and_name_its_kind(api):
    # The row's key (and its drill-down) is "<organisation number>/<agency>"; the numbers and
    # kinds of the providers are those of tests.publisher.node.ORGANISATIONS (the API's labels
    # are in English).
    report = get_report(api, "pyramid", at=NOW, **DRAMMEN)
    rows = {
        (row["provider"], row["agency"]): (key.split("/")[0], row["provider_kind"])
        for key, row in grid(report, "resources_agencies").items()
        if key != "total"
    }
    assert rows[("Drammen kommune", "Tjenester")] == ("910000012", "Municipality")
    assert rows[("Buskerud fylkeskommune", "Tjenester")] == ("910000020", "County")
    assert rows[("Barne-, ungdoms- og familieetaten", "Tjenester")] == ("910000039", "State")
    assert rows[("Foreningen for barn og unge", "Tjenester")] == (
        "910000047",
        "Voluntary or private organisation",
    )
