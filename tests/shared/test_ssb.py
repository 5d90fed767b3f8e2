"""shared.ssb: importing SSB KLASS downloads (131 municipalities, 104 counties)."""

import csv
import json

import pytest
from click.testing import CliRunner

from shared.areas import PACKAGED_DATA_DIR, AreaKind, load_reference_data
from shared.ssb import ClassificationError, import_classification, parse_klass

KLASS_HEADER = [
    "code",
    "parentCode",
    "level",
    "name",
    "shortName",
    "presentationName",
    "validFrom",
    "validTo",
    "notes",
]


def _packaged(name):
    """(code, name) rows of the packaged 2024 lists, used only to BUILD the inputs."""
    with (PACKAGED_DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return [(r["code"], r["name"]) for r in csv.DictReader(f)]


MUNICIPALITIES = _packaged("municipalities.csv")
COUNTIES = _packaged("counties.csv")


def klass_json(rows):
    codes = [
        {
            "code": c,
            "parentCode": None,
            "level": "1",
            "name": n,
            "shortName": "",
            "presentationName": "",
            "validFrom": None,
            "validTo": None,
            "notes": "",
        }
        for c, n in rows
    ]
    return json.dumps({"codes": codes}, ensure_ascii=False).encode("utf-8")


def klass_csv(rows):
    lines = [";".join(f'"{h}"' for h in KLASS_HEADER)]
    for code, name in rows:
        fields = [code, "", "1", name, "", "", "2024-01-01", "", ""]
        lines.append(";".join(f'"{v}"' for v in fields))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def snapshot(directory):
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("encode", [klass_json, klass_csv], ids=["json", "csv-cp1252"])
def test_valid_import_writes_files_that_load_back(tmp_path, encode):
    out = tmp_path / "out"
    result = import_classification(encode(MUNICIPALITIES), encode(COUNTIES), out)
    assert (result.municipalities, result.counties, result.directory) == (357, 15, out)
    assert sorted(p.name for p in out.iterdir()) == ["counties.csv", "municipalities.csv"]
    ref = load_reference_data(out)
    assert len(ref.of_kind(AreaKind.MUNICIPALITY)) == 357
    assert len(ref.of_kind(AreaKind.COUNTY)) == 15
    # Names with æ, ø and å survive the Windows-1252 / UTF-8 round trip.
    assert ref.get("3201").name == "Bærum"
    assert ref.get("1508").name == "Ålesund"
    assert ref.get("5501").name == "Tromsø"
    assert ref.get("15").name == "Møre og Romsdal"
    assert ref.get("3301").county_code == "33"


def test_cp1252_csv_is_really_not_utf8():
    raw = klass_csv([("3201", "Bærum")])
    assert b"B\xe6rum" in raw  # æ is 0xE6 in Windows-1252 / ISO-8859-1
    assert parse_klass(raw) == {"3201": "Bærum"}


def test_utf8_csv_with_byte_order_mark():
    raw = klass_csv([("3201", "Bærum")]).decode("cp1252").encode("utf-8-sig")
    assert parse_klass(raw) == {"3201": "Bærum"}


def test_uoppgitt_rows_are_skipped(tmp_path):
    out = tmp_path / "out"
    result = import_classification(
        klass_json([*MUNICIPALITIES, ("9999", "Uoppgitt")]),
        klass_csv([*COUNTIES, ("99", "Uoppgitt")]),
        out,
    )
    assert (result.municipalities, result.counties) == (357, 15)
    ref = load_reference_data(out)
    assert "9999" not in ref
    assert "99" not in ref


def _replace(rows, code, new):
    return [new if c == code else (c, n) for c, n in rows]


@pytest.mark.parametrize(
    ("municipalities", "counties", "message"),
    [
        pytest.param(b"", klass_json(COUNTIES), None, id="empty-file"),
        pytest.param(b"  \r\n", klass_json(COUNTIES), None, id="blank-file"),
        pytest.param(
            klass_json(_replace(MUNICIPALITIES, "0301", ("301", "Oslo"))),
            klass_json(COUNTIES),
            "301",
            id="malformed-code",
        ),
        pytest.param(
            klass_json([*MUNICIPALITIES, ("3301", "Drammen")]),
            klass_json(COUNTIES),
            "3301",
            id="duplicate-code",
        ),
        pytest.param(
            klass_json(MUNICIPALITIES),
            klass_json([*COUNTIES, ("57", "Testfylke")]),
            "57",
            id="county-without-municipalities",
        ),
        pytest.param(
            klass_json(MUNICIPALITIES),
            klass_json([c for c in COUNTIES if c[0] != "33"]),
            "33",
            id="municipality-in-missing-county",
        ),
        pytest.param(b"{not json", klass_json(COUNTIES), "JSON", id="broken-json"),
        pytest.param(
            b"<html><body>503 Service Unavailable</body></html>",
            klass_json(COUNTIES),
            None,
            id="html-error-page",
        ),
        pytest.param(b"garbage", klass_json(COUNTIES), None, id="garbage"),
        pytest.param(b'{"codes": 5}', klass_json(COUNTIES), None, id="json-codes-not-a-list"),
        pytest.param(
            b'{"codes": [{"code": "0301"}]}',
            klass_json(COUNTIES),
            "name",
            id="json-row-without-name",
        ),
    ],
)
def test_bad_input_raises_and_writes_nothing(tmp_path, municipalities, counties, message):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ClassificationError, match=message):
        import_classification(municipalities, counties, out)
    assert list(out.iterdir()) == []


def test_missing_county_message_points_at_the_cause(tmp_path):
    counties = klass_json([c for c in COUNTIES if c[0] != "33"])
    with pytest.raises(ClassificationError) as exc:
        import_classification(klass_json(MUNICIPALITIES), counties, tmp_path / "out")
    assert "unknown county 33" in str(exc.value) or "regions file" in str(exc.value)
    assert not (tmp_path / "out").exists()


def test_failed_import_leaves_earlier_good_files_unchanged(tmp_path):
    out = tmp_path / "out"
    import_classification(klass_json(MUNICIPALITIES), klass_json(COUNTIES), out)
    before = snapshot(out)
    duplicate = klass_json([*MUNICIPALITIES[:10], ("0301", "Oslo")])
    with pytest.raises(ClassificationError, match="0301"):
        import_classification(duplicate, klass_json(COUNTIES[:1]), out)
    assert snapshot(out) == before


def test_cli_refdata_import(tmp_path):

    f1, f2 = tmp_path / "131.csv", tmp_path / "104.json"
    f1.write_bytes(klass_csv(MUNICIPALITIES))
    f2.write_bytes(klass_json(COUNTIES))
    out = tmp_path / "out"
    result = invoke_import(f1, f2, out)
    assert result.exit_code == 0, result.output
    assert "Imported 357 municipalities and 15 counties" in result.output
    assert len(load_reference_data(out).of_kind(AreaKind.MUNICIPALITY)) == 357


def test_cli_refdata_import_bad_file(tmp_path):

    f1, f2 = tmp_path / "131.json", tmp_path / "104.json"
    f1.write_bytes(klass_json(_replace(MUNICIPALITIES, "0301", ("301", "Oslo"))))
    f2.write_bytes(klass_json(COUNTIES))
    out = tmp_path / "out"
    result = invoke_import(f1, f2, out)
    assert result.exit_code != 0
    assert "Nothing imported" in result.output
    assert not out.exists()


def invoke_import(municipalities, counties, out):
    from services.cli import main

    args = ["refdata", "import", "--municipalities", str(municipalities)]
    return CliRunner().invoke(main, [*args, "--counties", str(counties), "--out", str(out)])
