"""Demo data for the three nodes of the demo federation (``nettungen demo``):

* ``drammen`` — a large municipality hosting its own node;
* ``numedal`` — a hosted node for three small municipalities and two voluntary organisations;
* ``fylke-stat`` — Buskerud county, Bufetat region sør and a state directorate, whose offers
  cover the municipalities, as they do in national search and the reports.

Drammen's coordination group also gets a workspace with realistic content (``workspace.py``).

Loaded through the service layer with real actors, so it is validated, audited and published
exactly like data entered by people. Organisation numbers are fictional (valid check digits, in
the 910 000 xxx range); the programmes are the ones named in the 2015 model-municipality
evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from services.registry.accounts.models import Membership
from services.registry.accounts.permissions import Actor
from services.registry.demo import drammen, numedal, regional
from services.registry.demo.contacts import reachable
from services.registry.demo.workspace import load_workspace
from services.registry.offers import services as offers
from services.registry.offers.schemas import OfferInputSchema
from services.registry.organisations import services as organisations
from services.registry.organisations.models import Organisation
from shared.publication import keys
from shared.publication.keys import Signer

DEMO_PASSWORD = "demo-passord-2026"  # noqa: S105 - printed by `nettungen demo`; demo only
DRAMMEN = "910000012"  # its coordination group has a workspace in the demo


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    organisation: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class DemoNode:
    """The members of one demo node and the offers they map."""

    name: str
    title: str
    organisations: list[dict[str, Any]]
    offers: list[tuple[str, dict[str, Any], str]]


NODES: dict[str, DemoNode] = {
    "drammen": DemoNode("drammen", "Drammen kommune", drammen.ORGANISATIONS, drammen.OFFERS),
    "numedal": DemoNode(
        "numedal",
        "Vertsnode for Numedal og frivillige organisasjoner",
        numedal.ORGANISATIONS,
        numedal.OFFERS,
    ),
    "fylke-stat": DemoNode(
        "fylke-stat",
        "Buskerud fylkeskommune, Bufetat og Bufdir",
        regional.ORGANISATIONS,
        regional.OFFERS,
    ),
}
ORGANISATIONS = [org for node in NODES.values() for org in node.organisations]
# Each demo node's administrator: the member organisations, the node's users and the duty
# catalogue, in the browser (/node/organisations).
NODE_ADMINS = {
    "drammen": ("node-admin@drammen.example.org", "Nora Nodeadmin"),
    "numedal": ("node-admin@numedal.example.org", "Nils Nodeadmin"),
    "fylke-stat": ("node-admin@fylke-stat.example.org", "Frida Nodeadmin"),
}
NODE_ADMIN_ROLE = "node administrator"
OFFERS = [entry for node in NODES.values() for entry in node.offers]


def demo_logins(node: str | None = None) -> list[DemoLogin]:
    """The people of ``node`` (of every demo node when ``None``) who can log in."""
    members = NODES[node].organisations if node else ORGANISATIONS
    return [_node_admin_login(n) for n in ([node] if node else NODES)] + [
        DemoLogin(email, name, spec["name"], tuple(roles))
        for spec in members
        for email, name, roles, _agencies in spec["users"]
    ]


def _node_admin_login(node: str) -> DemoLogin:
    email, name = NODE_ADMINS[node]
    return DemoLogin(email, name, NODES[node].title, (NODE_ADMIN_ROLE,))


def load_demo_data(
    session: Session, operator: Actor, base_url: str, signer: Signer, node: str | None = None
) -> list[DemoLogin]:
    """Create the demo organisations, people and offers of ``node`` (every demo node's, in
    one, when ``None``); return the logins to print.

    The node gets its signing key first if it has none, so the demo can publish.
    """
    if keys.active_key(session) is None:
        keys.generate_key(session, signer)
    members = NODES[node].organisations if node else ORGANISATIONS
    entries = NODES[node].offers if node else OFFERS
    logins: list[DemoLogin] = []
    for name in [node] if node else NODES:
        email, person = NODE_ADMINS[name]
        accounts.create_user(session, operator, email, person, DEMO_PASSWORD, is_node_admin=True)
        logins.append(_node_admin_login(name))
    by_orgnr: dict[str, tuple[Organisation, dict[str, str]]] = {}
    for spec in members:
        org, agencies = _create_organisation(session, operator, spec, logins)
        by_orgnr[org.organisation_number] = (org, agencies)
    session.flush()
    _create_offers(session, by_orgnr, entries, base_url, signer)
    if DRAMMEN in by_orgnr:
        municipality, _agencies = by_orgnr[DRAMMEN]
        admin = next(m for m in _members(session, municipality.id) if "admin" in m.roles)
        load_workspace(session, accounts.build_actor(session, admin.user), municipality)
    return logins


def _create_organisation(
    session: Session, operator: Actor, spec: dict[str, Any], logins: list[DemoLogin]
) -> tuple[Organisation, dict[str, str]]:
    """One demo organisation with its agencies and people (added to ``logins``); the
    organisation and its agencies' public ids by name."""
    org = organisations.create_organisation(
        session,
        operator,
        {k: spec[k] for k in ("organisation_number", "name", "kind", "home_area")},
    )
    agencies = {
        name: organisations.create_agency(session, operator, org, name, None).public_id
        for name in spec["agencies"]
    }
    for email, name, roles, agency_names in spec["users"]:
        accounts.add_member(
            session,
            operator,
            org,
            email=email,
            name=name,
            roles=roles,
            agencies=[agencies[a] for a in agency_names],
            password=DEMO_PASSWORD,
        )
        logins.append(DemoLogin(email, name, org.name, roles))
    return org, agencies


def _create_offers(
    session: Session,
    by_orgnr: dict[str, tuple[Organisation, dict[str, str]]],
    entries: list[tuple[str, dict[str, Any], str]],
    base_url: str,
    signer: Signer,
) -> None:
    """Each demo offer, registered by its organisation's registrar and taken as far through
    the workflow as its fate says."""
    schema = OfferInputSchema()
    for orgnr, raw, fate in entries:
        org, agencies = by_orgnr[orgnr]
        registrar, publisher = _actors(session, org.id)
        offer = offers.create_offer(
            session,
            registrar,
            org,
            schema.load({**reachable(orgnr, raw), "agency": agencies[raw["agency"]]}),
            base_url,
        )
        _advance(session, registrar, publisher, offer.id, fate, signer)


def _members(session: Session, organisation_id: int) -> list[Membership]:
    return list(
        session.scalars(select(Membership).where(Membership.organisation_id == organisation_id))
    )


def _actors(session: Session, organisation_id: int) -> tuple[Actor, Actor]:
    members = _members(session, organisation_id)
    registrar = next(m.user for m in members if "registrar" in m.roles)
    publisher = next(m.user for m in members if "publisher" in m.roles)
    return accounts.build_actor(session, registrar), accounts.build_actor(session, publisher)


def _advance(
    session: Session,
    registrar: Actor,
    publisher: Actor,
    offer_id: str,
    fate: str,
    signer: Signer,
) -> None:
    if fate == "draft":
        return
    offers.submit(session, registrar, offer_id)
    if fate == "submitted":
        return
    offers.publish(session, publisher, offer_id, signer=signer)
    if fate == "withdrawn":
        offers.withdraw(session, publisher, offer_id, "Prosjektet er avsluttet.", signer=signer)
    elif fate == "revised":
        offers.update_offer(
            session,
            registrar,
            offer_id,
            {"schedule": "Helsesykepleier er på skolen hver dag i skoletiden."},
        )
        offers.submit(session, registrar, offer_id)
        offers.publish(session, publisher, offer_id, signer=signer)
