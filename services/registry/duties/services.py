"""The statutory-duty catalogue: seeded from ``shared/data/statutory_duties.json`` and kept
by node administrators."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts.permissions import Actor
from services.registry.audit.services import diff, record
from services.registry.duties.models import StatutoryDuty
from shared.areas import PACKAGED_DATA_DIR
from shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shared.messages import Message

CATALOGUE_FILE = PACKAGED_DATA_DIR / "statutory_duties.json"


def load_catalogue_file(path: Path = CATALOGUE_FILE) -> list[dict[str, Any]]:
    """The seed entries, flattened to the model's fields."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    return [
        {
            "code": e["code"],
            "title": e["title"],
            "description": e.get("description", {}),
            "law_short": e["law"]["short"],
            "law_title": e["law"]["title"],
            "law_id": e["law"]["id"],
            "law_url": e["law"].get("url"),
            "section": e["section"],
            "section_url": e.get("section_url"),
            "applies_to": e["applies_to"],
        }
        for e in entries
    ]


def seed_catalogue(session: Session, actor: Actor, entries: Iterable[dict[str, Any]]) -> int:
    """Add the seed duties this node does not have yet; never overwrite an administrator's edits."""
    existing = set(session.scalars(select(StatutoryDuty.code)))
    added = 0
    for entry in entries:
        if entry["code"] in existing:
            continue
        session.add(StatutoryDuty(**entry))
        record(session, actor, "duty.created", "duty", entry["code"], changes={"source": "seed"})
        added += 1
    session.flush()
    return added


def list_duties(
    session: Session, applies_to: str | None = None, include_retired: bool = False
) -> list[StatutoryDuty]:
    duties = session.scalars(select(StatutoryDuty).order_by(StatutoryDuty.code)).all()
    return [
        d
        for d in duties
        if (include_retired or d.active) and (applies_to is None or applies_to in d.applies_to)
    ]


def get_duty(session: Session, code: str) -> StatutoryDuty:
    duty = session.scalar(select(StatutoryDuty).where(StatutoryDuty.code == code))
    if duty is None:
        raise NotFound("duty.not_found")
    return duty


def _require_node_admin(actor: Actor) -> None:
    if not actor.is_node_admin:
        raise PermissionDenied("role.node_admin_for_duties")


def create_duty(session: Session, actor: Actor, data: dict[str, Any]) -> StatutoryDuty:
    _require_node_admin(actor)
    if session.scalar(select(StatutoryDuty.id).where(StatutoryDuty.code == data["code"])):
        raise Conflict("duty.code_taken", {"code": [Message("value.already_in_use")]})
    duty = StatutoryDuty(**data)
    session.add(duty)
    session.flush()
    record(session, actor, "duty.created", "duty", duty.code, changes=_view(duty))
    return duty


def update_duty(
    session: Session, actor: Actor, duty: StatutoryDuty, data: dict[str, Any]
) -> StatutoryDuty:
    _require_node_admin(actor)
    before = _view(duty)
    for key, value in data.items():
        setattr(duty, key, value)
    record(session, actor, "duty.updated", "duty", duty.code, changes=diff(before, _view(duty)))
    return duty


def _view(duty: StatutoryDuty) -> dict[str, Any]:
    return {
        "title": duty.title,
        "law_id": duty.law_id,
        "section": duty.section,
        "applies_to": duty.applies_to,
        "active": duty.active,
    }


def duties_for_offer(session: Session, codes: Sequence[str]) -> list[StatutoryDuty]:
    """The active duties named by ``codes``, or a field-level error naming the unknown ones."""
    if not codes:
        return []
    found = session.scalars(
        select(StatutoryDuty).where(
            StatutoryDuty.code.in_(list(codes)), StatutoryDuty.active.is_(True)
        )
    ).all()
    unknown = [c for c in codes if c not in {d.code for d in found}]
    if unknown:
        raise InvalidInput(
            "duty.unknown",
            {"statutory_duties": [Message("duty.not_in_catalogue", codes=", ".join(unknown))]},
        )
    return sorted(found, key=lambda d: d.code)
