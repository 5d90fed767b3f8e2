"""Pages: the dashboard, the offer form, an offer's page and its history, the registrar's steps
in the workflow (submit, recall, delete), and the publisher's review queue with the readable
diff (publish, send back, withdraw)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from services.registry.accounts.permissions import Role
from services.registry.audit.models import AuditEntry
from services.registry.duties.services import list_duties
from services.registry.national import pages as national_pages
from services.registry.offers import places, services
from services.registry.offers.address_step import address_step
from services.registry.offers.contact import reach_warnings
from services.registry.offers.content import content_of, content_of_document, review_due
from services.registry.offers.coverage import area_picker
from services.registry.offers.form import ADDABLE, BY_NAME, FIELDS, SECTIONS
from services.registry.offers.models import Offer
from services.registry.offers.overview import DashboardFilter, dashboard
from services.registry.offers.review import Labeller, changed_since_sent_back, compare, review_rows
from services.registry.offers.schemas import OfferInputSchema
from services.registry.organisations.models import Organisation
from services.registry.ui.forms import FormState, dom_id, read_form, readable, row_count
from services.registry.ui.pages import (
    attempt,
    done,
    organisation,
    page_blueprint,
    render_page,
    require_any_role,
    roles_here,
    signed_in,
    validate,
)
from shared import timetable_view
from shared.db import utcnow
from shared.errors import NotFound, PermissionDenied
from shared.i18n import current_language
from shared.messages import Message
from shared.publication.schema import reachable
from shared.vocab import OFFER_STATUSES
from shared.web import db_session

bp = page_blueprint("offer_pages", __name__)
review_bp = page_blueprint("review_pages", __name__)
REGISTRARS = frozenset({Role.REGISTRAR})
PUBLISHERS = frozenset({Role.PUBLISHER})


def action_label(action: str) -> str:
    labels = {
        "offer.created": gettext("Registered"),
        "offer.updated": gettext("Edited"),
        "offer.submitted": gettext("Sent for review"),
        "offer.recalled": gettext("Recalled for editing"),
        "offer.sent_back": gettext("Sent back"),
        "offer.published": gettext("Published"),
        "offer.withdrawn": gettext("Withdrawn"),
        "offer.deleted": gettext("Deleted"),
        "offer.redacted": gettext("Personal data removed"),
    }
    return labels.get(action, action)


def offer_here(offer_id: str) -> Offer:
    """The offer, when it belongs to this page's organisation (else 404)."""
    offer = services.get_offer(db_session(), signed_in(), offer_id)
    if offer.organisation_id != organisation().id:
        raise NotFound("offer.not_found")
    return offer


def my_agencies() -> set[int] | None:
    """The agencies a registrar works in; None for roles that see the whole organisation."""
    actor, org = signed_in(), organisation()
    if roles_here() - {Role.REGISTRAR}:
        return None
    return set(actor.agencies.get(org.id, frozenset()))


def _number(name: str, default: int | None = None) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 7 else default


def _chosen(org: Organisation) -> DashboardFilter:
    """The dashboard's filters from the query; a value that is not one of the choices is not
    applied (the form offers only valid ones)."""
    status = request.args.get("status", "")
    agency = next((a.id for a in org.agencies if a.public_id == request.args.get("agency")), None)
    level = _number("level")
    return DashboardFilter(
        status=status if status in OFFER_STATUSES else None,
        agency_id=agency,
        level=level if level in (1, 2, 3) else None,
        words=tuple(request.args.get("q", "")[:200].split()),
        review_due=request.args.get("review_due") == "1",
        page=_number("page", 1) or 1,
    )


@bp.get("/")
def home() -> tuple[str, int]:
    org = organisation()
    mine = request.args.get("show") != "all"
    agencies = my_agencies() if mine else None
    chosen = _chosen(org)
    board = dashboard(db_session(), signed_in(), org, dt.date.today(), agencies, chosen)
    view = national_pages.for_dashboard(org, board.offers)
    return render_page(
        "dashboard.html",
        board=board,
        only_mine=agencies is not None,
        chosen=chosen,
        national=view,
        others=national_pages.others_page(view.area, _number("others_page", 1) or 1),
        query=request.args,
        with_query=_with_query,
    )


def _with_query(**changes: object) -> str:
    """This page's query with ``changes`` (None drops a parameter)."""
    args = request.args.to_dict()
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = str(value)
    return "?" + urlencode(args)


def _choices() -> dict[str, list[tuple[str, str]]]:
    actor, org, lang = signed_in(), organisation(), current_language()
    allowed = actor.agencies.get(org.id, frozenset())
    agencies = [(a.public_id, a.name) for a in org.agencies if a.id in allowed]
    duties = [
        (d.code, f"{d.title.get(lang) or d.title['nb']} ({d.law_short} {d.section})")
        for d in list_duties(db_session(), applies_to=org.kind)
    ]
    return {"agency": agencies, "statutory_duties": duties}


def _warnings(content: Any) -> dict[str, list[str]]:
    """What the reader is told, per field, when the contact looks like a person's own or a
    mobile number is the only way in (``content``: the form's values or the offer's)."""
    found = reach_warnings(content if isinstance(content, dict) else {})
    return {name: [readable(m) for m in messages] for name, messages in found.items()}


def _unreachable(offer: Offer) -> str | None:
    """Why the offer cannot be published as it is, when it has no way to get in touch."""
    if offer.status == "withdrawn" or reachable(content_of(offer)):
        return None
    return readable(Message("offer.unreachable"))


def contact_notes(warnings: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    """(input id, label, message) of each warning, for the notice that links to the field."""
    return [
        (dom_id(name), str(BY_NAME[name].label), message)
        for name, messages in warnings.items()
        for message in messages
    ]


def _form(state: FormState, offer: Offer | None, status: int = 200) -> tuple[str, int]:
    state.choices = _choices()
    state.areas = area_picker(current_language())
    state.warnings = _warnings(state.values)
    notes = contact_notes(state.warnings)
    locations = state.value("locations")
    advice = places.point_warnings(locations)
    advice.update(places.coverage_warnings(locations, state.value("coverage")))
    for name, messages in advice.items():
        state.warnings[name] = [readable(m) for m in messages]
    return render_page(
        "offer_form.html", status, form=state, sections=SECTIONS, offer=offer, contact_notes=notes
    )


def _read() -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    raw = read_form(FIELDS, request.form, OfferInputSchema())
    if not raw.get("coverage"):
        # An empty coverage field is the organisation's own area, as the field's hint says.
        raw["coverage"] = [organisation().home_area]
    data, errors = validate(OfferInputSchema(), raw)
    return raw, data, errors


def _more_rows() -> FormState | None:
    """After "add a row": the form as posted, with one more empty row in that group, unsaved."""
    group = request.form.get("more", "")
    if group not in ADDABLE:
        return None
    state = FormState(values=read_form(FIELDS, request.form, OfferInputSchema()))
    # The empty rows shown before stay, whatever was filled in since: one more than those,
    # up to the group's limit.
    spec = BY_NAME[group]
    filled = len(state.value(group) or [])
    shown = row_count(spec, request.form.get(f"{group}-count")) - filled
    more = max(0, shown - spec.blank_rows) + 1
    state.more_rows = {group: max(0, min(more, spec.max_rows - filled))}
    return state


def _after_save(offer: Offer, message: str) -> Response:
    if request.form.get("then") == "submit":
        session, actor = db_session(), signed_in()
        services.submit(session, actor, offer.id)
        message = gettext("Saved and sent to the publisher for review.")
    return done(message, "offer_pages.detail", offer_id=offer.id)


@bp.route("/offers/new", methods=["GET", "POST"])
def new() -> Response | tuple[str, int]:
    org = organisation()
    require_any_role(REGISTRARS)
    if request.method == "GET":
        initial = {
            "free_of_charge": True,
            "languages": ["nob"],
            "measure_status": "permanent",
            "review_interval_months": 12,
            "coverage": [org.home_area],
        }
        return _form(FormState(values=initial), None)
    more = _more_rows()
    if more is not None:
        return _form(more, None)
    raw, data, errors = _read()
    step = address_step(raw)
    if step is not None:
        return _form(step, None)
    if errors:
        return _form(FormState(values=raw, errors=errors), None, 422)
    base_url = current_app.config["NODE_BASE_URL"]
    offer, errors = attempt(
        lambda: services.create_offer(db_session(), signed_in(), org, data, base_url)
    )
    if errors:
        return _form(FormState(values=raw, errors=errors), None, 422)
    return _after_save(offer, gettext("The offer is saved as a draft."))


@bp.route("/offers/<offer_id>/edit", methods=["GET", "POST"])
def edit(offer_id: str) -> Response | tuple[str, int]:
    offer = offer_here(offer_id)
    if not _can_register(offer):
        raise PermissionDenied("role.not_registrar_for_agency")
    if request.method == "GET":
        return _form(FormState(values=content_of(offer)), offer)
    more = _more_rows()
    if more is not None:
        return _form(more, offer)
    raw, data, errors = _read()
    step = address_step(raw)
    if step is not None:
        return _form(step, offer)
    if errors:
        return _form(FormState(values=raw, errors=errors), offer, 422)
    updated, errors = attempt(
        lambda: services.update_offer(db_session(), signed_in(), offer.id, data)
    )
    if errors:
        return _form(FormState(values=raw, errors=errors), offer, 422)
    return _after_save(updated, gettext("Your changes are saved."))


@bp.get("/offers/<offer_id>")
def detail(offer_id: str) -> tuple[str, int]:
    offer = offer_here(offer_id)
    rows = compare(
        Labeller(db_session(), current_language(), offer.organisation_id), None, content_of(offer)
    )
    return render_page(
        "offer_detail.html",
        offer=offer,
        rows=rows,
        sections=SECTIONS,
        review_due=review_due(offer),
        overdue=offer.status != "withdrawn" and review_due(offer) < dt.date.today(),
        can_register=_can_register(offer),
        contact_notes=contact_notes(_warnings(content_of(offer))),
        unreachable=_unreachable(offer),
        national_status=national_pages.for_offer(offer),
        timetable=timetable_view.view(offer.timetable, utcnow(), current_language()),
    )


def _can_register(offer: Offer) -> bool:
    actor = signed_in()
    return Role.REGISTRAR in roles_here() and offer.agency_id in actor.agencies.get(
        offer.organisation_id, frozenset()
    )


@bp.get("/offers/<offer_id>/history")
def history(offer_id: str) -> tuple[str, int]:
    offer = offer_here(offer_id)
    session, actor = db_session(), signed_in()
    entries: list[AuditEntry] = list(services.history(session, actor, offer.id))
    labeller = Labeller(session, current_language(), offer.organisation_id)
    trail = [
        {
            "entry": e,
            "action": action_label(e.action),
            "changes": [
                row
                for row in compare(labeller, _before(e), _after(e))
                if row.changed and e.action in ("offer.created", "offer.updated")
            ],
        }
        for e in reversed(entries)
    ]
    return render_page(
        "offer_history.html", offer=offer, versions=list(reversed(offer.versions)), trail=trail
    )


def _before(entry: AuditEntry) -> dict[str, Any]:
    return {k: v[0] for k, v in (entry.changes or {}).items() if isinstance(v, list)}


def _after(entry: AuditEntry) -> dict[str, Any]:
    return {k: v[1] for k, v in (entry.changes or {}).items() if isinstance(v, list)}


@bp.get("/offers/<offer_id>/versions/<int:number>")
def version(offer_id: str, number: int) -> tuple[str, int]:
    offer = offer_here(offer_id)
    found = services.get_version(db_session(), signed_in(), offer.id, number)
    content = content_of_document(json.loads(found.snapshot))
    rows = compare(Labeller(db_session(), current_language(), offer.organisation_id), None, content)
    return render_page("offer_version.html", offer=offer, version=found, rows=rows)


@bp.post("/offers/<offer_id>/submit")
def submit(offer_id: str) -> Response:
    offer = offer_here(offer_id)
    services.submit(db_session(), signed_in(), offer.id, request.form.get("comment") or None)
    return done(
        gettext("Sent to the publisher for review."), "offer_pages.detail", offer_id=offer_id
    )


@bp.post("/offers/<offer_id>/recall")
def recall(offer_id: str) -> Response:
    offer = offer_here(offer_id)
    services.recall(db_session(), signed_in(), offer.id)
    return done(
        gettext("Recalled: the offer is a draft again."), "offer_pages.edit", offer_id=offer_id
    )


@bp.post("/offers/<offer_id>/delete")
def delete(offer_id: str) -> Response:
    offer = offer_here(offer_id)
    services.delete_offer(db_session(), signed_in(), offer.id)
    return done(gettext("The draft is deleted."), "offer_pages.home")


# --- the publisher's review ------------------------------------------------------------------


@review_bp.get("/review")
def queue() -> tuple[str, int]:
    require_any_role(PUBLISHERS)
    waiting, _total = services.list_offers(
        db_session(), signed_in(), organisation(), status=services.SUBMITTED, limit=500
    )
    waiting.sort(key=lambda o: o.updated_at)
    return render_page("review_queue.html", waiting=waiting)


def _review_page(offer_id: str, status: int = 200, errors: dict | None = None) -> tuple[str, int]:
    offer = offer_here(offer_id)
    session, actor = db_session(), signed_in()
    rows = review_rows(session, actor, offer, current_language())
    since = changed_since_sent_back(list(services.history(session, actor, offer.id)))
    return render_page(
        "review_offer.html",
        status,
        offer=offer,
        rows=rows,
        changed_rows=[r for r in rows if r.changed],
        since_sent_back=since,
        errors=errors or {},
        comment=request.form.get("comment", ""),
        contact_notes=contact_notes(_warnings(content_of(offer))),
        unreachable=_unreachable(offer),
    )


@review_bp.get("/review/<offer_id>")
def review(offer_id: str) -> tuple[str, int]:
    require_any_role(PUBLISHERS)
    return _review_page(offer_id)


@review_bp.post("/review/<offer_id>/publish")
def publish(offer_id: str) -> Response:
    offer = offer_here(offer_id)
    signer = current_app.extensions["nettungen.signer"]
    version = services.publish(
        db_session(), signed_in(), offer.id, request.form.get("comment") or None, signer=signer
    )
    message = gettext("Published as version %(number)s.", number=version.version)
    return done(message, "review_pages.queue")


@review_bp.post("/review/<offer_id>/send-back")
def send_back(offer_id: str) -> Response | tuple[str, int]:
    offer = offer_here(offer_id)
    comment = request.form.get("comment", "")
    _sent, errors = attempt(
        lambda: services.send_back(db_session(), signed_in(), offer.id, comment)
    )
    if errors:
        errors = {"comment": [gettext("Say what the registrar should fix.")]}
        return _review_page(offer_id, 422, errors)
    return done(gettext("Sent back to the registrar with your comment."), "review_pages.queue")


@review_bp.post("/offers/<offer_id>/withdraw")
def withdraw(offer_id: str) -> Response:
    offer = offer_here(offer_id)
    signer = current_app.extensions["nettungen.signer"]
    services.withdraw(
        db_session(), signed_in(), offer.id, request.form.get("comment") or None, signer=signer
    )
    return done(
        gettext("The offer is withdrawn from the public."), "offer_pages.detail", offer_id=offer_id
    )
