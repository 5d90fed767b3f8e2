"""Published offers as a table: CSV for Norwegian spreadsheets, and XLSX.

A node's publisher (``/offers.csv``, ``/offers.xlsx``) and national search (the same paths,
every node's offers) write the same columns, one row per published offer, from the version
documents they store (so what is purged from those is gone here too). docs/open-data.md
describes every column.

The CSV dialects, the byte-order mark and the rule that no text becomes a formula are
:mod:`shared.spreadsheet`'s, the same as the reports' downloads: by default ``;`` between
fields and a decimal comma, as Norwegian Excel reads it; ``comma`` on request. Several values in
one cell (audiences, area codes, ...) are separated by ``, ``. In XLSX numbers are numbers and
every text is stored as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from shared import hsds, spreadsheet
from shared.spreadsheet import CSV_TYPE, DEFAULT_DIALECT, XLSX_TYPE, Value
from shared.timetable_text import dates_text, weekly_text

__all__ = ["COLUMNS", "CSV_TYPE", "HEADER", "XLSX_TYPE", "csv_chunks", "row", "xlsx_bytes"]

LIST_SEPARATOR = ", "
SHEET_TITLE = "Tilbud"

Row = list[Value]


def _codes(name: str) -> Any:
    return lambda d: LIST_SEPARATOR.join(d.get(name) or [])


def _places(document: Mapping[str, Any]) -> str:
    return LIST_SEPARATOR.join(
        " ".join(
            part
            for part in (
                place["name"] + ("," if place.get("street_address") else ""),
                place.get("street_address") or "",
                place.get("postal_code") or "",
                place.get("postal_town") or "",
            )
            if part
        )
        for place in document["locations"]
    )


def _weekly(document: Mapping[str, Any]) -> str:
    return weekly_text((document.get("timetable") or {}).get("weekly") or [])


def _dated(document: Mapping[str, Any]) -> str:
    return dates_text((document.get("timetable") or {}).get("dates") or [])


def _timetable(name: str) -> Any:
    return lambda d: (d.get("timetable") or {}).get(name)


# (column, what it holds, how it is read from a version document), in the order of the table.
COLUMNS: tuple[tuple[str, str, Any], ...] = (
    ("id", "HSDS service id (UUID)", lambda d: hsds.service_id(d["uri"])),
    ("uri", "Offer URI at its node (CPSV-AP-NO, RDF)", lambda d: d["uri"]),
    ("version", "Published version number", lambda d: d["version"]),
    (
        "published_at",
        "When this version was published (UTC, ISO 8601)",
        lambda d: str(d["published_at"]),
    ),
    ("name", "Name of the offer", lambda d: d["name"]),
    ("description", "Description", lambda d: d["description"]),
    (
        "organisation_number",
        "Provider's organisation number",
        lambda d: d["provider"]["organisation_number"],
    ),
    ("organisation", "Provider's name", lambda d: d["provider"]["name"]),
    (
        "provider_kind",
        "Provider kind (vocabulary organisation-kinds)",
        lambda d: d["provider"]["kind"],
    ),
    ("agency", "The provider's agency (etat) that runs it", lambda d: d["agency"]["name"]),
    ("level", "Pyramid level 1, 2 or 3", lambda d: d["level"]),
    ("category", "Category (vocabulary offer-categories)", lambda d: d["category"]),
    ("access", "How one gets it (vocabulary access)", lambda d: d["access"]),
    ("age_min", "Youngest age, years", lambda d: d["age_min"]),
    ("age_max", "Oldest age, years", lambda d: d["age_max"]),
    ("audiences", "Audiences (codes)", _codes("audiences")),
    ("risk_groups", "Risk groups (codes)", _codes("risk_groups")),
    ("diagnosis_groups", "Diagnosis groups (codes)", _codes("diagnosis_groups")),
    (
        "statutory_duties",
        "Statutory duties it fulfils (codes)",
        lambda d: LIST_SEPARATOR.join(duty["code"] for duty in d["statutory_duties"]),
    ),
    ("coverage", "Areas covered: municipality, county or region codes, NO", _codes("coverage")),
    ("languages", "Languages offered (ISO 639-3)", _codes("languages")),
    ("free_of_charge", "Free of charge (true/false)", lambda d: d["free_of_charge"]),
    ("cost_description", "What it costs", lambda d: d.get("cost_description")),
    ("locations", "Places: name, street address, postal code and town", _places),
    ("schedule", "Opening hours, as written", lambda d: d.get("schedule")),
    ("opening_hours", "Weekly hours: day code and times (tue 18:00-20:00; ...)", _weekly),
    ("opening_hours_from", "Weekly hours valid from (date)", _timetable("valid_from")),
    ("opening_hours_to", "Weekly hours valid to, the last day (date)", _timetable("valid_to")),
    ("dates", "Dated occurrences: date and times (2026-09-01 18:00-20:00; ...)", _dated),
    ("contact_url", "Web page", lambda d: d["contact"].get("url")),
    ("contact_email", "E-mail address", lambda d: d["contact"].get("email")),
    ("contact_phone", "Telephone", lambda d: d["contact"].get("phone")),
    ("staff_fte", "Staff, full-time equivalents (årsverk)", lambda d: d.get("staff_fte")),
    ("budget_nok", "Yearly budget, NOK", lambda d: d.get("budget_nok")),
    (
        "measure_status",
        "Measure status (vocabulary measure-statuses)",
        lambda d: d["measure_status"],
    ),
    (
        "last_reviewed",
        "Last reviewed by its provider (date)",
        lambda d: _text(d.get("last_reviewed")),
    ),
)
HEADER: Row = [name for name, _, _ in COLUMNS]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def row(document: Mapping[str, Any]) -> Row:
    """One offer version document as a row of :data:`COLUMNS`."""
    return [read(document) for _, _, read in COLUMNS]


def csv_chunks(
    documents: Iterable[Mapping[str, Any]], dialect: str = DEFAULT_DIALECT
) -> Iterator[str]:
    """The table as CSV text in ``dialect`` (:data:`shared.spreadsheet.CSV_DIALECTS`), the
    byte-order mark and header first, then a row at a time."""
    return spreadsheet.csv_chunks(_rows(documents), dialect)


def _rows(documents: Iterable[Mapping[str, Any]]) -> Iterator[Row]:
    yield HEADER
    for document in documents:
        yield row(document)


def xlsx_bytes(documents: Iterable[Mapping[str, Any]]) -> bytes:
    """The table as an XLSX workbook, written row by row (openpyxl's write-only mode keeps
    the rows in a temporary file, not in memory); the header bold and frozen."""
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, name, bold) for name in HEADER])
    for document in documents:
        sheet.append([_cell(sheet, value) for value in row(document)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: Value, font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    spreadsheet.keep_text(cell)
    if font is not None:
        cell.font = font
    return cell
