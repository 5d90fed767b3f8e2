"""Pages: bulk mapping with an XLSX template, and the report of an upload."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app, request
from flask_babel import force_locale, gettext
from werkzeug.wrappers import Response

from services.registry.accounts.permissions import Role
from services.registry.bulk import services
from services.registry.bulk.sheet import COLUMNS, FatalSheetError, SheetLanguage, read_rows
from services.registry.bulk.sheet import write_template as build_workbook
from services.registry.offers.contact import reach_warnings
from services.registry.offers.content import content_of
from services.registry.offers.form import BY_NAME
from services.registry.offers.models import Offer
from services.registry.ui.forms import readable
from services.registry.ui.pages import (
    organisation,
    page_blueprint,
    render_page,
    require_any_role,
    signed_in,
)
from shared.i18n import current_language
from shared.messages import Message
from shared.vocab import LANGUAGES
from shared.web import db_session

bp = page_blueprint("bulk_pages", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTRARS = frozenset({Role.REGISTRAR})


def _header(key: str, lang: str) -> str:
    name, _, part = key.partition(":")
    if name.startswith("locations."):
        return f"{BY_NAME['locations'].label}: {_sub_label(name)}"
    label = str(BY_NAME[name].label)
    if not part:
        return label
    column = next(c for c in COLUMNS if c.key == key)
    vocabulary = BY_NAME[name].vocabulary
    if column.kind == "flag" and vocabulary is not None:
        return f"{label}: {vocabulary.get(part).label(lang)}"
    return f"{label} {part}"


def _sub_label(name: str) -> str:
    child = name.split(".", 1)[1]
    return next(str(f.label) for f in BY_NAME["locations"].subfields if f.name == child)


def sheet_language(lang: str) -> SheetLanguage:
    """Headers, lists and yes/no words of the workbook in ``lang``."""
    choices = services.list_choices(db_session(), signed_in(), organisation(), lang)
    with force_locale(lang):
        headers = {c.key: _header(c.key, lang) for c in COLUMNS}
        return SheetLanguage(headers, choices, gettext("Yes"), gettext("No"), _notes())


def _notes() -> dict[str, str]:
    """The form's guidance on the contact columns, and how to write days, times and dates,
    as notes on their headers."""
    return {
        **{
            c.key: str(BY_NAME[c.key].hint)
            for c in COLUMNS
            if c.key.startswith("contact.") and BY_NAME[c.key].hint
        },
        "timetable.weekly": readable(Message("bulk.timetable_cell")),
        "timetable.dates": readable(Message("bulk.dates_cell")),
    }


@bp.get("/bulk")
def upload_page() -> tuple[str, int]:
    require_any_role(REGISTRARS)
    return render_page("bulk.html", result=None, fatal=None)


@bp.get("/bulk/template.xlsx")
def template() -> Response:
    require_any_role(REGISTRARS)
    body = build_workbook(sheet_language(current_language()))
    filename = f"nettungen-kartlegging-{organisation().organisation_number}.xlsx"
    return Response(
        body,
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _fatal_message(error: FatalSheetError) -> str:
    kind, details = error.kind, error.details
    if kind == "unknown-column":
        return gettext(
            "The column %(name)s is not one of the template's. Use the template's columns "
            "without renaming them.",
            name=details[0],
        )
    if kind == "missing-columns":
        labels = sheet_language(current_language()).headers
        names = ", ".join(labels[k] for k in details)
        return gettext("These required columns are missing: %(names)s.", names=names)
    if kind == "too-many-rows":
        return gettext("The sheet has more than 500 offers. Split it into several files.")
    if kind == "too-long":
        return gettext(
            "The sheet has more than 5,000 rows, counting empty ones. Delete the rows below "
            "your offers."
        )
    if kind == "too-large":
        return gettext(
            "The workbook is too large to read. Keep only the template's sheet and its offers."
        )
    if kind == "no-rows":
        return gettext("The sheet has no offers in it.")
    return gettext("The file is not an Excel workbook (.xlsx). Use the template.")


@bp.post("/bulk")
def upload() -> tuple[str, int]:
    require_any_role(REGISTRARS)
    upload = request.files.get("workbook")
    if upload is None or not upload.filename:
        return render_page("bulk.html", 422, result=None, fatal=gettext("Choose a file to upload."))
    languages = [sheet_language(lang) for lang in LANGUAGES]
    header_keys = {text.lower(): key for lang in languages for key, text in lang.headers.items()}
    try:
        _keys, rows = read_rows(upload.read(), header_keys)
    except FatalSheetError as exc:
        return render_page("bulk.html", 422, result=None, fatal=_fatal_message(exc))
    result = services.import_rows(
        db_session(),
        signed_in(),
        organisation(),
        rows,
        current_app.config["NODE_BASE_URL"],
        upload.filename,
    )
    headers = sheet_language(current_language()).headers
    problems = [
        (p.row, _problem_label(p.field, headers), readable(p.message)) for p in result.problems
    ]
    # Nothing created and nothing to keep: answer as a refused form, so nothing is written.
    status = 200 if result.created else 422
    return render_page(
        "bulk.html",
        status,
        result=result,
        problems=problems,
        contact_warnings=_contact_warnings(result.created, headers),
        fatal=None,
    )


def _contact_warnings(
    created: list[tuple[int, Offer]], headers: Mapping[str, str]
) -> list[tuple[int, str, str, str]]:
    """(row, offer, column, message) for each new draft whose contact looks like a person's
    own, or whose only way in is a mobile number: saved all the same, to be checked."""
    return [
        (row, offer.name, headers.get(name) or str(BY_NAME[name].label), readable(message))
        for row, offer in created
        for name, messages in reach_warnings(content_of(offer)).items()
        for message in messages
    ]


def _problem_label(name: str, headers: Mapping[str, str]) -> str:
    if name in headers:
        return headers[name]
    parts = name.split(".")
    if parts[0] == "locations" and len(parts) == 3:
        return headers.get(f"locations.{parts[2]}", name)
    if parts[0] == "timetable" and len(parts) > 1:
        return headers.get(f"timetable.{parts[1]}", name)
    spec = BY_NAME.get(parts[0])
    return str(spec.label) if spec is not None else name
