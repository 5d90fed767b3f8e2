"""The fixture federation of the reporting tests, with versions at chosen times in the past.

Four nodes: a municipal node (Drammen with two agencies, Kongsberg), a county node (Buskerud
county, Bufetat region sør, the state), a voluntary node (a national association, Røde Kors
Buskerud) and Oslo's node. Offers are published, revised and withdrawn at the times T1..T5, so
reports can be drawn for a day between them. The tests write the numbers they expect by hand
from the table in this module's comments, never from the code under test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from services.registry.accounts.models import Membership
from services.registry.organisations import services as organisations
from services.reporting.history.models import OfferVersion
from services.reporting.history.sink import HistorySink
from shared.db import create_engine
from tests.federation import (
    BUFETAT_SOR,
    KONGSBERG,
    OSLO,
    RED_CROSS,
    Federation,
    IngestingDatabase,
    publishing_at,
)
from tests.publisher.node import OPERATOR, ORGANISATIONS, NodeBuilder, Provider


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T12:00:00+00:00")


T1, T2, T3, T4, T5 = (
    _at(d) for d in ("2025-01-15", "2025-03-10", "2025-06-20", "2025-09-05", "2026-02-10")
)
MUNICIPAL_NODE = {"municipality": ORGANISATIONS["municipality"], "kongsberg": KONGSBERG}
COUNTY_NODE = {
    "county": ORGANISATIONS["county"],
    "region": BUFETAT_SOR,
    "state": ORGANISATIONS["state"],
}
VOLUNTARY_NODE = {"voluntary": ORGANISATIONS["voluntary"], "redcross": RED_CROSS}
OSLO_NODE = {"oslo": OSLO}

# What happens when (D = Drammen, K = Kongsberg, C = county 33, R = Bufetat region sør,
# S = the state, V = voluntary, O = Oslo):
#   T1 2025-01-15  D1 D2 K1 C1 V1 O1 published
#   T2 2025-03-10  D3 D4 R1 published
#   T3 2025-06-20  D5 S1 V2 published
#   T4 2025-09-05  D3 revised (level 2 -> 1, reviewed), D5 revised (ages, risk groups); C2 V3
#   T5 2026-02-10  V2 withdrawn; D6 published
#
# Resources (staff in årsverk, yearly budget in NOK; "-" not registered):
#   D1 4.5 3 000 000   D2 3.0 2 400 000   D3 0.5 150 000 (0.8 from T4)   D4 2.0 1 600 000
#   D5 0.2 -           D6 - -             K1 5.0 4 000 000               C1 6.0 5 000 000
#   C2 10.0 12 000 000 R1 8.0 9 000 000   S1 12.5 20 000 000             V1 - -
#   V2 1.0 50 000      V3 - 20 000        O1 7.0 6 000 000


def add_agency(node: NodeBuilder, kind: str, name: str) -> str:
    """A second agency for the provider ``kind``, its registrar allowed to register for it."""
    provider = node.provider(kind)
    agency = organisations.create_agency(node.session, OPERATOR, provider.organisation, name, None)
    members = node.session.scalars(
        select(Membership).where(Membership.organisation_id == provider.organisation.id)
    )
    registrar = next(m for m in members if "registrar" in m.roles)
    accounts.update_member(
        node.session, OPERATOR, registrar, agencies=[provider.agency, agency.public_id]
    )
    node.session.flush()
    node.providers[kind] = Provider(
        provider.organisation,
        provider.agency,
        accounts.build_actor(node.session, registrar.user),
        provider.publisher,
    )
    return agency.public_id


def _municipal(federation: Federation, ids: dict[str, str]) -> None:
    with federation.node("kommune", MUNICIPAL_NODE, page_size=4).builder() as node:
        child_welfare = add_agency(node, "municipality", "Barneverntjenesten")
        with publishing_at(T1):
            ids["D1"] = node.publish(
                name="Helsestasjon 0–5 år",
                description="Helsekontroller og vaksiner for alle små barn.",
                age_min=0,
                age_max=5,
                risk_groups=[],
                statutory_duties=["hol-3-2-helsestasjon"],
                user_participation=True,
                staff_fte=4.5,
                budget_nok=3_000_000,
                last_reviewed="2024-06-01",
            )
            ids["D2"] = node.publish(
                name="Skolehelsetjenesten",
                description="Helsesykepleier på alle skoler med åpen dør.",
                age_min=6,
                age_max=19,
                risk_groups=["bullying"],
                statutory_duties=["hol-3-2-skolehelsetjeneste"],
                staff_fte=3.0,
                budget_nok=2_400_000,
                evaluated=True,
                good_practice=True,
                review_interval_months=24,
            )
            ids["K1"] = node.publish(
                "kongsberg",
                name="PP-tjenesten i Kongsberg",
                description="Sakkyndige vurderinger for barn med lærevansker.",
                level=3,
                category="guidance",
                access="referral",
                coverage=["3303"],
                age_min=0,
                age_max=19,
                risk_groups=["learning_difficulties"],
                diagnosis_groups=["language_learning"],
                statutory_duties=["oppl-11-13-ppt"],
                staff_fte=5.0,
                budget_nok=4_000_000,
                review_interval_months=24,
            )
        with publishing_at(T2):
            ids["D3"] = node.publish(
                name="ICDP foreldreveiledning",
                description="Veiledning i gruppe om samspill mellom foreldre og barn.",
                level=2,
                category="parent_support",
                audiences=["parents"],
                age_min=0,
                age_max=18,
                risk_groups=["parent_mental_illness"],
                staff_fte=0.5,
                budget_nok=150_000,
                evidence_based=True,
            )
            ids["D4"] = node.publish(
                name="PMTO foreldretrening",
                description="Individuell trening for foreldre ved alvorlige atferdsvansker.",
                agency=child_welfare,
                level=3,
                category="parent_support",
                access="referral",
                audiences=["parents"],
                age_min=3,
                age_max=12,
                risk_groups=["child_welfare", "violent_milieu"],
                diagnosis_groups=["conduct_disorders"],
                statutory_duties=["bvl-3-1-hjelpetiltak"],
                staff_fte=2.0,
                budget_nok=1_600_000,
                evidence_based=True,
                review_interval_months=6,
            )
        with publishing_at(T3):
            ids["D5"] = node.publish(
                name="Sorggruppe for barn",
                description="Kommunens samtalegruppe etter dødsfall i familien.",
                level=2,
                category="group",
                audiences=["children"],
                age_min=6,
                age_max=12,
                risk_groups=["trauma"],
                measure_status="project",
                staff_fte=0.2,
            )
        with publishing_at(T4):
            node.revise(
                ids["D3"],
                level=1,
                user_participation=True,
                last_reviewed=dt.date(2025, 9, 1),
                staff_fte=0.8,
            )
            node.revise(
                ids["D5"], age_min=7, age_max=15, risk_groups=["trauma", "parental_breakup"]
            )
        with publishing_at(T5):
            ids["D6"] = node.publish(
                name="Helsestasjon for ungdom",
                description="Åpen helsestasjon uten timeavtale for ungdom.",
                age_min=13,
                age_max=20,
                risk_groups=[],
                statutory_duties=["hol-3-2-helsestasjon"],
            )


def _county(federation: Federation, ids: dict[str, str]) -> None:
    with federation.node("fylke", COUNTY_NODE).builder() as node:
        with publishing_at(T1):
            ids["C1"] = node.publish(
                "county",
                name="Oppfølgingstjenesten",
                description="Følger opp ungdom som står utenfor videregående opplæring.",
                level=2,
                category="guidance",
                coverage=["33"],
                age_min=15,
                age_max=21,
                risk_groups=["school_absence"],
                statutory_duties=["oppl-9-4-oppfolgingstjenesten"],
                staff_fte=6.0,
                budget_nok=5_000_000,
                user_participation=True,
            )
        with publishing_at(T2):
            ids["R1"] = node.publish(
                "region",
                name="Familievernkontoret",
                description="Familieterapi og mekling ved samlivsbrudd.",
                level=2,
                category="guidance",
                coverage=["bufetat-sor"],
                audiences=["families"],
                age_min=0,
                age_max=18,
                risk_groups=["parental_breakup"],
                statutory_duties=["fvkl-1-familievern"],
                staff_fte=8.0,
                budget_nok=9_000_000,
                evaluated=True,
                review_interval_months=24,
            )
        with publishing_at(T3):
            ids["S1"] = node.publish(
                "state",
                name="Barnevernets akuttberedskap",
                description="Akutt hjelp døgnet rundt når barn trenger det.",
                level=3,
                category="public",
                coverage=["NO"],
                age_min=0,
                age_max=18,
                risk_groups=["child_welfare", "violent_milieu"],
                statutory_duties=["bvl-16-3-bistandsplikt"],
                staff_fte=12.5,
                budget_nok=20_000_000,
                good_practice=True,
                evidence_based=True,
            )
        with publishing_at(T4):
            ids["C2"] = node.publish(
                "county",
                name="Tannhelsetjenesten",
                description="Gratis tannbehandling for barn og unge i fylket.",
                coverage=["33"],
                age_min=0,
                age_max=18,
                risk_groups=[],
                statutory_duties=["tannhl-1-3-barn-ungdom"],
                staff_fte=10.0,
                budget_nok=12_000_000,
            )


def _voluntary(federation: Federation, ids: dict[str, str]) -> None:
    with federation.node("frivillig", VOLUNTARY_NODE).builder() as node:
        with publishing_at(T1):
            ids["V1"] = node.publish(
                "voluntary",
                name="Leksehjelp for alle",
                description="Gratis leksehjelp på biblioteket for elever i grunnskolen.",
                category="voluntary_association",
                coverage=["NO"],
                age_min=6,
                age_max=16,
                risk_groups=[],
                user_participation=True,
            )
        with publishing_at(T3):
            ids["V2"] = node.publish(
                "redcross",
                name="Besøkshjem for barn",
                description="Frivillige familier gir barn en ekstra voksen å være hos.",
                level=2,
                category="voluntary_club",
                staff_fte=1.0,
                budget_nok=50_000,
                coverage=["3301", "3303"],
                age_min=6,
                age_max=15,
                risk_groups=["trauma"],
            )
        with publishing_at(T4):
            ids["V3"] = node.publish(
                "redcross",
                name="Sorggrupper for barn",
                description="Frivillige ledere møter barn som har mistet en av sine nærmeste.",
                level=2,
                category="group",
                coverage=["3301"],
                age_min=6,
                age_max=12,
                risk_groups=["trauma"],
                user_participation=True,
                measure_status="pilot",
                budget_nok=20_000,
            )
        with publishing_at(T5):
            node.withdraw(ids["V2"], "redcross")


def _oslo(federation: Federation, ids: dict[str, str]) -> None:
    with federation.node("oslo", OSLO_NODE).builder() as node, publishing_at(T1):
        ids["O1"] = node.publish(
            "oslo",
            name="Helsestasjon 0–5 år",
            description="Helsekontroller og vaksiner for alle små barn i Oslo.",
            coverage=["0301"],
            staff_fte=7.0,
            budget_nok=6_000_000,
            age_min=0,
            age_max=5,
            risk_groups=[],
            statutory_duties=["hol-3-2-helsestasjon"],
        )


def build_fixture_federation(federation: Federation) -> dict[str, str]:
    """Publish the fixture's offers on its four nodes; offer ids by their short names."""
    ids: dict[str, str] = {}
    _municipal(federation, ids)
    _county(federation, ids)
    _voluntary(federation, ids)
    _oslo(federation, ids)
    return ids


@dataclass
class History(IngestingDatabase):
    """A reporting database over a test federation."""

    def versions(self, offer_uri: str) -> list[OfferVersion]:
        with Session(self.engine) as session:
            return list(
                session.scalars(
                    select(OfferVersion)
                    .where(OfferVersion.offer_uri == offer_uri)
                    .order_by(OfferVersion.version)
                )
            )


def new_history(make_database: Any, client: httpx.Client) -> History:
    url = make_database()
    return History(url, create_engine(url, sqlite_begin="IMMEDIATE"), client, HistorySink)
