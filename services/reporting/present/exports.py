"""Tables as downloads: CSV (UTF-8 with a byte-order mark so spreadsheets read the letters æ,
ø and å right) and XLSX (one sheet per table, numbers as numbers).

CSV comes in two dialects. The default, ``semicolon``, is what Excel in Norwegian splits into
columns when the file is opened: fields separated by ``;`` (the list separator of a locale
whose decimal separator is the comma) and decimals written with a comma (``2,5`` årsverk).
``comma`` is RFC 4180 as programs read it: ``,`` between fields and a decimal point.

Names and descriptions come from every node of the federation, so no text may become a
formula: in XLSX every text is stored as text, and in CSV a text that a spreadsheet would read
as a formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from services.reporting.present.model import Table, Value

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# The CSV dialects: (field separator, decimal separator).
CSV_DIALECTS = {"semicolon": (";", ","), "comma": (",", ".")}


def _csv_value(value: Value, decimal: str) -> Value:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, float):
        return repr(value).replace(".", decimal)
    return value


def csv_bytes(table: Table, dialect: str = "semicolon") -> bytes:
    """The table as CSV in ``dialect`` (see the module's text), header row first."""
    separator, decimal = CSV_DIALECTS[dialect]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerows([_csv_value(v, decimal) for v in row] for row in table.values())
    return buffer.getvalue().encode("utf-8-sig")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base} {n}", n + 1
    taken.add(name.lower())
    return name


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """The tables as one XLSX workbook, a sheet each, headers bold and frozen."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        for row in table.values():
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, even if it starts with =
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filename(report: str, table: str | None, scope_code: str, at: str, extension: str) -> str:
    """A download's file name: what, where and when, in plain letters."""
    parts = ["nettungen", report, *([table] if table else []), scope_code, at]
    return "-".join(re.sub(r"[^A-Za-z0-9_]+", "_", p) for p in parts) + f".{extension}"
