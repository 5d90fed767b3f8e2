"""HTTP API: offers, their lifecycle, versions and history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_smorest.pagination import PaginationParameters

from services.registry.audit.models import AuditEntry
from services.registry.context import current_actor
from services.registry.offers import redaction, services
from services.registry.offers.models import Offer, OfferVersion
from services.registry.offers.schemas import (
    AuditEntrySchema,
    OfferInputSchema,
    OfferListQuerySchema,
    OfferPatchSchema,
    OfferSchema,
    TransitionSchema,
    VersionSchema,
)
from services.registry.organisations.api import organisation
from shared.web import db_session

blp = Blueprint(
    "offers",
    __name__,
    url_prefix="/api/v1",
    description="Offers (tilbud): the mapping form, the publishing workflow and the versions.",
)


@blp.route("/organisations/<orgnr>/offers")
class OrganisationOffers(MethodView):
    @blp.arguments(OfferListQuerySchema, location="query")
    @blp.response(200, OfferSchema(many=True))
    @blp.paginate(page_size=50, max_page_size=200)
    def get(
        self, query: dict[str, Any], orgnr: str, pagination_parameters: PaginationParameters
    ) -> list[Offer]:
        """The organisation's offers, drafts included (members only)."""
        offers, total = services.list_offers(
            db_session(),
            current_actor(),
            organisation(orgnr),
            status=query.get("status"),
            agency_id=query.get("agency"),
            offset=pagination_parameters.first_item,
            limit=pagination_parameters.page_size,
        )
        pagination_parameters.item_count = total
        return offers

    @blp.arguments(OfferInputSchema)
    @blp.response(201, OfferSchema)
    def post(self, data: dict[str, Any], orgnr: str) -> Offer:
        """Register a new offer as a draft (registrars of the agency)."""
        return services.create_offer(
            db_session(),
            current_actor(),
            organisation(orgnr),
            data,
            current_app.config["NODE_BASE_URL"],
        )


@blp.route("/offers/<offer_id>")
class OfferItem(MethodView):
    @blp.response(200, OfferSchema)
    def get(self, offer_id: str) -> Offer:
        return services.get_offer(db_session(), current_actor(), offer_id)

    @blp.arguments(OfferPatchSchema(partial=True))
    @blp.response(200, OfferSchema)
    def patch(self, data: dict[str, Any], offer_id: str) -> Offer:
        """Edit the working copy; a published offer stays public until the draft is published."""
        return services.update_offer(db_session(), current_actor(), offer_id, data)

    @blp.response(204)
    def delete(self, offer_id: str) -> None:
        """Delete a draft that was never published."""
        services.delete_offer(db_session(), current_actor(), offer_id)


def _transition_view(
    name: str, action: Callable[..., Any], doc: str, *, signs: bool = False
) -> None:
    @blp.route(f"/offers/<offer_id>/{name}", endpoint=f"offer_{name}")
    class Transition(MethodView):
        @blp.arguments(TransitionSchema, required=False)
        @blp.response(200, OfferSchema)
        def post(self, data: dict[str, Any], offer_id: str) -> Offer:
            session = db_session()
            extra = {"signer": current_app.extensions["nettungen.signer"]} if signs else {}
            action(session, current_actor(), offer_id, data.get("comment"), **extra)
            return services.get_offer(session, current_actor(), offer_id)

    Transition.post.__doc__ = doc


_transition_view("submit", services.submit, "Send a draft to the publisher (registrars).")
_transition_view("recall", services.recall, "Take a submission back to draft (registrars).")
_transition_view(
    "send-back", services.send_back, "Send a submission back with a comment (publishers)."
)
_transition_view(
    "publish",
    services.publish,
    "Publish a submission as the next version (publishers).",
    signs=True,
)
_transition_view(
    "withdraw", services.withdraw, "Withdraw the public version (publishers).", signs=True
)
_transition_view(
    "redact",
    redaction.redact_offer,
    "Remove the contact's name, e-mail and phone from every published version of the offer "
    "and announce it to every copy (publishers; docs/privacy.md).",
    signs=True,
)


@blp.route("/offers/<offer_id>/versions")
class Versions(MethodView):
    @blp.response(200, VersionSchema(many=True))
    def get(self, offer_id: str) -> list[OfferVersion]:
        """Every published and withdrawn version, oldest first."""
        return services.list_versions(db_session(), current_actor(), offer_id)


@blp.route("/offers/<offer_id>/versions/<int:number>")
class VersionItem(MethodView):
    @blp.response(200, VersionSchema)
    def get(self, offer_id: str, number: int) -> OfferVersion:
        return services.get_version(db_session(), current_actor(), offer_id, number)


@blp.route("/offers/<offer_id>/history")
class History(MethodView):
    @blp.response(200, AuditEntrySchema(many=True))
    def get(self, offer_id: str) -> Sequence[AuditEntry]:
        """The audit trail: who did what, when, and what changed."""
        return services.history(db_session(), current_actor(), offer_id)
