"""Offers and their lifecycle: draft → submitted → published → withdrawn.

=============  ===========================  ==================  ========================
action         allowed from (working copy)  who                 result
=============  ===========================  ==================  ========================
edit           draft, published, withdrawn  registrar (agency)  draft
submit         draft                        registrar (agency)  submitted
recall         submitted                    registrar (agency)  draft
send back      submitted                    publisher           draft, with a comment
publish        submitted                    publisher           published, version n+1
withdraw       any, while a version is      publisher           version n+1 (withdrawn);
               public                                           a pending draft stays
delete         never published              registrar (agency)  gone
=============  ===========================  ==================  ========================
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from services.registry.accounts.permissions import Actor, Role
from services.registry.audit.models import AuditEntry
from services.registry.audit.services import diff, entries_for, last_actor, record
from services.registry.base import new_public_id
from services.registry.duties.services import duties_for_offer
from services.registry.mail import notifications
from services.registry.offers import publishing
from services.registry.offers.content import content_of, content_of_document
from services.registry.offers.models import Offer, OfferVersion
from services.registry.organisations.models import Agency, Organisation
from services.registry.organisations.services import find_agency
from shared import timetable
from shared.db import utcnow
from shared.errors import Conflict, InvalidInput, NotFound
from shared.fields import check_age_range
from shared.messages import Message
from shared.publication.keys import Signer
from shared.publication.schema import STATUS_PUBLISHED, STATUS_WITHDRAWN, reachable
from shared.publication.uris import offer_uri

DRAFT, SUBMITTED, PUBLISHED, WITHDRAWN = "draft", "submitted", "published", "withdrawn"
WHAT = "Offer"


# --- reading -----------------------------------------------------------------------------------


def _load(session: Session, offer_id: str, *, for_update: bool = False) -> Offer:
    query = select(Offer).where(Offer.id == offer_id)
    if for_update:
        # Two publishers acting on one offer at once: the second waits, then sees the new state.
        query = query.with_for_update()
    offer = session.scalar(query)
    if offer is None:
        raise NotFound("offer.not_found")
    return offer


def get_offer(session: Session, actor: Actor, offer_id: str) -> Offer:
    offer = _load(session, offer_id)
    actor.require_member(offer.organisation_id, WHAT)
    return offer


def list_offers(
    session: Session,
    actor: Actor,
    organisation: Organisation,
    *,
    status: str | None = None,
    agency_id: str | None = None,
    offset: int = 0,
    limit: int,
) -> tuple[list[Offer], int]:
    """One page of ``limit`` of the organisation's offers, newest change first, with the total
    count."""
    actor.require_member(organisation.id, "Organisation")
    query = select(Offer).where(Offer.organisation_id == organisation.id)
    if status:
        query = query.where(Offer.status == status)
    if agency_id:
        query = query.join(Agency).where(Agency.public_id == agency_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.options(selectinload(Offer.agency), selectinload(Offer.statutory_duties))
        .order_by(Offer.updated_at.desc(), Offer.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return list(page), total


def list_versions(session: Session, actor: Actor, offer_id: str) -> list[OfferVersion]:
    return list(get_offer(session, actor, offer_id).versions)


def get_version(session: Session, actor: Actor, offer_id: str, number: int) -> OfferVersion:
    offer = get_offer(session, actor, offer_id)
    version = session.scalar(
        select(OfferVersion).where(
            OfferVersion.offer_id == offer.id, OfferVersion.version == number
        )
    )
    if version is None:
        raise NotFound("offer.version_not_found")
    return version


def history(session: Session, actor: Actor, offer_id: str) -> Sequence[AuditEntry]:
    offer = get_offer(session, actor, offer_id)
    return entries_for(session, "offer", offer.id)


# --- editing -----------------------------------------------------------------------------------


def _agency(session: Session, organisation: Organisation, public_id: str) -> Agency:
    agency = find_agency(session, organisation, public_id)
    if agency is None:
        raise InvalidInput("agency.unknown", {"agency": [Message("agency.not_in_organisation")]})
    return agency


def _apply(session: Session, actor: Actor, offer: Offer, data: dict[str, Any]) -> None:
    """Set the given fields on the working copy, checking what needs the database."""
    if "agency" in data:
        agency = _agency(session, offer.organisation, data["agency"])
        # The relationship, not the column: a new offer has no organisation_id before flush.
        actor.require_role(offer.organisation.id, Role.REGISTRAR, WHAT, agency_id=agency.id)
        offer.agency = agency
    try:
        check_age_range(data.get("age_min", offer.age_min), data.get("age_max", offer.age_max))
    except ValidationError as exc:
        raise InvalidInput("offer.age_range_reversed", exc.normalized_messages()) from None
    if "statutory_duties" in data:
        offer.statutory_duties = duties_for_offer(session, data["statutory_duties"])
    for name, value in data.items():
        if name in ("agency", "statutory_duties"):
            continue
        if name == "staff_fte" and value is not None:
            value = Decimal(str(value))
        if name == "timetable" and timetable.is_empty(value):
            value = None  # nothing structured: the free text says it all, or nothing does
        setattr(offer, name, value)


def create_offer(
    session: Session, actor: Actor, organisation: Organisation, data: dict[str, Any], base_url: str
) -> Offer:
    actor.require_member(organisation.id, "Organisation")
    agency = _agency(session, organisation, data["agency"])
    actor.require_role(organisation.id, Role.REGISTRAR, WHAT, agency_id=agency.id)
    offer_id = new_public_id()
    offer = Offer(
        id=offer_id,
        uri=offer_uri(base_url, offer_id),
        organisation=organisation,
        status=DRAFT,
        latest_version=0,
    )
    data = {"coverage": [organisation.home_area], **data}
    _apply(session, actor, offer, data)
    session.add(offer)
    session.flush()
    record(
        session,
        actor,
        "offer.created",
        "offer",
        offer.id,
        organisation_id=organisation.id,
        changes=diff({}, content_of(offer)),
    )
    return offer


def _require_registrar(actor: Actor, offer: Offer) -> None:
    actor.require_role(offer.organisation_id, Role.REGISTRAR, WHAT, agency_id=offer.agency_id)


def update_offer(session: Session, actor: Actor, offer_id: str, data: dict[str, Any]) -> Offer:
    offer = _load(session, offer_id, for_update=True)
    _require_registrar(actor, offer)
    if offer.status == SUBMITTED:
        raise Conflict("offer.awaiting_review")
    before = content_of(offer)
    _apply(session, actor, offer, data)
    session.flush()
    changes = diff(before, content_of(offer))
    if changes:
        offer.status = DRAFT
        offer.updated_at = utcnow()
        record(
            session,
            actor,
            "offer.updated",
            "offer",
            offer.id,
            organisation_id=offer.organisation_id,
            changes=changes,
        )
    return offer


def delete_offer(session: Session, actor: Actor, offer_id: str) -> None:
    offer = _load(session, offer_id, for_update=True)
    _require_registrar(actor, offer)
    if offer.latest_version:
        raise Conflict("offer.published_not_deleted")
    record(
        session,
        actor,
        "offer.deleted",
        "offer",
        offer.id,
        organisation_id=offer.organisation_id,
        changes={"name": offer.name},
    )
    session.delete(offer)


# --- transitions -------------------------------------------------------------------------------


def _transition(
    session: Session,
    actor: Actor,
    offer: Offer,
    action: str,
    new_status: str,
    comment: str | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    before = offer.status
    offer.status = new_status
    offer.updated_at = utcnow()
    record(
        session,
        actor,
        f"offer.{action}",
        "offer",
        offer.id,
        organisation_id=offer.organisation_id,
        changes={"status": [before, new_status], **(changes or {})},
        comment=comment,
    )


def _require_status(offer: Offer, allowed: str, action: str) -> None:
    """Each transition starts from one status (the table above)."""
    if offer.status != allowed:
        raise Conflict(
            "offer.wrong_status",
            {"status": [Message("offer.allowed_from", statuses=allowed)]},
            action=action,
            status=offer.status,
        )


def _unchanged_since_published(session: Session, offer: Offer) -> bool:
    if offer.published_version is None:
        return False
    # The public version's row exists: publishing writes it before it sets published_version.
    published = session.execute(
        select(OfferVersion.snapshot).where(
            OfferVersion.offer_id == offer.id, OfferVersion.version == offer.published_version
        )
    ).scalar_one()
    return content_of_document(json.loads(published)) == content_of(offer)


def submit(session: Session, actor: Actor, offer_id: str, comment: str | None = None) -> Offer:
    offer = _load(session, offer_id, for_update=True)
    _require_registrar(actor, offer)
    _require_status(offer, DRAFT, "submit")
    if _unchanged_since_published(session, offer):
        raise Conflict("offer.nothing_to_submit")
    offer.return_comment = None
    _transition(session, actor, offer, "submitted", SUBMITTED, comment)
    notifications.review_requested(session, actor, offer)
    return offer


def recall(session: Session, actor: Actor, offer_id: str, comment: str | None = None) -> Offer:
    offer = _load(session, offer_id, for_update=True)
    _require_registrar(actor, offer)
    _require_status(offer, SUBMITTED, "recall")
    _transition(session, actor, offer, "recalled", DRAFT, comment)
    return offer


def send_back(session: Session, actor: Actor, offer_id: str, comment: str | None) -> Offer:
    offer = _load(session, offer_id, for_update=True)
    actor.require_role(offer.organisation_id, Role.PUBLISHER, WHAT)
    _require_status(offer, SUBMITTED, "send back")
    if not comment or not comment.strip():
        raise InvalidInput(
            "offer.comment_missing", {"comment": [Message("offer.comment_required")]}
        )
    offer.return_comment = comment.strip()
    _transition(session, actor, offer, "sent_back", DRAFT, comment)
    notifications.reviewed(session, actor, offer, "sent_back")
    return offer


def publish(
    session: Session,
    actor: Actor,
    offer_id: str,
    comment: str | None = None,
    *,
    signer: Signer,
) -> OfferVersion:
    offer = _load(session, offer_id, for_update=True)
    actor.require_role(offer.organisation_id, Role.PUBLISHER, WHAT)
    _require_status(offer, SUBMITTED, "publish")
    _require_other_than_submitter(session, actor, offer)
    _require_reachable(offer)
    version = publishing.write_version(session, actor, offer, STATUS_PUBLISHED, signer)
    _transition(
        session,
        actor,
        offer,
        "published",
        PUBLISHED,
        comment,
        changes={"version": [None, version.version]},
    )
    notifications.reviewed(session, actor, offer, "published")
    return version


def _require_reachable(offer: Offer) -> None:
    """A published offer has a way to get in touch, or says why not (shared.publication)."""
    if not reachable(content_of(offer)):
        raise InvalidInput("offer.unreachable", {"contact": [Message("offer.unreachable")]})


def _require_other_than_submitter(session: Session, actor: Actor, offer: Offer) -> None:
    """Under the organisation's four-eyes rule, the registrar who submitted the offer may not
    publish it, whatever roles they hold."""
    if not offer.organisation.publisher_not_submitter:
        return
    submitter = last_actor(session, "offer", offer.id, "offer.submitted")
    if submitter is not None and submitter == actor.user_id:
        raise Conflict("offer.publisher_is_submitter")


def withdraw(
    session: Session,
    actor: Actor,
    offer_id: str,
    comment: str | None = None,
    *,
    signer: Signer,
) -> OfferVersion:
    offer = _load(session, offer_id, for_update=True)
    actor.require_role(offer.organisation_id, Role.PUBLISHER, WHAT)
    if offer.published_version is None:
        raise Conflict(
            "offer.only_published_withdrawn", {"status": [Message("offer.no_public_version")]}
        )
    version = publishing.write_version(session, actor, offer, STATUS_WITHDRAWN, signer)
    # A pending draft or submission stays, so the offer can be published again later.
    new_status = WITHDRAWN if offer.status == PUBLISHED else offer.status
    _transition(
        session,
        actor,
        offer,
        "withdrawn",
        new_status,
        comment,
        changes={"version": [None, version.version]},
    )
    return version
