"""``/offers.csv`` and ``/offers.xlsx``: the node's published offers as a table for Norwegian
spreadsheets, checked by reading them back as a spreadsheet program would."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from shared import offer_table

# The standard node's published offers, by name in Norwegian order (the withdrawn
# "Kurs som ble avsluttet" is not among them).
NAMES = [
    "Familievernkontoret",
    "Foreldrekurs: Trygg oppvekst",
    "Helsestasjon for ungdom",
    "Leksehjelp for alle",
    "Oppfølgingstjenesten",
    "Ungdomslos",
]


def read_csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for UTF-8
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_csv_is_one_row_per_published_offer(publisher: Any, service_ids: dict) -> None:
    response = publisher.get("/offers.csv")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="nettungen-tilbud.csv"'
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    rows = read_csv(response.data)
    assert [r["name"] for r in rows] == NAMES
    assert list(rows[0]) == [
        "id",
        "uri",
        "version",
        "published_at",
        "name",
        "description",
        "organisation_number",
        "organisation",
        "provider_kind",
        "agency",
        "level",
        "category",
        "access",
        "age_min",
        "age_max",
        "audiences",
        "risk_groups",
        "diagnosis_groups",
        "statutory_duties",
        "coverage",
        "languages",
        "free_of_charge",
        "cost_description",
        "locations",
        "schedule",
        "opening_hours",
        "opening_hours_from",
        "opening_hours_to",
        "dates",
        "contact_url",
        "contact_email",
        "contact_phone",
        "staff_fte",
        "budget_nok",
        "measure_status",
        "last_reviewed",
    ]
    by_name = {r["name"]: r for r in rows}
    course = by_name["Foreldrekurs: Trygg oppvekst"]
    assert course["id"] == service_ids["foreldrekurs"]
    assert course["version"] == "2"  # the revision
    assert course["organisation_number"] == "910000012"
    assert (course["level"], course["age_min"], course["age_max"]) == ("2", "0", "6")
    assert course["free_of_charge"] == "false"
    assert course["cost_description"] == "400 kroner for hele kurset."
    assert course["schedule"] == "Tirsdager 18–20, åtte ganger."
    assert (course["opening_hours"], course["dates"]) == ("", "")  # none structured
    assert course["languages"] == "nob, eng"
    assert course["locations"] == "Helsehuset, Gamle Kirkeplass 7 3019 Drammen"
    health = by_name["Helsestasjon for ungdom"]
    assert health["statutory_duties"] == "hol-3-2-helsestasjon"
    assert health["free_of_charge"] == "true" and health["cost_description"] == ""
    assert by_name["Familievernkontoret"]["audiences"] == "families, parents"
    assert by_name["Ungdomslos"]["coverage"] == "33"


def test_xlsx_holds_the_same_table(publisher: Any) -> None:
    with publisher.get("/offers.xlsx") as response:
        assert response.status_code == 200
        assert response.mimetype == offer_table.XLSX_TYPE
        body = response.data
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.title == "Tilbud" and sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == offer_table.HEADER
    assert [r[4] for r in rows[1:]] == NAMES
    header = rows[0]
    course = dict(zip(header, rows[2], strict=True))
    assert course["level"] == 2 and course["free_of_charge"] is False  # numbers stay numbers
    assert sheet.cell(1, 1).font.bold


def _document(**changes: Any) -> dict[str, Any]:
    return {
        "uri": "https://node.test/offers/x",
        "version": 1,
        "published_at": "2026-12-01T10:00:00+00:00",
        "name": '=HYPERLINK("http://evil")',
        "description": "+47 32 00 00 00",
        "provider": {"organisation_number": "910000012", "name": "@x", "kind": "municipality"},
        "agency": {"name": "-1"},
        "level": 1,
        "category": "public",
        "access": "open",
        "age_min": 0,
        "age_max": 5,
        "audiences": [],
        "risk_groups": [],
        "diagnosis_groups": [],
        "statutory_duties": [],
        "coverage": ["3301"],
        "languages": [],
        "free_of_charge": True,
        "locations": [],
        "contact": {},
        "measure_status": "established",
        **changes,
    }


def test_no_text_becomes_a_formula() -> None:
    document = _document()
    [line] = list(
        csv.DictReader(io.StringIO("".join(offer_table.csv_chunks([document]))[1:]), delimiter=";")
    )
    assert line["name"] == '\'=HYPERLINK("http://evil")'
    assert (line["description"], line["organisation"], line["agency"]) == (
        "'+47 32 00 00 00",
        "'@x",
        "'-1",
    )
    sheet = load_workbook(io.BytesIO(offer_table.xlsx_bytes([document]))).active
    assert sheet.cell(2, 5).value == '=HYPERLINK("http://evil")'
    assert sheet.cell(2, 5).data_type == "s"


def test_a_query_parameter_is_refused(publisher: Any) -> None:
    response = publisher.get("/offers.csv?municipality=3301")
    assert response.status_code == 400
    assert response.get_json()["errors"]["query"]["municipality"] == ["Unknown field."]


def test_decimals_are_written_as_each_dialect_reads_them() -> None:
    document = _document(staff_fte=2.5, budget_nok=1200000, name="Kurs")
    text = "".join(offer_table.csv_chunks([document]))
    [line] = list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))
    assert (line["staff_fte"], line["budget_nok"]) == ("2,5", "1200000")  # not 2. mai
    text = "".join(offer_table.csv_chunks([document], "comma"))
    [line] = list(csv.DictReader(io.StringIO(text[1:]), delimiter=","))
    assert (line["staff_fte"], line["budget_nok"]) == ("2.5", "1200000")
    assert line["name"] == "Kurs" and line["description"] == "'+47 32 00 00 00"


def test_csv_with_commas_on_request(publisher: Any) -> None:
    response = publisher.get("/offers.csv?separator=comma")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert text.startswith("id,uri,version,")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in rows] == NAMES
    assert publisher.get("/offers.csv?separator=tab").status_code == 400
    assert publisher.get("/offers.xlsx?separator=comma").status_code == 400
