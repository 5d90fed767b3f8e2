"""``/offers.csv`` and ``/offers.xlsx``: every offer published on the node, one row each.

The columns are :mod:`shared.offer_table`'s, the same as national search's downloads.
"""

from __future__ import annotations

from typing import Any

import flask_smorest
from flask import Response
from flask.views import MethodView

from services.publisher.exports.services import published_documents
from shared import offer_table
from shared.fields import NoQuery
from shared.spreadsheet import with_separator
from shared.web import db_session
from shared.web.query import strict_query

blp = flask_smorest.Blueprint(
    "exports",
    __name__,
    description="The node's published offers as a table (CSV for Norwegian spreadsheets, "
    "XLSX); columns in docs/open-data.md.",
)
CACHE = "public, max-age=60"
FILE_NAME = "nettungen-tilbud"


@blp.route("/offers.csv")
class OffersCsv(MethodView):
    @strict_query(blp, with_separator(NoQuery))
    @blp.doc(responses={"200": {"description": "The table.", "content": {"text/csv": {}}}})
    def get(self, query: dict[str, Any]) -> Response:
        """Every published offer, a row each: UTF-8 with a byte-order mark, semicolon-separated
        with decimal commas (or ``separator=comma``: commas and decimal points)."""
        chunks = offer_table.csv_chunks(published_documents(db_session()), query["separator"])
        response = Response(chunks, content_type=offer_table.CSV_TYPE)
        return _download(response, "csv")


@blp.route("/offers.xlsx")
class OffersXlsx(MethodView):
    @strict_query(blp, NoQuery)
    @blp.doc(
        responses={"200": {"description": "The table.", "content": {offer_table.XLSX_TYPE: {}}}}
    )
    def get(self, _query: dict[str, Any]) -> Response:
        """Every published offer, a row each, as an XLSX workbook."""
        workbook = offer_table.xlsx_bytes(published_documents(db_session()))
        return _download(Response(workbook, mimetype=offer_table.XLSX_TYPE), "xlsx")


def _download(response: Response, extension: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{FILE_NAME}.{extension}"'
    response.headers["Cache-Control"] = CACHE
    return response
