"""shared.areas: the 2024 classification of Norway (SSB 131/104) and coverage expansion."""

import json

import pytest

from shared.areas import (
    NATIONAL,
    AreaKind,
    UnknownAreaError,
    load_reference_data,
    reference_data,
)


@pytest.fixture(scope="module")
def ref():
    return load_reference_data()


def test_packaged_classification_has_357_municipalities_and_15_counties(ref):
    assert len(ref.of_kind(AreaKind.MUNICIPALITY)) == 357
    assert len(ref.of_kind(AreaKind.COUNTY)) == 15


def test_the_15_county_codes_of_2024(ref):
    assert {a.code for a in ref.of_kind(AreaKind.COUNTY)} == {
        "03",
        "11",
        "15",
        "18",
        "31",
        "32",
        "33",
        "34",
        "39",
        "40",
        "42",
        "46",
        "50",
        "55",
        "56",
    }


@pytest.mark.parametrize(
    ("county", "name", "count"),
    [
        ("03", "Oslo", 1),
        ("11", "Rogaland", 23),
        ("15", "Møre og Romsdal", 27),  # Haram split from Ålesund on 2024-01-01
        ("33", "Buskerud", 18),
        ("39", "Vestfold", 6),
        ("46", "Vestland", 43),
    ],
)
def test_county_sizes_of_2024(ref, county, name, count):
    area = ref.get(county)
    assert area.kind is AreaKind.COUNTY
    assert area.name == name
    assert len(area.municipalities) == count


def test_oslo_is_alone_in_county_03(ref):
    oslo = ref.get("0301")
    assert oslo.kind is AreaKind.MUNICIPALITY
    assert oslo.name.startswith("Oslo")
    assert oslo.county_code == "03"
    assert ref.get("03").municipalities == frozenset({"0301"})


def test_drammen_lies_in_buskerud(ref):
    assert ref.get("3301").name == "Drammen"
    assert ref.get("3301").county_code == "33"
    assert ref.get("33").name == "Buskerud"


def test_expand_county(ref):
    buskerud = ref.expand(["33"])
    assert "3301" in buskerud
    assert "0301" not in buskerud
    assert len(buskerud) == 18


def test_expand_region(ref):
    vest = ref.expand(["bufetat-vest"])  # Rogaland and Vestland
    assert {"4601", "1103"} <= vest  # Bergen, Stavanger
    assert "0301" not in vest
    assert len(vest) == 23 + 43


def test_expand_whole_country_and_mixed_lists(ref):
    assert len(ref.expand([NATIONAL])) == 357
    assert ref.expand(["0301", "33"]) == ref.expand(["33"]) | {"0301"}
    assert ref.expand([]) == frozenset()


@pytest.mark.parametrize(
    ("coverage", "municipality", "expected"),
    [
        (["3301"], "3301", True),
        (["33"], "3301", True),
        (["bufetat-sor"], "3301", True),  # Buskerud is in Bufetat region sør
        (["NO"], "5501", True),  # Tromsø
        (["bufetat-vest"], "0301", False),
        (["03"], "3301", False),
        (["4601"], "3301", False),
        ([], "0301", False),
    ],
)
def test_covers(ref, coverage, municipality, expected):
    assert ref.covers(coverage, municipality) is expected


def test_unknown_codes(ref):
    assert ref.unknown(["9999", "0301", "bufetat-oest", "33", "1"]) == ["9999", "bufetat-oest", "1"]
    assert ref.unknown(["NO", "0301"]) == []
    for code in ("9999", "0101", "no", "bufetat-oest"):  # 0101 Halden ended in 2020
        assert code not in ref
        with pytest.raises(UnknownAreaError, match=code):
            ref.get(code)
    with pytest.raises(UnknownAreaError):
        ref.expand(["33", "0101"])
    assert issubclass(UnknownAreaError, ValueError)


def test_every_municipality_code_starts_with_its_county_code(ref):
    municipalities = ref.of_kind(AreaKind.MUNICIPALITY)
    assert municipalities
    for area in municipalities:
        assert len(area.code) == 4
        assert area.code[:2] == area.county_code
        assert area.code in ref.get(area.county_code).municipalities


def test_every_region_names_existing_counties(ref):
    regions = ref.of_kind(AreaKind.REGION)
    assert {"bufetat-ost", "bufetat-vest", "helse-nord"} <= {r.code for r in regions}
    for region in regions:
        counties = ref.region_counties[region.code]
        assert counties
        for county in counties:
            assert ref.get(county).kind is AreaKind.COUNTY


def test_region_labels_by_language(ref):
    assert ref.get("bufetat-vest").label("nb") == "Bufetat, region vest"
    assert ref.get("bufetat-vest").label("en") == "Bufetat, Region West"
    assert ref.get("0301").label("en") == ref.get("0301").name  # official names are single


def test_process_wide_reference_data_is_loaded_once():
    assert reference_data() is reference_data()


def _write_tiny(directory):
    (directory / "counties.csv").write_text("code,name\n03,Oslo\n33,Buskerud\n", encoding="utf-8")
    (directory / "municipalities.csv").write_text(
        "code,name,county_code\n0301,Oslo,03\n3301,Drammen,33\n3303,Kongsberg,33\n",
        encoding="utf-8",
    )


def test_tiny_classification_without_regions_falls_back_to_packaged_regions_and_fails(tmp_path):
    _write_tiny(tmp_path)
    # The packaged regions name counties (e.g. 11 Rogaland) that the tiny classification lacks.
    with pytest.raises(ValueError, match="unknown counties"):
        load_reference_data(tmp_path)


def test_tiny_classification_with_its_own_regions(tmp_path):
    _write_tiny(tmp_path)
    regions = {
        "regions": [
            {
                "code": "test-sor",
                "name": {"nb": "Sør", "nn": "Sør", "en": "South"},
                "counties": ["33"],
            }
        ]
    }
    (tmp_path / "regions.json").write_text(json.dumps(regions), encoding="utf-8")
    ref = load_reference_data(tmp_path)
    assert len(ref.of_kind(AreaKind.MUNICIPALITY)) == 3
    assert len(ref.of_kind(AreaKind.COUNTY)) == 2
    assert ref.expand(["test-sor"]) == frozenset({"3301", "3303"})
    assert ref.expand(["NO"]) == frozenset({"0301", "3301", "3303"})


def test_municipality_in_a_missing_county_is_rejected(tmp_path):
    _write_tiny(tmp_path)
    (tmp_path / "regions.json").write_text('{"regions": []}', encoding="utf-8")
    with (tmp_path / "municipalities.csv").open("a", encoding="utf-8") as f:
        f.write("4601,Bergen,46\n")
    with pytest.raises(ValueError, match="4601"):
        load_reference_data(tmp_path)
