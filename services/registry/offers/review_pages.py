"""Pages: the publisher's review queue, the readable diff, publish, send back and withdraw."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from services.registry.accounts.permissions import Role
from services.registry.offers import services
from services.registry.offers.pages import offer_here
from services.registry.offers.review import changed_since_sent_back, review_rows
from services.registry.ui.web import (
    attempt,
    done,
    organisation,
    page_blueprint,
    render_page,
    require_any_role,
    signed_in,
)
from services.registry.web import db_session
from shared.i18n import current_language

bp = page_blueprint("review_pages", __name__)
PUBLISHERS = frozenset({Role.PUBLISHER})


@bp.get("/review")
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
    )


@bp.get("/review/<offer_id>")
def review(offer_id: str) -> tuple[str, int]:
    require_any_role(PUBLISHERS)
    return _review_page(offer_id)


@bp.post("/review/<offer_id>/publish")
def publish(offer_id: str) -> Response:
    offer = offer_here(offer_id)
    signer = current_app.extensions["nettungen.signer"]
    version = services.publish(
        db_session(), signed_in(), offer.id, request.form.get("comment") or None, signer=signer
    )
    message = gettext("Published as version %(number)s.", number=version.version)
    return done(message, "review_pages.queue")


@bp.post("/review/<offer_id>/send-back")
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


@bp.post("/offers/<offer_id>/withdraw")
def withdraw(offer_id: str) -> Response:
    offer = offer_here(offer_id)
    signer = current_app.extensions["nettungen.signer"]
    services.withdraw(
        db_session(), signed_in(), offer.id, request.form.get("comment") or None, signer=signer
    )
    return done(
        gettext("The offer is withdrawn from the public."), "offer_pages.detail", offer_id=offer_id
    )
