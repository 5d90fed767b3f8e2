"""Removing personal data from an offer's published versions (an erasure request).

The publisher of the offer's organisation removes the contact's name, e-mail and phone
(:data:`shared.publication.redaction.PERSONAL_FIELDS`), and a reason for no way in written as
free text before the reasons were codes, from every version the offer has had, in one
transaction with the log head's lock (as publishing takes it):

* each stored version (``offer_versions``), its log row (re-signed with the key that signed it
  first, so it still verifies) and the published snapshot are rewritten without them;
* the working copy loses them too, so the next version does not publish them again, and so do
  the offer's audit entries that recorded them as changes;
* a signed redaction event is appended to the log: the relay carries it over the bus and the
  feed serves it, so national search and reporting purge the fields from their copies.

Nothing else changes: the versions keep their numbers, times and event ids.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts.permissions import Actor, Role
from services.registry.audit.models import AuditEntry
from services.registry.audit.services import record
from services.registry.offers.models import Offer, OfferVersion
from services.registry.offers.publishing import log_time, next_sequence
from shared.errors import Conflict, NotFound
from shared.publication import EVENT_REDACTED
from shared.publication.keys import Signer
from shared.publication.models import LogEntry, PublishedOffer
from shared.publication.redaction import (
    free_text_reason,
    has_personal_data,
    redact_json,
    redaction_data,
    redaction_uri,
    without_contact_person,
)
from shared.publication.schema import canonical_json

WHAT = "Offer"


def redact_offer(
    session: Session, actor: Actor, offer_id: str, comment: str | None = None, *, signer: Signer
) -> LogEntry:
    """Remove the personal contact fields from every version of the offer; the redaction's
    log row. Allowed to publishers of the offer's organisation; refused (409) for an offer
    never published. Doing it again changes no version and announces it again."""
    offer = session.scalar(select(Offer).where(Offer.id == offer_id).with_for_update())
    if offer is None:
        raise NotFound("offer.not_found")
    actor.require_role(offer.organisation_id, Role.PUBLISHER, WHAT)
    if offer.latest_version == 0:
        raise Conflict("offer.never_published")
    seq = next_sequence(session)  # the log head's lock: no version is written meanwhile
    versions = _rewrite_versions(session, offer)
    _rewrite_log(session, offer, signer)
    _rewrite_snapshot(session, offer)
    offer.contact = without_contact_person(offer.contact)
    if free_text_reason({"no_contact_reason": offer.no_contact_reason}):
        offer.no_contact_reason = None
    _scrub_audit(session, offer)
    entry = _append_redaction(session, offer, seq, signer)
    record(
        session,
        actor,
        "offer.redacted",
        "offer",
        offer.id,
        organisation_id=offer.organisation_id,
        changes={"redacted_versions": [None, versions]},
        comment=comment,
    )
    return entry


def _rewrite_versions(session: Session, offer: Offer) -> list[int]:
    """The stored versions without personal data; the numbers of those that had any."""
    changed = []
    for version in session.scalars(select(OfferVersion).where(OfferVersion.offer_id == offer.id)):
        redacted = redact_json(version.snapshot)
        if redacted is not None:
            version.snapshot = redacted
            changed.append(version.version)
    return sorted(changed)


def _rewrite_log(session: Session, offer: Offer, signer: Signer) -> None:
    """The offer's log rows without personal data, each signed again by its own key."""
    rows = []
    for row in session.scalars(select(LogEntry).where(LogEntry.offer_uri == offer.uri)):
        redacted = redact_json(row.snapshot)
        if redacted is not None:
            row.snapshot = redacted
            rows.append(row)
    signer.resign_entries(session, rows)


def _rewrite_snapshot(session: Session, offer: Offer) -> None:
    current = session.get(PublishedOffer, offer.uri)
    if current is not None:
        redacted = redact_json(current.snapshot)
        if redacted is not None:
            current.snapshot = redacted


def _scrub_audit(session: Session, offer: Offer) -> None:
    """The offer's audit entries keep that the contact changed, not what it was."""
    entries = session.scalars(
        select(AuditEntry).where(
            AuditEntry.target_type == "offer", AuditEntry.target_id == offer.id
        )
    )
    for entry in entries:
        changes = entry.changes
        if not isinstance(changes, dict):
            continue
        scrubbed = dict(changes)
        if isinstance(changes.get("contact"), list):
            scrubbed["contact"] = [_scrub_contact(value) for value in changes["contact"]]
        if isinstance(changes.get("no_contact_reason"), list):
            scrubbed["no_contact_reason"] = [
                None if free_text_reason({"no_contact_reason": v}) else v
                for v in changes["no_contact_reason"]
            ]
        if scrubbed != changes:
            entry.changes = scrubbed


def _scrub_contact(value: Any) -> Any:
    if isinstance(value, dict) and has_personal_data({"contact": value}):
        return without_contact_person(value)
    return value


def _append_redaction(session: Session, offer: Offer, seq: int, signer: Signer) -> LogEntry:
    entry = LogEntry(
        seq=seq,
        event_id=str(uuid.uuid4()),
        event_type=EVENT_REDACTED,
        offer_uri=redaction_uri(offer.uri, seq),
        version=1,
        organisation_number=offer.organisation.organisation_number,
        occurred_at=log_time(session, seq),
        snapshot=canonical_json(redaction_data(offer.uri, offer.latest_version)),
    )
    signer.sign_entry(session, entry)
    session.add(entry)
    session.flush()
    return entry
