"""The node directory: which nodes a national service trusts, and what each may say.

A node is trusted for the organisations listed for it (by organisation number) and verified by
its trusted Ed25519 keys: those pinned when it was added and those the operator approved since
(:mod:`shared.ingest.node_keys`); its JWKS is only where new keys are read from. The operator
manages entries with ``nettungen <service> nodes``; the consumer and harvester read them through
:class:`DirectoryCache`, so a change takes effect within seconds, without a restart.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, sessionmaker

from shared import orgnr, vocab
from shared.config import base_url
from shared.db import utcnow
from shared.errors import Conflict, InvalidInput, NotFound
from shared.ingest.models import (
    KEY_TRUSTED,
    TRANSPORT_BOTH,
    TRANSPORT_BUS,
    TRANSPORTS,
    FederationNode,
    FederationNodeKey,
    FederationNodeOrganisation,
    HarvestCursor,
    IngestedOffer,
)
from shared.ingest.node_urls import require_https
from shared.messages import Message
from shared.signing import VerificationKey, b64url, b64url_decode

_NODE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# A node has a handful of keys over its life; a JWKS with more is not one of ours.
MAX_KEYS = 64


@dataclass(frozen=True)
class TrustedNode:
    """A directory entry as the verifiers hold it in memory."""

    id: str
    name: str
    base_url: str
    transport: str
    enabled: bool
    keys: Mapping[str, VerificationKey]
    organisations: frozenset[str]
    # When the national operator added the node (reporting dates late versions by it).
    admitted_at: dt.datetime | None = None
    # By organisation number: the name and kind the national operator set for it.
    canonical: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def provider(self, provider: Mapping[str, Any]) -> dict[str, Any]:
        """A version's provider, named and classified as the directory says where it does."""
        return {**provider, **self.canonical.get(provider["organisation_number"], {})}

    @property
    def harvested(self) -> bool:
        return self.enabled and self.transport != TRANSPORT_BUS


class Directory:
    def __init__(self, nodes: Iterable[TrustedNode]) -> None:
        self.nodes = {node.id: node for node in nodes}
        self._by_source = {node.base_url: node for node in self.nodes.values()}

    def by_source(self, source: str) -> TrustedNode | None:
        return self._by_source.get(source)

    def get(self, node_id: str) -> TrustedNode | None:
        return self.nodes.get(node_id)

    def harvested(self) -> list[TrustedNode]:
        return [node for node in self.nodes.values() if node.harvested]


def _trusted(row: FederationNode) -> TrustedNode:
    return TrustedNode(
        id=row.id,
        name=row.name,
        base_url=row.base_url,
        transport=row.transport,
        enabled=row.enabled,
        keys={
            k.key_id: VerificationKey(k.key_id, b64url_decode(k.public_key), k.last_sequence)
            for k in row.keys
            if k.state == KEY_TRUSTED
        },
        organisations=frozenset(o.organisation_number for o in row.organisations),
        admitted_at=row.created_at,
        canonical={
            o.organisation_number: {"name": o.name, "kind": o.kind}
            for o in row.organisations
            if o.name and o.kind
        },
    )


def load_directory(session: Session) -> Directory:
    nodes = session.scalars(select(FederationNode).order_by(FederationNode.id))
    return Directory(_trusted(row) for row in nodes)


class DirectoryCache:
    """The directory as read at most ``ttl`` seconds ago; thread-safe."""

    def __init__(self, sessions: sessionmaker[Session], ttl: float = 2.0) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self._directory: Directory | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def current(self) -> Directory:
        with self._lock:
            if self._directory is None or time.monotonic() - self._read_at > self.ttl:
                with self.sessions() as session:
                    self._directory = load_directory(session)
                self._read_at = time.monotonic()
            return self._directory

    def invalidate(self) -> None:
        with self._lock:
            self._directory = None


# --- the operator's changes ------------------------------------------------------------------


def _checked_id(node_id: str) -> str:
    if not _NODE_ID.fullmatch(node_id):
        raise InvalidInput("node.invalid_id", {"id": [Message("node.id_form")]})
    return node_id


def _checked_url(url: str) -> str:
    try:
        return base_url(url)
    except ValueError:
        raise InvalidInput(
            "node.invalid_base_url", {"base_url": [Message("node.base_url_form")]}
        ) from None


def _checked_transport(transport: str) -> str:
    if transport not in TRANSPORTS:
        raise InvalidInput(
            "node.invalid_transport",
            {"transport": [Message("node.transport_one_of", transports=", ".join(TRANSPORTS))]},
        )
    return transport


def _checked_orgnrs(numbers: Iterable[str]) -> list[str]:
    checked, problems = [], []
    for number in numbers:
        try:
            checked.append(orgnr.validate(number))
        except orgnr.InvalidOrganisationNumber as exc:
            problems.append(Message("orgnr.invalid_in_list", number=number, reason=exc.reason))
    if problems:
        raise InvalidInput("node.invalid_organisations", {"organisations": problems})
    return sorted(set(checked))


def get_node(session: Session, node_id: str) -> FederationNode:
    node = session.get(FederationNode, node_id)
    if node is None:
        raise NotFound("node.not_found", id=node_id)
    return node


def list_nodes(session: Session) -> list[FederationNode]:
    return list(session.scalars(select(FederationNode).order_by(FederationNode.id)))


def add_node(
    session: Session,
    *,
    node_id: str,
    name: str,
    url: str,
    keys: Sequence[VerificationKey],
    organisations: Iterable[str] = (),
    transport: str = TRANSPORT_BOTH,
    allow_http_loopback: bool = False,
) -> FederationNode:
    """Trust a new node: its base URL (``https://``, see :mod:`shared.ingest.node_urls`), its
    public keys and the organisations it speaks for."""
    node_id = _checked_id(node_id)
    url = require_https(_checked_url(url), allow_http_loopback)
    transport = _checked_transport(transport)
    numbers = _checked_orgnrs(organisations)
    _check_new_node(session, node_id, name, url, keys)
    now = utcnow()
    node = FederationNode(
        id=node_id,
        name=name.strip(),
        base_url=url,
        transport=transport,
        enabled=True,
        created_at=now,
        updated_at=now,
        keys_fetched_at=now,
    )
    # Adding the node is the operator's approval of the keys it has at that moment.
    node.keys = [_key_row(key, now) for key in keys]
    node.organisations = [FederationNodeOrganisation(organisation_number=n) for n in numbers]
    session.add(node)
    session.flush()
    return node


def _check_new_node(
    session: Session, node_id: str, name: str, url: str, keys: Sequence[VerificationKey]
) -> None:
    """Refuse a node without a name or keys, with too many keys, or one already in the
    directory by its id or its base URL."""
    if not name.strip():
        raise InvalidInput("node.invalid_name", {"name": [Message("node.name_required")]})
    if not keys:
        raise InvalidInput("node.no_keys", {"keys": [Message("node.key_required")]})
    if len(keys) > MAX_KEYS:
        raise InvalidInput(
            "node.too_many_keys_given",
            {"keys": [Message("node.too_many_keys", largest=MAX_KEYS)]},
        )
    if session.get(FederationNode, node_id) is not None:
        raise Conflict("node.id_taken", id=node_id)
    if session.scalar(select(FederationNode).where(FederationNode.base_url == url)) is not None:
        raise Conflict("node.url_taken", url=url)


def _key_row(key: VerificationKey, now: dt.datetime) -> FederationNodeKey:
    return FederationNodeKey(
        key_id=key.key_id,
        public_key=b64url(key.public),
        last_sequence=key.last_sequence,
        state=KEY_TRUSTED,
        first_seen_at=now,
        trusted_by="nodes add",
        trusted_at=now,
    )


def update_node(
    session: Session,
    node_id: str,
    *,
    name: str | None = None,
    transport: str | None = None,
    enabled: bool | None = None,
) -> FederationNode:
    """Rename, change how the node is reached, or disable and enable it. Enabling a disabled
    node reads its feed again from the start, to pick up what was refused meanwhile."""
    node = get_node(session, node_id)
    if name is not None and name.strip():
        node.name = name.strip()
    if transport is not None:
        node.transport = _checked_transport(transport)
    if enabled is not None:
        if enabled and not node.enabled:
            reharvest(session, node_id)
        node.enabled = enabled
    node.updated_at = utcnow()
    return node


def grant(session: Session, node_id: str, organisations: Iterable[str]) -> FederationNode:
    """Let the node speak for more organisations; its feed is read again from the start, so
    what it published for them before (and was refused) arrives too."""
    node = get_node(session, node_id)
    held = {o.organisation_number for o in node.organisations}
    added = [n for n in _checked_orgnrs(organisations) if n not in held]
    for number in added:
        node.organisations.append(FederationNodeOrganisation(organisation_number=number))
    if added:
        reharvest(session, node_id)
    node.updated_at = utcnow()
    return node


def reharvest(session: Session, node_id: str) -> None:
    """Read the node's feed again from its first event (what is applied already is ignored)."""
    get_node(session, node_id)
    session.execute(
        update(HarvestCursor)
        .where(HarvestCursor.node_id == node_id)
        .values(last_sequence=0, root_etag=None)
    )


def name_organisation(
    session: Session, node_id: str, number: str, name: str, kind: str
) -> FederationNodeOrganisation:
    """Set the canonical name and kind of an organisation the node speaks for; search and
    reporting use them instead of those in the node's events, for versions received from now
    on (what is here already keeps the node's names until the offer's next version)."""
    node = get_node(session, node_id)
    [number] = _checked_orgnrs([number])
    if not name.strip() or len(name.strip()) > 200:
        raise InvalidInput("node.invalid_name", {"name": [Message("node.name_required")]})
    if kind not in vocab.ORGANISATION_KINDS:
        choices = ", ".join(vocab.ORGANISATION_KINDS.codes)
        raise InvalidInput(
            "node.invalid_organisation_kind",
            {
                "kind": [
                    Message("vocab.unknown_code", vocabulary="organisation-kind", choices=choices)
                ]
            },
        )
    held = next((o for o in node.organisations if o.organisation_number == number), None)
    if held is None:
        raise NotFound("node.organisation_not_granted", id=node_id, number=number)
    held.name, held.kind = name.strip(), kind
    node.updated_at = utcnow()
    return held


def revoke(session: Session, node_id: str, organisations: Iterable[str]) -> FederationNode:
    """Stop trusting the node for these organisations (their offers stay until withdrawn)."""
    node = get_node(session, node_id)
    gone = set(_checked_orgnrs(organisations))
    node.organisations = [o for o in node.organisations if o.organisation_number not in gone]
    node.updated_at = utcnow()
    return node


def remove_node(session: Session, node_id: str) -> None:
    """Forget a node that has nothing applied here; one that has is disabled instead."""
    node = get_node(session, node_id)
    if session.scalar(select(exists().where(IngestedOffer.node_id == node_id))):
        raise Conflict("node.has_applied_offers", id=node_id)
    session.delete(node)
