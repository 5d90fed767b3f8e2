"""Reports' tables as downloads: CSV in either dialect of :mod:`shared.spreadsheet` (its rules
for the byte-order mark, decimals and formulas, the same as the offer tables') and XLSX (one
sheet per table, numbers as numbers, texts as text).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from services.reporting.present.model import Table
from shared import spreadsheet
from shared.spreadsheet import CSV_TYPE, DEFAULT_DIALECT, XLSX_TYPE

__all__ = ["CSV_TYPE", "XLSX_TYPE", "csv_bytes", "filename", "xlsx_bytes"]

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def csv_bytes(table: Table, dialect: str = DEFAULT_DIALECT) -> bytes:
    """The table as CSV in ``dialect`` (:data:`shared.spreadsheet.CSV_DIALECTS`), header row
    first."""
    return spreadsheet.csv_bytes(table.values(), dialect)


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
                spreadsheet.keep_text(cell)
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
