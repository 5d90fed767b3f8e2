"""Writing and reading the audit trail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts.permissions import Actor
from services.registry.audit.models import AuditEntry


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: str | int,
    *,
    organisation_id: int | None = None,
    changes: dict[str, Any] | None = None,
    comment: str | None = None,
) -> AuditEntry:
    """Add an entry in the caller's transaction: it commits with the change or not at all."""
    entry = AuditEntry(
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        organisation_id=organisation_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        changes=changes,
        comment=comment,
    )
    session.add(entry)
    return entry


def entries_for(session: Session, target_type: str, target_id: str) -> Sequence[AuditEntry]:
    """The trail of one target, oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.target_type == target_type, AuditEntry.target_id == target_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return session.scalars(query).all()


def organisation_trail(
    session: Session, actor: Actor, organisation_id: int, limit: int = 200
) -> Sequence[AuditEntry]:
    """The latest entries of one organisation's trail, newest first: who changed roles, offers,
    agencies and workspace items, and when; for the organisation's administrators."""
    actor.require_admin(organisation_id)
    query = (
        select(AuditEntry)
        .where(AuditEntry.organisation_id == organisation_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for every field whose value differs."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def last_actor(session: Session, target_type: str, target_id: str, action: str) -> int | None:
    """The user who last did ``action`` to the target (who submitted an offer, say), if any."""
    return session.scalar(
        select(AuditEntry.actor_user_id)
        .where(
            AuditEntry.target_type == target_type,
            AuditEntry.target_id == target_id,
            AuditEntry.action == action,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
