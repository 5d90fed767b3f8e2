"""Build a node database with published offers through the registry's own service layer.

What the publisher serves is exactly what the registry wrote: real versions, real signed log
rows. ``NodeBuilder`` makes organisations of every provider kind and publishes, revises and
withdraws offers for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from services.registry.accounts.models import Membership
from services.registry.accounts.permissions import Actor
from services.registry.offers import services as offers
from services.registry.offers.schemas import OfferInputSchema
from services.registry.organisations import services as organisations
from services.registry.organisations.models import Agency, Organisation
from shared.publication.keys import Signer
from tests.conftest import TEST_PASSPHRASE

OPERATOR = Actor.operator()
BASE_URL = "https://node.test"

# organisation number, name, kind, home area (fictional numbers with valid check digits)
ORGANISATIONS = {
    "municipality": ("910000012", "Drammen kommune", "municipality", "3301"),
    "county": ("910000020", "Buskerud fylkeskommune", "county", "33"),
    "state": ("910000039", "Barne-, ungdoms- og familieetaten", "state", "NO"),
    "voluntary": ("910000047", "Foreningen for barn og unge", "voluntary", "NO"),
}


@dataclass
class Provider:
    organisation: Any
    agency: str
    registrar: Actor
    publisher: Actor


@dataclass
class NodeBuilder:
    session: Session
    base_url: str = BASE_URL
    signer: Signer = field(default_factory=lambda: Signer(TEST_PASSPHRASE))
    providers: dict[str, Provider] = field(default_factory=dict)
    # Provider name -> (organisation number, name, kind, home area); ORGANISATIONS by default.
    organisations: dict[str, tuple[str, str, str, str]] = field(
        default_factory=lambda: dict(ORGANISATIONS)
    )

    def provider(self, kind: str) -> Provider:
        if kind not in self.providers:
            self.providers[kind] = self._existing(kind) or self._create(kind)
        return self.providers[kind]

    def _existing(self, kind: str) -> Provider | None:
        """The provider made by an earlier builder on the same database, if any."""
        org = self.session.scalar(
            select(Organisation).where(
                Organisation.organisation_number == self.organisations[kind][0]
            )
        )
        if org is None:
            return None
        agency = self.session.scalars(
            select(Agency).where(Agency.organisation_id == org.id)
        ).first()
        members = self.session.scalars(
            select(Membership).where(Membership.organisation_id == org.id)
        ).all()
        actors = {
            role: accounts.build_actor(self.session, m.user) for m in members for role in m.roles
        }
        return Provider(org, agency.public_id, actors["registrar"], actors["publisher"])

    def _create(self, kind: str) -> Provider:
        orgnr, name, org_kind, home = self.organisations[kind]
        org = organisations.create_organisation(
            self.session,
            OPERATOR,
            {"organisation_number": orgnr, "name": name, "kind": org_kind, "home_area": home},
        )
        agency = organisations.create_agency(self.session, OPERATOR, org, "Tjenester", None)
        people = []
        for role in ("registrar", "publisher"):
            member = accounts.add_member(
                self.session,
                OPERATOR,
                org,
                email=f"{role}.{kind}@example.org",
                name=f"{role} ({kind})",
                roles=[role],
                agencies=[agency.public_id] if role == "registrar" else [],
            )
            self.session.flush()
            people.append(accounts.build_actor(self.session, member.user))
        return Provider(org, agency.public_id, people[0], people[1])

    def publish(self, kind: str = "municipality", agency: str | None = None, **content: Any) -> str:
        """Create, submit and publish an offer (in the provider's first agency unless another
        is named); return its id."""
        provider = self.provider(kind)
        data = OfferInputSchema().load(offer_content(agency or provider.agency, **content))
        offer = offers.create_offer(
            self.session, provider.registrar, provider.organisation, data, self.base_url
        )
        offers.submit(self.session, provider.registrar, offer.id)
        offers.publish(self.session, provider.publisher, offer.id, signer=self.signer)
        return offer.id

    def revise(self, offer_id: str, kind: str = "municipality", **changes: Any) -> None:
        provider = self.provider(kind)
        offers.update_offer(self.session, provider.registrar, offer_id, changes)
        offers.submit(self.session, provider.registrar, offer_id)
        offers.publish(self.session, provider.publisher, offer_id, signer=self.signer)

    def redact(self, offer_id: str, kind: str = "municipality") -> None:
        """The publisher removes the personal contact data from the offer's versions."""
        from services.registry.offers.redaction import redact_offer

        redact_offer(
            self.session, self.provider(kind).publisher, offer_id, "Sletting.", signer=self.signer
        )

    def withdraw(self, offer_id: str, kind: str = "municipality") -> None:
        provider = self.provider(kind)
        offers.withdraw(
            self.session, provider.publisher, offer_id, "Avsluttet.", signer=self.signer
        )


def offer_content(agency: str, **overrides: Any) -> dict[str, Any]:
    """A complete mapping form, every optional part filled in."""
    return {
        "agency": agency,
        "name": "Helsestasjon for ungdom",
        "description": "Åpen helsestasjon for ungdom 13–20 år, uten timeavtale.",
        "contact": {
            "name": "Helsestasjonen",
            "phone": "32 04 00 00",
            "email": "hfu@example.org",
            "url": "https://www.example.org/hfu",
        },
        "responsible_role": "Leder for helsestasjonen",
        "locations": [
            {
                "name": "Helsehuset",
                "street_address": "Gamle Kirkeplass 7",
                "postal_code": "3019",
                "postal_town": "Drammen",
                "municipality": "3301",
            }
        ],
        "schedule": "Mandag og torsdag 14–17.",
        "access": "open",
        "free_of_charge": True,
        "languages": ["nob", "eng"],
        "level": 1,
        "category": "public",
        "age_min": 13,
        "age_max": 20,
        "audiences": ["youth"],
        "risk_groups": ["bullying"],
        "statutory_duties": [],
        "coverage": ["3301"],
        **overrides,
    }


def build_standard_node(session: Session) -> dict[str, str]:
    """The publisher tests' node: every provider kind, a revision, a withdrawal, a statutory
    offer and a paid one. Returns offer ids by name."""
    node = NodeBuilder(session)
    ids = {
        "helsestasjon": node.publish(
            statutory_duties=["hol-3-2-helsestasjon"], name="Helsestasjon for ungdom"
        ),
        "foreldrekurs": node.publish(
            name="Foreldrekurs: Trygg oppvekst",
            description="Kurs for foreldre med barn 0–6 år.",
            level=2,
            category="parent_support",
            audiences=["parents"],
            age_min=0,
            age_max=6,
            access="self_referral",
            free_of_charge=False,
            cost_description="400 kroner for hele kurset.",
        ),
        "oppfolging": node.publish(
            name="Oppfølgingstjenesten",
            level=3,
            category="guidance",
            access="referral",
            coverage=["33"],
            age_min=16,
            age_max=21,
        ),
        "skolekurs": node.publish(name="Kurs som ble avsluttet"),
        "ppt": node.publish(
            "county",
            name="Ungdomslos",
            coverage=["33"],
            level=2,
            category="guidance",
        ),
        "familievern": node.publish(
            "state",
            name="Familievernkontoret",
            coverage=["bufetat-sor"],
            level=2,
            category="guidance",
            audiences=["families", "parents"],
            age_min=0,
            age_max=18,
        ),
        "leksehjelp": node.publish(
            "voluntary",
            name="Leksehjelp for alle",
            category="voluntary_association",
            coverage=["NO"],
            age_min=6,
            age_max=16,
            audiences=["children", "youth"],
        ),
    }
    node.revise(ids["foreldrekurs"], schedule="Tirsdager 18–20, åtte ganger.")
    node.withdraw(ids["skolekurs"])
    return ids
