"""Member organisations and their agencies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registry.accounts.permissions import Actor
from services.registry.audit.services import diff, record
from services.registry.offers.models import Offer
from services.registry.organisations.models import Agency, Organisation
from shared.areas import NATIONAL, AreaKind, reference_data
from shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shared.messages import Message

# Which kind of home area each kind of organisation has.
HOME_AREA_KINDS = {
    "municipality": {AreaKind.MUNICIPALITY},
    "county": {AreaKind.COUNTY},
    "region": {AreaKind.REGION},
    "state": {AreaKind.NATIONAL},
    "voluntary": set(AreaKind),
}


def _check_home_area(kind: str, home_area: str) -> None:
    area = reference_data().get(home_area)
    if area.kind not in HOME_AREA_KINDS[kind]:
        expected = {
            "municipality": "a municipality number",
            "county": "a county number",
            "region": "a region code",
            "state": NATIONAL,
        }[kind]
        raise InvalidInput(
            "organisation.home_area_mismatch",
            {
                "home_area": [
                    Message("organisation.home_area_expected", kind=kind, expected=expected)
                ]
            },
        )


def list_organisations(session: Session, actor: Actor) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name)
    if not actor.is_node_admin:
        query = query.where(Organisation.id.in_(list(actor.roles)))
    return list(session.scalars(query))


def get_organisation(session: Session, actor: Actor, organisation_number: str) -> Organisation:
    organisation = session.scalar(
        select(Organisation).where(Organisation.organisation_number == organisation_number)
    )
    if organisation is None:
        raise NotFound("organisation.not_found")
    actor.require_visible(organisation.id)
    return organisation


def count_published_offers(session: Session, actor: Actor, organisation: Organisation) -> int:
    """How many of the organisation's offers the public sees now (a published version)."""
    actor.require_visible(organisation.id)
    query = select(func.count()).where(
        Offer.organisation_id == organisation.id, Offer.published_version.is_not(None)
    )
    return session.scalar(query) or 0


def _view(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "kind": organisation.kind,
        "home_area": organisation.home_area,
        "membership_status": organisation.membership_status,
        "publisher_not_submitter": organisation.publisher_not_submitter,
        "second_factor_required": organisation.second_factor_required,
    }


def create_organisation(session: Session, actor: Actor, data: dict[str, Any]) -> Organisation:
    if not actor.is_node_admin:
        raise PermissionDenied("role.node_admin_for_organisations")
    _check_home_area(data["kind"], data["home_area"])
    taken = session.scalar(
        select(Organisation.id).where(
            Organisation.organisation_number == data["organisation_number"]
        )
    )
    if taken:
        raise Conflict(
            "organisation.already_member",
            {"organisation_number": [Message("organisation.already_registered")]},
        )
    organisation = Organisation(**data)
    session.add(organisation)
    session.flush()
    record(
        session,
        actor,
        "organisation.created",
        "organisation",
        organisation.organisation_number,
        organisation_id=organisation.id,
        changes=_view(organisation),
    )
    return organisation


def update_organisation(
    session: Session, actor: Actor, organisation: Organisation, data: dict[str, Any]
) -> Organisation:
    actor.require_admin(organisation.id)
    if "membership_status" in data and not actor.is_node_admin:
        raise PermissionDenied("role.node_admin_for_membership")
    before = _view(organisation)
    if "home_area" in data:
        _check_home_area(organisation.kind, data["home_area"])
    for key, value in data.items():
        setattr(organisation, key, value)
    record(
        session,
        actor,
        "organisation.updated",
        "organisation",
        organisation.organisation_number,
        organisation_id=organisation.id,
        changes=diff(before, _view(organisation)),
    )
    return organisation


# --- agencies ----------------------------------------------------------------------------------


def find_agency(session: Session, organisation: Organisation, public_id: str) -> Agency | None:
    """The organisation's agency with this id, or None (never another organisation's)."""
    return session.scalar(
        select(Agency).where(
            Agency.organisation_id == organisation.id, Agency.public_id == public_id
        )
    )


def get_agency(
    session: Session, actor: Actor, organisation: Organisation, public_id: str
) -> Agency:
    actor.require_visible(organisation.id)
    agency = find_agency(session, organisation, public_id)
    if agency is None:
        raise NotFound("agency.not_found")
    return agency


def _parent(session: Session, organisation: Organisation, public_id: str | None) -> Agency | None:
    if public_id is None:
        return None
    parent = find_agency(session, organisation, public_id)
    if parent is None:
        raise InvalidInput("agency.unknown", {"parent_id": [Message("agency.not_here")]})
    return parent


def _check_name_free(
    session: Session, organisation: Organisation, name: str, own_id: int | None
) -> None:
    query = select(Agency.id).where(
        Agency.organisation_id == organisation.id, func.lower(Agency.name) == name.lower()
    )
    if own_id is not None:
        query = query.where(Agency.id != own_id)
    if session.scalar(query):
        raise Conflict("agency.name_taken", {"name": [Message("value.already_in_use")]})


def create_agency(
    session: Session, actor: Actor, organisation: Organisation, name: str, parent_id: str | None
) -> Agency:
    actor.require_admin(organisation.id)
    _check_name_free(session, organisation, name, None)
    agency = Agency(
        organisation=organisation, name=name, parent=_parent(session, organisation, parent_id)
    )
    session.add(agency)
    session.flush()
    record(
        session,
        actor,
        "agency.created",
        "agency",
        agency.public_id,
        organisation_id=organisation.id,
        changes={"name": name},
    )
    return agency


def update_agency(session: Session, actor: Actor, agency: Agency, data: dict[str, Any]) -> Agency:
    organisation = agency.organisation
    actor.require_admin(organisation.id)
    before = {"name": agency.name, "parent_id": agency.parent.public_id if agency.parent else None}
    if "name" in data:
        _check_name_free(session, organisation, data["name"], agency.id)
        agency.name = data["name"]
    if "parent_id" in data:
        parent = _parent(session, organisation, data["parent_id"])
        ancestor = parent
        while ancestor is not None:
            if ancestor.id == agency.id:
                raise InvalidInput(
                    "agency.circular", {"parent_id": [Message("agency.inside_itself")]}
                )
            ancestor = ancestor.parent
        agency.parent = parent
    after = {"name": agency.name, "parent_id": agency.parent.public_id if agency.parent else None}
    record(
        session,
        actor,
        "agency.updated",
        "agency",
        agency.public_id,
        organisation_id=organisation.id,
        changes=diff(before, after),
    )
    return agency


def delete_agency(session: Session, actor: Actor, agency: Agency) -> None:
    actor.require_admin(agency.organisation_id)
    in_use = session.scalar(select(func.count()).where(Offer.agency_id == agency.id))
    sections = session.scalar(select(func.count()).where(Agency.parent_id == agency.id))
    if in_use or sections:
        raise Conflict(
            "agency.not_empty",
            {"agency": [Message("agency.still_used", offers=in_use, sections=sections)]},
        )
    record(
        session,
        actor,
        "agency.deleted",
        "agency",
        agency.public_id,
        organisation_id=agency.organisation_id,
        changes={"name": agency.name},
    )
    session.delete(agency)
