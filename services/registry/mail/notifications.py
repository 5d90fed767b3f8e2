"""Who is told what as offers move through review, and the weekly digest of offers past their
review date. Each mail is enqueued in the transaction of the change that causes it; they are
all optional, so each recipient's mail settings decide."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.registry.accounts.models import Membership, User
from services.registry.accounts.permissions import Actor
from services.registry.audit.services import last_actor
from services.registry.mail.models import OutboxMail
from services.registry.mail.services import enqueue_mail, mail_language
from services.registry.offers.content import review_due
from services.registry.offers.models import Offer
from services.registry.organisations.models import Agency, Organisation

DIGEST = "review_digest"
# A digest goes out once a week, however often the periodic job runs (a day's slack for a
# timer that fires a little early).
DIGEST_EVERY = dt.timedelta(days=6)


def _sections(session: Session, organisation_id: int) -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    query = select(Agency.id, Agency.parent_id).where(Agency.organisation_id == organisation_id)
    for agency_id, parent_id in session.execute(query):
        if parent_id is not None:
            children[parent_id].append(agency_id)
    return children


def _with_sections(agencies: Iterable[Agency], children: dict[int, list[int]]) -> set[int]:
    found, stack = set(), [a.id for a in agencies]
    while stack:
        agency_id = stack.pop()
        if agency_id not in found:
            found.add(agency_id)
            stack.extend(children.get(agency_id, ()))
    return found


def _members(session: Session, organisation_id: int, role: str) -> list[tuple[User, set[int]]]:
    """Active users with ``role`` in an active organisation, each with the agencies (sections
    included) they are limited to; an empty set means every agency."""
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.membership_status != "active":
        return []
    memberships = session.scalars(
        select(Membership)
        .where(Membership.organisation_id == organisation_id)
        .options(selectinload(Membership.user), selectinload(Membership.agencies))
    ).all()
    children = _sections(session, organisation_id)
    return [
        (m.user, _with_sections(m.agencies, children))
        for m in memberships
        if role in m.roles and m.user.is_active
    ]


def _name(session: Session, actor: Actor) -> str:
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    return user.name if user is not None else actor.label


def _send(session: Session, user: User, template: str, params: Mapping[str, Any]) -> None:
    enqueue_mail(
        session,
        to=user.email,
        language=mail_language(session, user.id),
        template=template,
        params=params,
        user_id=user.id,
        optional=True,
    )


def review_requested(session: Session, actor: Actor, offer: Offer) -> None:
    """Tell the organisation's publishers for the offer's agency that it waits for review."""
    organisation = offer.organisation
    params = {
        "offer_title": offer.name,
        "submitted_by": _name(session, actor),
        "organisation_name": organisation.name,
        "review_path": f"/o/{organisation.organisation_number}/review/{offer.id}",
    }
    for user, agencies in _members(session, offer.organisation_id, "publisher"):
        if user.id != actor.user_id and (not agencies or offer.agency_id in agencies):
            _send(session, user, "review_requested", params)


def _submitter(session: Session, offer: Offer) -> User | None:
    user_id = last_actor(session, "offer", offer.id, "offer.submitted")
    user = session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.is_active else None


def reviewed(session: Session, actor: Actor, offer: Offer, template: str) -> None:
    """Tell the registrar who submitted the offer that it was sent back (``sent_back``, with
    the publisher's comment) or published (``published``)."""
    submitter = _submitter(session, offer)
    if submitter is None or submitter.id == actor.user_id:
        return
    params = {
        "offer_title": offer.name,
        "reviewer": _name(session, actor),
        "comment": offer.return_comment or "",
        "offer_path": f"/o/{offer.organisation.organisation_number}/offers/{offer.id}",
    }
    _send(session, submitter, template, params)


def _overdue(session: Session, organisation_id: int, today: dt.date) -> list[Offer]:
    query = select(Offer).where(
        Offer.organisation_id == organisation_id, Offer.status != "withdrawn"
    )
    # Withdrawn offers are not reviewed, so they are never overdue (as on the dashboard).
    return [
        o for o in session.scalars(query.order_by(Offer.name, Offer.id)) if review_due(o) < today
    ]


def _had_digest(session: Session, user_id: int, now: dt.datetime) -> bool:
    query = select(OutboxMail.id).where(
        OutboxMail.user_id == user_id,
        OutboxMail.template == DIGEST,
        OutboxMail.created_at > now - DIGEST_EVERY,
    )
    return session.scalar(query.limit(1)) is not None


def review_digests(session: Session, today: dt.date, now: dt.datetime) -> int:
    """A digest to every registrar whose agencies have offers past their review date, unless
    they had one in the past week; how many were written."""
    written = 0
    for organisation in session.scalars(select(Organisation).order_by(Organisation.id)):
        overdue = _overdue(session, organisation.id, today)
        if not overdue:
            continue
        for user, agencies in _members(session, organisation.id, "registrar"):
            mine = [o for o in overdue if o.agency_id in agencies]
            if mine and not _had_digest(session, user.id, now):
                _send(session, user, DIGEST, {"offers": _digest_rows(organisation, mine)})
                written += 1
    return written


def _digest_rows(organisation: Organisation, offers: Sequence[Offer]) -> list[dict[str, str]]:
    return [
        {
            "title": offer.name,
            "path": f"/o/{organisation.organisation_number}/offers/{offer.id}",
            "review_date": review_due(offer).isoformat(),
        }
        for offer in offers
    ]
