"""The page action "Fjern personopplysninger fra publiserte versjoner": what removing the personal
data from an offer's published versions does, and the confirmed form that does it (publishers;
:mod:`services.registry.offers.redaction`)."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from services.registry.offers import redaction
from services.registry.offers.models import Offer
from services.registry.offers.pages import PUBLISHERS, offer_here
from services.registry.ui.pages import (
    done,
    page_blueprint,
    render_page,
    require_any_role,
    signed_in,
)
from shared.web import db_session

bp = page_blueprint("redaction_pages", __name__)


@bp.get("/offers/<offer_id>/redact")
def confirm(offer_id: str) -> tuple[str, int]:
    """What removing the personal data does, and the form to confirm it."""
    require_any_role(PUBLISHERS)
    return _page(offer_here(offer_id))


def _page(offer: Offer, status: int = 200, errors: dict | None = None) -> tuple[str, int]:
    return render_page("offer_redact.html", status, offer=offer, errors=errors or {})


@bp.post("/offers/<offer_id>/redact")
def redact(offer_id: str) -> Response | tuple[str, int]:
    offer = offer_here(offer_id)
    if request.form.get("confirm") != "yes":
        require_any_role(PUBLISHERS)
        errors = {"confirm": [gettext("Tick the box to confirm that the data is to be removed.")]}
        return _page(offer, 422, errors)
    signer = current_app.extensions["nettungen.signer"]
    redaction.redact_offer(
        db_session(), signed_in(), offer.id, request.form.get("comment") or None, signer=signer
    )
    message = gettext(
        "The personal data is removed from every published version. National search and "
        "reporting are told to remove it from their copies."
    )
    return done(message, "offer_pages.detail", offer_id=offer_id)
