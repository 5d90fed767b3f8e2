"""What the internal app's pages show from the national services: the other providers'
offers in the organisation's area, and the national status of the organisation's offers
(:mod:`services.registry.national.services`), read within one deadline per page."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import current_app

from services.registry.national.services import (
    AreaOffer,
    AreaPicture,
    GrantAdvice,
    National,
    NodeStatus,
    OfferStatus,
    Refusal,
    Unavailable,
    area_offers,
    grant_advice,
    grant_commands,
    node_status,
    offer_statuses,
    offers_by_uri,
)
from services.registry.offers.models import Offer
from services.registry.organisations.models import Organisation
from shared.ingest.http import deadline
from shared.web import db_session

OTHERS_PAGE_SIZE = 50


def national() -> National:
    found: National = current_app.extensions["nettungen.national"]
    return found


def _node_base_url() -> str:
    return str(current_app.config["NODE_BASE_URL"])


@dataclass
class OthersPage:
    """One page of the other providers' offers."""

    offers: list[AreaOffer] = field(default_factory=list)
    page: int = 1
    pages: int = 1


def others_page(picture: AreaPicture | Unavailable, number: int) -> OthersPage:
    if isinstance(picture, Unavailable):
        return OthersPage()
    pages = max(1, math.ceil(len(picture.offers) / OTHERS_PAGE_SIZE))
    page = min(max(number, 1), pages)
    start = (page - 1) * OTHERS_PAGE_SIZE
    return OthersPage(picture.offers[start : start + OTHERS_PAGE_SIZE], page, pages)


@dataclass
class NationalView:
    """The national part of the dashboard."""

    area: AreaPicture | Unavailable
    node: NodeStatus | Unavailable
    statuses: dict[str, OfferStatus] | Unavailable
    refused: list[tuple[Offer, Refusal]] = field(default_factory=list)
    grant_missing: bool = False
    grants: list[str] = field(default_factory=list)

    def status_of(self, offer: Offer) -> OfferStatus | None:
        return None if isinstance(self.statuses, Unavailable) else self.statuses.get(offer.uri)


def for_dashboard(org: Organisation, shown: Sequence[Offer]) -> NationalView:
    """The area's other offers, this node's refusals for the organisation, and the status of
    the offers ``shown`` that were ever published; one national search away at most."""
    reader = national()
    with deadline(reader.limits.timeout * 3):
        area = area_offers(reader, org.home_area, org.organisation_number)
        if isinstance(area, Unavailable) and area.reason == "unreachable":
            return NationalView(area, area, area)
        node = node_status(reader, _node_base_url())
        published = [o.uri for o in shown if o.latest_version]
        statuses = offer_statuses(reader, published) if published else {}
    view = NationalView(area, node, statuses)
    if isinstance(node, NodeStatus) and node.known:
        own = offers_by_uri(db_session(), org.id, [r.offer_uri for r in node.refusals])
        view.refused = [(own[r.offer_uri], r) for r in node.refusals if r.offer_uri in own]
        view.grant_missing = org.organisation_number not in node.organisations
    if isinstance(node, NodeStatus):
        view.grants = grant_commands(node.node_id or None, org.organisation_number)
    return view


def for_offer(offer: Offer) -> OfferStatus | Unavailable | None:
    """The national status of an offer ever published (None for one never published)."""
    if not offer.latest_version:
        return None
    found = offer_statuses(national(), [offer.uri])
    if isinstance(found, Unavailable):
        return found
    return found.get(offer.uri, OfferStatus(None, False, ()))


def for_area(org: Organisation) -> AreaPicture | Unavailable:
    return area_offers(national(), org.home_area, org.organisation_number)


def grants_needed(organisation_number: str) -> GrantAdvice:
    """The national grants a member organisation needs (see :class:`GrantAdvice`)."""
    return grant_advice(national(), _node_base_url(), organisation_number)
