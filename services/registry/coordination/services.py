"""The coordination group's workspace: its members, mandate, steps, plans, minutes, progress
plan, yearly cycle and assessment answers.

Every member of the organisation may read the workspace; administrators, publishers and
registrars (the people who do the mapping) change it; readers do not. Every change is audited
against the workspace (target ``workspace``, id of the group).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registry.accounts.permissions import Actor, Role
from services.registry.audit.services import diff, record
from services.registry.coordination.method import (
    MANDATE_CHECKLIST,
    MANDATE_DUTIES,
    QUESTION_KEYS,
    STEP_NUMBERS,
)
from services.registry.coordination.models import (
    AssessmentAnswer,
    CoordinationGroup,
    GroupMember,
    Initiative,
    MandateItem,
    MethodStep,
)
from services.registry.offers.models import Offer
from services.registry.organisations.models import Agency, Organisation
from shared.db import utcnow
from shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shared.messages import Message

WHAT = "Workspace"
WORKERS = frozenset({Role.ADMIN, Role.PUBLISHER, Role.REGISTRAR})
Item = TypeVar("Item", bound=Any)


def _require_reader(actor: Actor, organisation_id: int) -> None:
    actor.require_member(organisation_id, WHAT)


def require_worker(actor: Actor, organisation_id: int) -> None:
    """Members who do the group's work may change the workspace; readers may not."""
    actor.require_member(organisation_id, WHAT)
    if not actor.roles[organisation_id] & WORKERS:
        raise PermissionDenied("workspace.readers_only_follow")


def _plain(item: Any) -> dict[str, Any]:
    """The item's own columns as JSON-ready values, for the audit trail."""
    values = {}
    for column in item.__table__.columns:
        if column.key in ("id", "group_id"):
            continue
        value = getattr(item, column.key)
        values[column.key] = value.isoformat() if isinstance(value, dt.date) else value
    if isinstance(item, Initiative):
        values["offers"] = sorted(o.id for o in item.offers)
    return values


def _audit(
    session: Session,
    actor: Actor,
    group: CoordinationGroup,
    action: str,
    changes: dict[str, Any] | None,
) -> None:
    record(
        session,
        actor,
        f"workspace.{action}",
        "workspace",
        group.id,
        organisation_id=group.organisation_id,
        changes=changes,
    )


# --- the workspace -----------------------------------------------------------------------------


def find_workspace(
    session: Session, actor: Actor, organisation: Organisation
) -> CoordinationGroup | None:
    """The organisation's workspace, or None before the group has started one."""
    _require_reader(actor, organisation.id)
    return session.scalar(
        select(CoordinationGroup).where(CoordinationGroup.organisation_id == organisation.id)
    )


def get_workspace(session: Session, actor: Actor, organisation: Organisation) -> CoordinationGroup:
    group = find_workspace(session, actor, organisation)
    if group is None:
        raise NotFound("workspace.not_found")
    return group


def start_workspace(
    session: Session, actor: Actor, organisation: Organisation, name: str
) -> CoordinationGroup:
    """Create the workspace with the method's mandate checklist and its six steps."""
    require_worker(actor, organisation.id)
    if find_workspace(session, actor, organisation) is not None:
        raise Conflict("workspace.exists")
    group = CoordinationGroup(organisation_id=organisation.id, name=name)
    session.add(group)
    session.flush()
    method_items = [("duty", t) for t in MANDATE_DUTIES] + [
        ("checklist", t) for t in MANDATE_CHECKLIST
    ]
    for position, (kind, text) in enumerate(method_items):
        # The text is kept in the organisation's default language; the key finds translations.
        session.add(
            MandateItem(
                group_id=group.id, method_key=f"{kind}.{text.key}", text=text.nb, position=position
            )
        )
    for number in STEP_NUMBERS:
        session.add(MethodStep(group_id=group.id, step=number, status="not_started"))
    _audit(session, actor, group, "started", {"name": name})
    return group


def update_workspace(
    session: Session, actor: Actor, group: CoordinationGroup, data: Mapping[str, Any]
) -> CoordinationGroup:
    """Change the group's name, its mandate in its own words, or when it was established."""
    require_worker(actor, group.organisation_id)
    before = _plain(group)
    for key, value in data.items():
        setattr(group, key, value)
    group.updated_at = utcnow()
    changes = diff(before, _plain(group))
    changes.pop("updated_at", None)
    if changes:
        _audit(session, actor, group, "updated", changes)
    return group


# --- items: members, initiatives, meetings, milestones, yearly cycle ----------------------------


def list_items(
    session: Session, actor: Actor, group: CoordinationGroup, model: type[Item], *order: Any
) -> list[Item]:
    _require_reader(actor, group.organisation_id)
    query = select(model).where(model.group_id == group.id).order_by(*order, model.id)
    return list(session.scalars(query))


def get_item(
    session: Session, actor: Actor, group: CoordinationGroup, model: type[Item], item_id: int
) -> Item:
    _require_reader(actor, group.organisation_id)
    item = session.scalar(select(model).where(model.id == item_id, model.group_id == group.id))
    if item is None:
        raise NotFound("workspace.item_not_found")
    return item


def _resolve(session: Session, group: CoordinationGroup, data: Mapping[str, Any]) -> dict:
    """Ids from a form as the organisation's own agencies and offers (never another's)."""
    values = dict(data)
    if "agency" in values:
        public_id = values.pop("agency")
        agency = None
        if public_id:
            agency = session.scalar(
                select(Agency).where(
                    Agency.public_id == public_id, Agency.organisation_id == group.organisation_id
                )
            )
            if agency is None:
                raise InvalidInput("agency.unknown", {"agency": [Message("agency.not_here")]})
        values["agency_id"] = agency.id if agency else None
    if "offers" in values:
        ids = list(dict.fromkeys(values["offers"]))
        offers = session.scalars(
            select(Offer).where(Offer.id.in_(ids), Offer.organisation_id == group.organisation_id)
        ).all()
        if len(offers) != len(ids):
            raise InvalidInput("offer.unknown", {"offers": [Message("offer.choose_own")]})
        values["offers"] = list(offers)
    return values


def _action(item: Any) -> str:
    return str(item.__table__.name)


def add_item(
    session: Session, actor: Actor, group: CoordinationGroup, model: type[Item], data: Mapping
) -> Item:
    """Add a member, initiative, meeting, milestone or yearly-cycle event to the workspace."""
    require_worker(actor, group.organisation_id)
    item = model(group_id=group.id, **_resolve(session, group, data))
    session.add(item)
    session.flush()
    _audit(session, actor, group, f"{_action(item)}.created", {"id": item.id, **_plain(item)})
    return item


def update_item(
    session: Session, actor: Actor, group: CoordinationGroup, item: Any, data: Mapping
) -> Any:
    """Change an item of the workspace; the audit trail keeps what it was."""
    require_worker(actor, group.organisation_id)
    before = _plain(item)
    for key, value in _resolve(session, group, data).items():
        setattr(item, key, value)
    session.flush()
    changes = diff(before, _plain(item))
    if changes:
        _audit(session, actor, group, f"{_action(item)}.updated", {"id": item.id, **changes})
    return item


def delete_item(session: Session, actor: Actor, group: CoordinationGroup, item: Any) -> None:
    """Remove an item; the audit trail keeps what it said."""
    require_worker(actor, group.organisation_id)
    _audit(session, actor, group, f"{_action(item)}.deleted", {"id": item.id, **_plain(item)})
    session.delete(item)


# --- mandate checklist, steps and assessment answers -------------------------------------------


def save_mandate(
    session: Session,
    actor: Actor,
    group: CoordinationGroup,
    states: Mapping[int, tuple[bool, str | None]],
) -> list[MandateItem]:
    """Tick or untick the mandate's points and keep a note on each: ``{item id: (done, note)}``."""
    require_worker(actor, group.organisation_id)
    items = list_items(session, actor, group, MandateItem, MandateItem.position)
    changes: dict[str, Any] = {}
    for item in items:
        done, note = states.get(item.id, (item.done, item.note))
        if (done, note) != (item.done, item.note):
            changes[str(item.id)] = [[item.done, item.note], [done, note]]
            item.done, item.note = done, note
    if changes:
        _audit(session, actor, group, "mandate.updated", changes)
    return items


def add_mandate_item(
    session: Session, actor: Actor, group: CoordinationGroup, text: str
) -> MandateItem:
    """Add a point of the group's own to the mandate checklist."""
    require_worker(actor, group.organisation_id)
    last = session.scalar(
        select(func.max(MandateItem.position)).where(MandateItem.group_id == group.id)
    )
    item = MandateItem(group_id=group.id, text=text, position=(last or 0) + 1)
    session.add(item)
    session.flush()
    _audit(session, actor, group, "mandate.added", {"id": item.id, "text": text})
    return item


def delete_mandate_item(
    session: Session, actor: Actor, group: CoordinationGroup, item: MandateItem
) -> None:
    """Remove one of the group's own points; the method's points stay."""
    require_worker(actor, group.organisation_id)
    if item.method_key is not None:
        raise Conflict("workspace.method_points_stay")
    _audit(session, actor, group, "mandate.deleted", {"id": item.id, "text": item.text})
    session.delete(item)


def steps(session: Session, actor: Actor, group: CoordinationGroup) -> list[MethodStep]:
    return list_items(session, actor, group, MethodStep, MethodStep.step)


def update_step(
    session: Session, actor: Actor, group: CoordinationGroup, number: int, data: Mapping
) -> MethodStep:
    """Record the status, dates and notes of one of the six steps."""
    found = [s for s in steps(session, actor, group) if s.step == number]
    if not found:
        raise NotFound("workspace.step_not_found")
    return update_item(session, actor, group, found[0], data)


def answers(session: Session, actor: Actor, group: CoordinationGroup) -> dict[str, str]:
    rows = list_items(session, actor, group, AssessmentAnswer)
    return {row.question_key: row.answer for row in rows}


def save_answers(
    session: Session, actor: Actor, group: CoordinationGroup, given: Mapping[str, str | None]
) -> None:
    """Keep the group's answers to the step-5 questions; an emptied answer is removed."""
    require_worker(actor, group.organisation_id)
    unknown = sorted(set(given) - QUESTION_KEYS)
    if unknown:
        raise InvalidInput(
            "workspace.unknown_question",
            {"answers": [Message("workspace.unknown_questions", keys=", ".join(unknown))]},
        )
    existing = {a.question_key: a for a in list_items(session, actor, group, AssessmentAnswer)}
    changes: dict[str, Any] = {}
    for key, given_text in given.items():
        text = (given_text or "").strip() or None
        row = existing.get(key)
        if row is not None and text is None:
            changes[key] = [row.answer, None]
            session.delete(row)
        elif row is None and text is not None:
            changes[key] = [None, text]
            session.add(AssessmentAnswer(group_id=group.id, question_key=key, answer=text))
        elif row is not None and text is not None and text != row.answer:
            changes[key] = [row.answer, text]
            row.answer, row.updated_at = text, utcnow()
    if changes:
        _audit(session, actor, group, "assessment.updated", changes)


def members(session: Session, actor: Actor, group: CoordinationGroup) -> Sequence[GroupMember]:
    return list_items(session, actor, group, GroupMember, GroupMember.name)
