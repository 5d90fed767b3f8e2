"""Demo data for a node: Drammen municipality, a voluntary organisation, Buskerud county,
Bufetat region sør and a state directorate, with realistic offers; the county's, the region's and
the state's cover Drammen, as they would in the national reports.

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
from services.registry.coordination.demo import load_workspace
from services.registry.offers import services as offers
from services.registry.offers.schemas import OfferInputSchema
from services.registry.organisations import services as organisations
from shared.publication import keys
from shared.publication.keys import Signer

DEMO_PASSWORD = "demo-passord-2026"  # noqa: S105 - printed by `nettungen demo`; demo only


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    organisation: str
    roles: tuple[str, ...]


ORGANISATIONS: list[dict[str, Any]] = [
    {
        "organisation_number": "910000012",
        "name": "Drammen kommune",
        "kind": "municipality",
        "home_area": "3301",
        "agencies": [
            "Helsestasjon og skolehelsetjeneste",
            "Familiens hus",
            "Barneverntjenesten",
            "PP-tjenesten",
        ],
        "users": [
            ("admin@drammen.example.org", "Anne Admin", ("admin",), ()),
            (
                "registrar@drammen.example.org",
                "Reidar Registrar",
                ("registrar",),
                (
                    "Helsestasjon og skolehelsetjeneste",
                    "Familiens hus",
                    "Barneverntjenesten",
                    "PP-tjenesten",
                ),
            ),
            ("publisher@drammen.example.org", "Petra Publiserer", ("publisher",), ()),
            ("leser@drammen.example.org", "Lars Leser", ("reader",), ()),
        ],
    },
    {
        "organisation_number": "910000020",
        "name": "Foreningen Trygg Oppvekst Buskerud",
        "kind": "voluntary",
        "home_area": "33",
        "agencies": ["Frivilligsentralen"],
        "users": [
            (
                "leder@tryggoppvekst.example.org",
                "Frida Frivillig",
                ("admin", "registrar", "publisher"),
                ("Frivilligsentralen",),
            ),
        ],
    },
    {
        "organisation_number": "910000128",
        "name": "Buskerud fylkeskommune",
        "kind": "county",
        "home_area": "33",
        "agencies": ["Tannhelsetjenesten", "Oppfølgingstjenesten"],
        "users": [
            (
                "tilbud@buskerud.example.org",
                "Fylkesrådgiver Fredrik",
                ("admin", "registrar", "publisher"),
                ("Tannhelsetjenesten", "Oppfølgingstjenesten"),
            ),
        ],
    },
    {
        "organisation_number": "910000136",
        "name": "Bufetat, region sør",
        "kind": "region",
        "home_area": "bufetat-sor",
        "agencies": ["Familievernkontoret i Buskerud"],
        "users": [
            (
                "familievern@bufetat.example.org",
                "Familieterapeut Ragnhild",
                ("admin", "registrar", "publisher"),
                ("Familievernkontoret i Buskerud",),
            ),
        ],
    },
    {
        "organisation_number": "910000144",
        "name": "Barne-, ungdoms- og familiedirektoratet",
        "kind": "state",
        "home_area": "NO",
        "agencies": ["Foreldrestøtte"],
        "users": [
            (
                "tilbud@bufdir.example.org",
                "Seniorrådgiver Sigrid",
                ("admin", "registrar", "publisher"),
                ("Foreldrestøtte",),
            ),
        ],
    },
]


def _offer(agency: str, name: str, description: str, **fields: Any) -> dict[str, Any]:
    return {"agency": agency, "name": name, "description": description, **fields}


# (organisation number, offer, what happens to it: draft/submitted/published/withdrawn/revised)
OFFERS: list[tuple[str, dict[str, Any], str]] = [
    (
        "910000012",
        _offer(
            "Helsestasjon og skolehelsetjeneste",
            "Helsestasjon 0–5 år",
            "Helsekontroller, vaksiner og veiledning for alle barn fra fødsel til skolestart, "
            "med hjemmebesøk etter fødsel.",
            level=1,
            category="public",
            age_min=0,
            age_max=5,
            audiences=["children", "parents"],
            access="open",
            statutory_duties=["hol-3-2-helsestasjon"],
            user_participation=True,
            contact={"phone": "32 04 00 00", "email": "helsestasjon@drammen.example.org"},
            locations=[
                {
                    "name": "Helsestasjonen Bragernes",
                    "street_address": "Engene 1",
                    "postal_code": "3015",
                    "postal_town": "Drammen",
                    "municipality": "3301",
                }
            ],
            schedule="Mandag–fredag 08.00–15.30",
            staff_fte=14.5,
            languages=["nob", "eng", "ara"],
            responsible_role="Leder for helsestasjonen",
        ),
        "published",
    ),
    (
        "910000012",
        _offer(
            "Helsestasjon og skolehelsetjeneste",
            "Skolehelsetjenesten",
            "Helsesykepleier på alle skoler: åpen dør, helsesamtaler og oppfølging av elever.",
            level=1,
            category="public",
            age_min=6,
            age_max=20,
            audiences=["children", "youth"],
            access="open",
            statutory_duties=["hol-3-2-skolehelsetjeneste"],
            user_participation=True,
            responsible_role="Fagleder skolehelsetjenesten",
        ),
        "revised",
    ),
    (
        "910000012",
        _offer(
            "Helsestasjon og skolehelsetjeneste",
            "Jordmortjenesten",
            "Svangerskapskontroller og oppfølging etter fødsel hos kommunejordmor.",
            level=1,
            category="public",
            age_min=0,
            age_max=0,
            audiences=["expectant_parents"],
            access="self_referral",
            statutory_duties=["hol-3-2-svangerskap-barsel"],
            evidence_based=True,
        ),
        "published",
    ),
    (
        "910000012",
        _offer(
            "Familiens hus",
            "Circle of Security (COS-P) – foreldregruppe",
            "Foreldreveiledning i gruppe om tilknytning og barns behov, åtte samlinger.",
            level=2,
            category="parent_support",
            age_min=0,
            age_max=6,
            audiences=["parents"],
            access="self_referral",
            risk_groups=["parent_mental_illness", "parent_substance_abuse"],
            evidence_based=True,
            evaluated=True,
            evaluation_description="Evaluert av RBUP i 2023.",
            good_practice=True,
            measure_status="permanent",
        ),
        "published",
    ),
    (
        "910000012",
        _offer(
            "Familiens hus",
            "ICDP – foreldreveiledning",
            "International Child Development Programme: gruppeveiledning for foreldre med barn "
            "0–18 år, også på arabisk og somali.",
            level=1,
            category="parent_support",
            age_min=0,
            age_max=18,
            audiences=["parents"],
            access="open",
            languages=["nob", "ara", "som"],
            user_participation=True,
        ),
        "published",
    ),
    (
        "910000012",
        _offer(
            "Familiens hus",
            "Barnesamtalen",
            "Samtaler for barn og foreldre i samlivsbrudd, etter metoden Barnesamtalen.",
            level=2,
            category="guidance",
            age_min=4,
            age_max=16,
            audiences=["children", "parents"],
            access="self_referral",
            risk_groups=["parental_breakup"],
        ),
        "submitted",
    ),
    (
        "910000012",
        _offer(
            "Barneverntjenesten",
            "PMTO – foreldretrening",
            "Parent Management Training – Oregon: individuell foreldretrening ved alvorlige "
            "atferdsvansker.",
            level=3,
            category="parent_support",
            age_min=3,
            age_max=12,
            audiences=["parents", "families"],
            access="referral",
            risk_groups=["child_welfare", "violent_milieu"],
            diagnosis_groups=["conduct_disorders"],
            evidence_based=True,
            statutory_duties=["bvl-3-1-hjelpetiltak"],
            staff_fte=3,
        ),
        "published",
    ),
    (
        "910000012",
        _offer(
            "Familiens hus",
            "Sorggruppe for barn",
            "Samtalegruppe for barn som har mistet en nær person.",
            level=2,
            category="group",
            age_min=7,
            age_max=15,
            audiences=["children"],
            access="self_referral",
            risk_groups=["trauma"],
            measure_status="project",
        ),
        "withdrawn",
    ),
    (
        "910000012",
        _offer(
            "PP-tjenesten",
            "Pedagogisk-psykologisk tjeneste (PPT)",
            "Sakkyndige vurderinger og veiledning til barnehager og skoler for barn med særlige "
            "behov.",
            level=3,
            category="public",
            age_min=1,
            age_max=19,
            audiences=["children", "professionals"],
            access="referral",
            risk_groups=["learning_difficulties", "under_assessment"],
            diagnosis_groups=["language_learning", "adhd", "autism"],
            statutory_duties=["oppl-11-13-ppt", "bhl-31-spesialpedagogisk-hjelp"],
        ),
        "published",
    ),
    (
        "910000012",
        _offer(
            "Helsestasjon og skolehelsetjeneste",
            "Mor–barn-gruppe",
            "Barselgruppe på helsestasjonen de første månedene etter fødsel.",
            level=1,
            category="group",
            age_min=0,
            age_max=1,
            audiences=["parents", "children"],
            access="open",
        ),
        "draft",
    ),
    (
        "910000020",
        _offer(
            "Frivilligsentralen",
            "Leksehjelp og fellesskap",
            "Frivillige gir leksehjelp og et trygt sted å være etter skoletid, to dager i uken.",
            level=1,
            category="voluntary_association",
            age_min=6,
            age_max=16,
            audiences=["children", "youth"],
            access="open",
            risk_groups=["peer_difficulties", "school_absence"],
            coverage=["3301", "3312"],
            cost_description="Gratis.",
        ),
        "published",
    ),
    (
        "910000128",
        _offer(
            "Tannhelsetjenesten",
            "Den offentlige tannhelsetjenesten for barn og unge",
            "Gratis undersøkelse og behandling hos tannklinikkene i fylket, fra 3 år til og med "
            "det året du fyller 18, med innkalling.",
            level=1,
            category="public",
            age_min=3,
            age_max=18,
            audiences=["children", "youth"],
            access="open",
            coverage=["33"],
            statutory_duties=["tannhl-1-3-barn-ungdom"],
            user_participation=True,
            evaluated=True,
        ),
        "published",
    ),
    (
        "910000128",
        _offer(
            "Oppfølgingstjenesten",
            "Oppfølgingstjenesten (OT)",
            "Hjelper ungdom mellom 15 og 21 år som ikke er i skole eller arbeid, til å fullføre "
            "videregående opplæring.",
            level=2,
            category="guidance",
            age_min=15,
            age_max=21,
            audiences=["youth"],
            access="self_referral",
            coverage=["33"],
            risk_groups=["school_absence"],
            statutory_duties=["oppl-9-4-oppfolgingstjenesten"],
            good_practice=True,
        ),
        "published",
    ),
    (
        "910000136",
        _offer(
            "Familievernkontoret i Buskerud",
            "Familievernet: samlivskurs, terapi og mekling",
            "Samtaler for par og familier i krise, mekling ved samlivsbrudd og kurs for foreldre "
            "som lever hver for seg.",
            level=2,
            category="guidance",
            age_min=0,
            age_max=18,
            audiences=["parents", "families"],
            access="self_referral",
            coverage=["bufetat-sor"],
            risk_groups=["parental_breakup", "violent_milieu"],
            statutory_duties=["fvkl-1-familievern"],
            evaluated=True,
        ),
        "published",
    ),
    (
        "910000144",
        _offer(
            "Foreldrestøtte",
            "Foreldrehverdag: veiledning på nett",
            "Råd og filmer om hverdagen med barn fra graviditet til ungdomstid, på mange språk.",
            level=1,
            category="parent_support",
            age_min=0,
            age_max=18,
            audiences=["expectant_parents", "parents"],
            access="open",
            coverage=["NO"],
            languages=["nob", "nno", "eng", "ara", "som"],
            evidence_based=True,
        ),
        "published",
    ),
]


def load_demo_data(
    session: Session, operator: Actor, base_url: str, signer: Signer
) -> list[DemoLogin]:
    """Create the demo organisations, people and offers; return the logins to print.

    The node gets its signing key first if it has none, so the demo can publish.
    """
    if keys.active_key(session) is None:
        keys.generate_key(session, signer)
    logins: list[DemoLogin] = []
    by_orgnr = {}
    for spec in ORGANISATIONS:
        org = organisations.create_organisation(
            session,
            operator,
            {k: spec[k] for k in ("organisation_number", "name", "kind", "home_area")},
        )
        agencies = {
            name: organisations.create_agency(session, operator, org, name, None).public_id
            for name in spec["agencies"]
        }
        by_orgnr[org.organisation_number] = (org, agencies)
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
    session.flush()
    schema = OfferInputSchema()
    for orgnr, raw, fate in OFFERS:
        org, agencies = by_orgnr[orgnr]
        registrar, publisher = _actors(session, org.id)
        offer = offers.create_offer(
            session,
            registrar,
            org,
            schema.load({**raw, "agency": agencies[raw["agency"]]}),
            base_url,
        )
        _advance(session, registrar, publisher, offer.id, fate, signer)
    drammen, _agencies = by_orgnr["910000012"]
    admin = next(m for m in _members(session, drammen.id) if "admin" in m.roles)
    load_workspace(session, accounts.build_actor(session, admin.user), drammen)
    return logins


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
