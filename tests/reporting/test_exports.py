"""Every table of every report downloads as CSV and XLSX with the same numbers as the JSON
(and so as the page, which renders the same tables)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from services.reporting.present.exports import csv_bytes, xlsx_bytes
from services.reporting.present.model import Column, Table
from tests.reporting.conftest import MID, NOW, PAST
from tests.reporting.reading import get_report

REPORTS = [
    ("pyramid", {"area": "3301", "at": NOW}),
    ("pyramid", {"organisation": "910000012", "at": PAST}),
    ("coverage", {"area": "33", "at": NOW}),
    ("duties", {"area": "3301", "at": PAST}),
    ("overlaps", {"area": "3301", "at": MID}),
    ("quality", {"area": "NO", "at": NOW}),
    ("trend", {"area": "3301", "at": NOW, "months": 6}),
    ("comparison", {"area": "3301", "other": "3303", "at": NOW}),
    ("offers", {"area": "3301", "at": NOW, "risk_group": "trauma"}),
]


def _expected(table: dict) -> list[list]:
    return [
        [c["label"] for c in table["columns"]],
        *[[cell["value"] for cell in row["cells"]] for row in table["rows"]],
    ]


def _as_csv_text(rows: list[list]) -> list[list[str]]:
    """As the default CSV writes values: decimals with a comma, as Excel in Norwegian reads."""

    def text(v: object) -> str:
        if v is None:
            return ""
        return str(v).replace(".", ",") if isinstance(v, float) else str(v)

    return [[text(v) for v in row] for row in rows]


@pytest.mark.parametrize(("kind", "params"), REPORTS)
def test_every_table_as_csv_and_xlsx(api, kind, params):
    report = get_report(api, kind, **params)
    for table in report["tables"]:
        expected = _expected(table)
        response = api.get(table["csv"])
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        text = response.data.decode("utf-8-sig")
        assert list(csv.reader(io.StringIO(text), delimiter=";")) == _as_csv_text(expected)
        response = api.get(table["xlsx"])
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.data), read_only=True)
        [sheet] = workbook.worksheets
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows == [[v if v != "" else None for v in row] for row in expected]
    response = api.get(report["xlsx"])
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    assert len(workbook.worksheets) == len(report["tables"])
    for sheet, table in zip(workbook.worksheets, report["tables"], strict=True):
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows == [[v if v != "" else None for v in row] for row in _expected(table)]


def test_numbers_stay_numbers_in_xlsx(api):
    report = get_report(api, "pyramid", area="3301", at=NOW)
    [levels] = [t for t in report["tables"] if t["name"] == "levels"]
    workbook = load_workbook(io.BytesIO(api.get(levels["xlsx"]).data), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[-1][-1] == 12 and isinstance(rows[-1][-1], int)


def test_an_offer_list_downloads_whole(api):
    page = get_report(api, "offers", area="NO", at=NOW, per_page=2)
    assert page["summary"]["total"] == 14 and len(page["tables"][0]["rows"]) == 2
    text = api.get(page["tables"][0]["csv"]).data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text), delimiter=";"))) == 1 + 14


def test_a_table_the_report_does_not_have_is_a_404(api):
    response = api.get("/api/v1/reports/pyramid/nothing.csv?area=3301")
    assert response.status_code == 404
    assert response.get_json()["message"] == "The pyramid report has no table 'nothing'."


def test_no_text_becomes_a_formula():
    table = Table("names", "Names", [Column("name", "Name"), Column("n", "Offers", True)])
    table.add("a", '=HYPERLINK("https://example.org","x")', 1)
    table.add("b", "-1+2", -3)
    table.add("c", "Helsestasjon", 4)
    rows = list(csv.reader(io.StringIO(csv_bytes(table).decode("utf-8-sig")), delimiter=";"))
    assert rows[1:] == [
        ['\'=HYPERLINK("https://example.org","x")', "1"],
        ["'-1+2", "-3"],
        ["Helsestasjon", "4"],
    ]
    sheet = load_workbook(io.BytesIO(xlsx_bytes([table]))).worksheets[0]
    assert sheet["A2"].value == '=HYPERLINK("https://example.org","x")'
    assert sheet["A2"].data_type == "s"
    assert sheet["B3"].value == -3 and sheet["B3"].data_type == "n"


def test_csv_is_split_by_excel_in_norwegian_and_by_programs_on_request():
    table = Table("t", "T", [Column("name", "Navn"), Column("n", "Årsverk", True)])
    table.add("a", "Sorggruppe, for barn", 2.5)
    table.add("b", "Helsestasjon", 10)
    assert csv_bytes(table) == (
        "\ufeffNavn;Årsverk\r\nSorggruppe, for barn;2,5\r\nHelsestasjon;10\r\n".encode()
    )
    assert csv_bytes(table, "comma") == (
        '\ufeffNavn,Årsverk\r\n"Sorggruppe, for barn",2.5\r\nHelsestasjon,10\r\n'.encode()
    )
