"""``/api/v1/reports/...``: every report as JSON, and every table as CSV and XLSX.

A report answers ``{"report", "title", "scope", "summary", "tables"}``; each table has its
columns and rows of cells, and a count's cell names the API address of the offers behind it
(``/api/v1/reports/offers?...``), so every number drills down.

Every answer is public, with a weak ETag and a ``304`` to a client that has it already
(:func:`services.reporting.context.public_answer`).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.sansio.response import Response as ResponseBase

from services.reporting.api.schemas import ARGUMENTS, ReportSchema
from services.reporting.context import (
    API_PREFIX,
    CACHING_HEADERS,
    NOT_MODIFIED,
    public_answer,
    query,
    this_query,
)
from services.reporting.present import exports
from services.reporting.present.build import build, build_all_rows
from services.reporting.present.model import Cell, Report, Table
from services.reporting.reports.scope import Scope
from shared.errors import NotFound
from shared.i18n import current_language
from shared.spreadsheet import with_separator
from shared.web import db_session
from shared.web.query import strict_query

blp = Blueprint(
    "reports",
    __name__,
    url_prefix=API_PREFIX,
    description="Reports on the federation's offers for an area or an organisation, on any day.",
)

SUMMARIES = {
    "pyramid": "Offers per level (level 1, for all, is the base), by kind of provider and agency; "
    "their staff (full-time equivalents) and yearly budget (NOK) by level, kind of provider and "
    "agency. An offer's whole staff and budget count in every area it covers (not split between "
    "the municipalities it covers).",
    "coverage": "Risk groups, ages and diagnosis groups against the level; empty cells are gaps. "
    "Staff and budget per risk group and per statutory duty: an offer for several risk groups "
    "or duties counts in full in each row, so a column need not add up to the last row, the "
    "true total that counts each offer once (also in summary.resources).",
    "duties": "Statutory duties that apply, and whether offers fulfil them.",
    "overlaps": "Offers that overlap, and offers with near-identical names or descriptions.",
    "quality": "Shares with user participation, evaluation, good practice, evidence base; "
    "offers past their review date; per organisation and agency.",
    "trend": "Offers per level at each month end, from the version history.",
    "comparison": "Two areas side by side.",
    "offers": "The offers behind a number of a report: the scope's offers that pass the filter.",
}


def scope_json(scope: Scope, lang: str) -> dict[str, Any]:
    return {
        "kind": "area" if scope.area is not None else "organisation",
        "code": scope.code,
        "name": scope.name(lang),
        "area_kind": str(scope.area.kind) if scope.area is not None else None,
        "at": scope.at.isoformat(),
        "municipalities": len(scope.municipalities),
    }


def _cell(cell: Cell, lang: str) -> dict[str, Any]:
    result: dict[str, Any] = {"value": cell.value}
    if cell.drill is not None:
        result["offers"] = f"{API_PREFIX}/offers?{query(cell.drill.params(), lang)}"
    if cell.link is not None:
        result["link"] = cell.link
    if cell.gap:
        result["gap"] = True
    return result


def table_json(report: Report, table: Table, lang: str) -> dict[str, Any]:
    base = f"{API_PREFIX}/{report.kind}/{table.name}"
    return {
        "name": table.name,
        "title": table.title,
        "columns": [{"key": c.key, "label": c.label, "numeric": c.numeric} for c in table.columns],
        **({"note": table.note} if table.note else {}),
        "rows": [
            {
                "key": r.key,
                "cells": [_cell(c, lang) for c in r.cells],
                "total": r.total,
                "gap": r.gap,
            }
            for r in table.rows
        ],
        "csv": f"{base}.csv?{this_query()}",
        "xlsx": f"{base}.xlsx?{this_query()}",
    }


def report_json(report: Report, lang: str) -> dict[str, Any]:
    answer = {
        "report": report.kind,
        "title": report.title,
        "scope": scope_json(report.scope, lang),
        "summary": report.summary,
        "tables": [table_json(report, t, lang) for t in report.tables],
        "xlsx": f"{API_PREFIX}/{report.kind}.xlsx?{this_query()}",
    }
    if report.other is not None:
        answer["other"] = scope_json(report.other, lang)
    return answer


def _download(body: bytes, content_type: str, name: str) -> Response:
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _name(report: Report, table: str | None, extension: str) -> str:
    return exports.filename(
        report.kind, table, report.scope.code, report.scope.at.isoformat(), extension
    )


def _report_view(kind: str) -> type[MethodView]:
    class ReportView(MethodView):
        @strict_query(blp, ARGUMENTS[kind])
        @blp.response(200, ReportSchema, headers=CACHING_HEADERS)
        @blp.alt_response(304, description=NOT_MODIFIED, headers=CACHING_HEADERS)
        def get(self, args: dict[str, Any]) -> ResponseBase:
            args["lang"] = current_language()  # ?lang= first, as the labels' gettext reads it
            # Built as the schema dumps it but without dumping it: a national report has
            # some 15,000 cells, and marshmallow took most of a second over them. ReportSchema
            # stays the document, and the fuzzing (tests/reporting/test_fuzz.py) checks every
            # answer against it.
            return public_answer(
                args,
                "application/json",
                lambda: current_app.json.response(
                    report_json(build(db_session(), kind, args), args["lang"])
                ),
            )

    ReportView.get.__doc__ = SUMMARIES[kind]
    return _named(ReportView, kind, "")


def _workbook_view(kind: str) -> type[MethodView]:
    class Workbook(MethodView):
        @strict_query(blp, ARGUMENTS[kind])
        @blp.response(
            200,
            content_type=exports.XLSX_TYPE,
            description="Every table, as XLSX.",
            headers=CACHING_HEADERS,
        )
        @blp.alt_response(304, description=NOT_MODIFIED, headers=CACHING_HEADERS)
        def get(self, args: dict[str, Any]) -> ResponseBase:
            args["lang"] = current_language()

            def workbook() -> Response:
                report = build_all_rows(db_session(), kind, args)
                body = exports.xlsx_bytes(report.tables)
                return _download(body, exports.XLSX_TYPE, _name(report, None, "xlsx"))

            return public_answer(args, exports.XLSX_TYPE, workbook)

    Workbook.get.__doc__ = f"The {kind} report: every table in one XLSX workbook."
    return _named(Workbook, kind, "Xlsx")


def _table_view(kind: str) -> type[MethodView]:
    class TableDownload(MethodView):
        @strict_query(blp, with_separator(ARGUMENTS[kind]))
        @blp.response(
            200,
            content_type=exports.CSV_TYPE,
            description="One table, as CSV or XLSX.",
            headers=CACHING_HEADERS,
        )
        @blp.alt_response(304, description=NOT_MODIFIED, headers=CACHING_HEADERS)
        @blp.alt_response(404, description="The report has no such table.")
        def get(self, args: dict[str, Any], table: str, extension: str) -> ResponseBase:
            args["lang"] = current_language()

            def download() -> Response:
                report = build_all_rows(db_session(), kind, args)
                try:
                    chosen = report.table(table)
                except KeyError:
                    raise NotFound("report.no_table", kind=kind, table=table) from None
                if extension == "csv":
                    body = exports.csv_bytes(chosen, args["separator"])
                    content_type = exports.CSV_TYPE
                else:
                    body, content_type = exports.xlsx_bytes([chosen]), exports.XLSX_TYPE
                return _download(body, content_type, _name(report, table, extension))

            kind_of_file = exports.CSV_TYPE if extension == "csv" else exports.XLSX_TYPE
            return public_answer(args, kind_of_file, download)

    TableDownload.get.__doc__ = f"One table of the {kind} report, as CSV or XLSX."
    return _named(TableDownload, kind, "Table")


def _named(view: type[MethodView], kind: str, variant: str) -> type[MethodView]:
    # A class name of its own per report and variant (e.g. PyramidXlsxReport), rather than the
    # factory's one name for every report.
    view.__name__ = f"{kind.title()}{variant}Report"
    return view


def _register(kind: str) -> None:
    report, workbook, table = _report_view(kind), _workbook_view(kind), _table_view(kind)
    blp.route(f"/{kind}", endpoint=kind)(report)
    blp.route(f"/{kind}.xlsx", endpoint=f"{kind}_xlsx")(workbook)
    blp.route(f"/{kind}/<table>.<any(csv, xlsx):extension>", endpoint=f"{kind}_table")(table)


for _kind in ARGUMENTS:
    _register(_kind)
