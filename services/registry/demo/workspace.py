"""Demo content for a coordination group's workspace: a municipality well into its first round
of the method, with members from the agencies, a mandate half in place, plans and projects
linked to offers, minutes, a progress plan, a yearly cycle and a first assessment.

Written through the workspace's service layer with a real actor, so it is validated and audited
like anything people enter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts.permissions import Actor
from services.registry.coordination import services
from services.registry.coordination.models import (
    CoordinationGroup,
    CycleEvent,
    GroupMember,
    Initiative,
    MandateItem,
    Meeting,
    Milestone,
)
from services.registry.coordination.schemas import (
    CycleEventSchema,
    InitiativeSchema,
    MeetingSchema,
    MemberSchema,
    MilestoneSchema,
    StepSchema,
)
from services.registry.offers.models import Offer
from services.registry.organisations.models import Organisation

MANDATE = (
    "Koordineringsgruppen skal koordinere og utvikle det forebyggende arbeidet for barn, unge og "
    "familier i Drammen. Gruppen eier kartleggingen av tilbudene, vurderer mangler og "
    "overlapping hvert år, og rapporterer til rådmannens ledergruppe i mars og september."
)
MEMBERS = [
    ("Hanne Helsesykepleier", "chair", "Helsestasjon og skolehelsetjeneste", None),
    ("Petra Publiserer", "publisher", None, None),
    ("Frank Familiens hus", "member", "Familiens hus", None),
    ("Bente Barnevern", "member", "Barneverntjenesten", None),
    ("Per PPT", "member", "PP-tjenesten", None),
    ("Tone Trygg Oppvekst", "resource", None, "Foreningen Trygg Oppvekst Buskerud"),
]
DONE_MANDATE = ("duty.overview-plans", "duty.keep-mapping", "checklist.write", "checklist.discuss")
STEPS: dict[int, dict[str, Any]] = {
    1: {
        "status": "done",
        "started_on": "2025-09-01",
        "completed_on": "2025-11-15",
        "notes": "Skriftlig avtale signert av rådmannen 15. november. Oppgavene ligger til "
        "stillingene som leder for helsestasjonen og Familiens hus.",
    },
    2: {
        "status": "done",
        "started_on": "2025-11-15",
        "completed_on": "2026-01-20",
        "notes": "Eksisterende tverrfaglig team fikk utvidet mandat og to nye medlemmer.",
    },
    3: {
        "status": "done",
        "started_on": "2026-01-20",
        "completed_on": "2026-03-01",
        "notes": "Felles verdier: barnets stemme først, ingen dør er feil dør.",
    },
    4: {
        "status": "in_progress",
        "started_on": "2026-03-01",
        "next_review_on": "2026-09-15",
        "notes": "Helsestasjon og Familiens hus er kartlagt. PPT og barnevern gjenstår.",
    },
    5: {"status": "not_started", "notes": "Første vurdering etter at kartleggingen er ferdig."},
}
PLANS: list[dict[str, Any]] = [
    {
        "kind": "plan",
        "title": "Plan for barn og unges psykiske helse 2026–2029",
        "status": "active",
        "owner": "Kommunalsjef oppvekst",
        "starts_on": "2026-01-01",
        "ends_on": "2029-12-31",
        "url": "https://www.drammen.kommune.no/",
        "description": "Vedtatt av bystyret. Gruppen følger opp tiltakene i kapittel 4.",
        "offers": ["Circle of Security (COS-P) – foreldregruppe", "Barnesamtalen"],
    },
    {
        "kind": "focus_area",
        "title": "Tidlig innsats 0–6 år",
        "status": "active",
        "owner": "Leder for helsestasjonen",
        "description": "Barn av foreldre med psykisk sykdom eller rusproblemer fanges opp tidlig.",
        "offers": ["Helsestasjon 0–5 år", "Jordmortjenesten"],
    },
    {
        "kind": "project",
        "title": "ICDP i alle bydeler",
        "status": "planned",
        "owner": "Familiens hus",
        "starts_on": "2026-08-01",
        "ends_on": "2027-06-30",
        "description": "Prosjektmidler fra Bufdir. Krever tiltakskonkretisering og evaluering.",
        "offers": ["ICDP – foreldreveiledning"],
    },
]
MEETINGS = [
    {
        "held_on": "2026-01-20",
        "title": "Oppstartsmøte",
        "attendees": "Hanne, Petra, Frank, Bente, Per",
        "minutes": "Gjennomgang av Nettungen-metoden og mandatet. Gruppen ble enige om å bruke "
        "det tverrfaglige teamet som koordineringsgruppe.",
        "decisions": "Hanne leder gruppen. Petra er publiseringsansvarlig.",
    },
    {
        "held_on": "2026-03-01",
        "title": "Felles plattform og kartleggingsplan",
        "attendees": "Hanne, Petra, Frank, Bente, Per, Tone",
        "minutes": "Hver etat presenterte sine tilbud og ressurser. Kartleggingsskjemaet ble gått "
        "gjennom felt for felt.",
        "decisions": "Én registreringsansvarlig per etat. Kartleggingen skal være ferdig 1. juni.",
    },
]
MILESTONES = [
    {
        "title": "Alle registreringsansvarlige har fått tilgang",
        "step": 4,
        "due_on": "2026-03-15",
        "owner": "Anne Admin",
        "done_on": "2026-03-10",
    },
    {
        "title": "Helsestasjon og Familiens hus kartlagt",
        "step": 4,
        "due_on": "2026-04-15",
        "owner": "Hanne Helsesykepleier",
        "done_on": "2026-04-20",
    },
    {"title": "PPT og barnevern kartlagt", "step": 4, "due_on": "2026-06-01", "owner": "Per PPT"},
    {
        "title": "Første vurdering av mangler og overlapping",
        "step": 5,
        "due_on": "2026-10-01",
        "owner": "Koordineringsgruppen",
    },
]
CYCLE = [
    (1, "Årsplan for gruppens arbeid", "planning"),
    (3, "Rapport til rådmannens ledergruppe", "report"),
    (4, "Gjennomgang av alle tilbud i Nettungen", "review"),
    (6, "Innspill til handlingsprogram og budsjett", "planning"),
    (9, "Rapport til rådmannens ledergruppe", "report"),
    (11, "Evaluering av året og oppdatert mandat", "meeting"),
]


def _offer_ids(session: Session, organisation: Organisation, names: list[str]) -> list[str]:
    found = dict(
        session.execute(
            select(Offer.name, Offer.id).where(
                Offer.organisation_id == organisation.id, Offer.name.in_(names)
            )
        ).all()
    )
    return [found[n] for n in names if n in found]


def load_workspace(session: Session, actor: Actor, organisation: Organisation) -> None:
    """Start the organisation's workspace and fill it as a group a few months in would have."""
    group = services.start_workspace(
        session, actor, organisation, "Koordineringsgruppen for barn og unge i Drammen"
    )
    services.update_workspace(
        session, actor, group, {"mandate": MANDATE, "established_on": dt.date(2026, 1, 20)}
    )
    _add_members(session, actor, group, organisation)
    items = services.list_items(session, actor, group, MandateItem)
    services.save_mandate(
        session,
        actor,
        group,
        {i.id: (True, "På plass.") for i in items if i.method_key in DONE_MANDATE},
    )
    for number, step in STEPS.items():
        services.update_step(session, actor, group, number, StepSchema().load(step))
    _add_plans_and_calendar(session, actor, group, organisation)
    services.save_answers(
        session,
        actor,
        group,
        {
            "offers.early": "Godt dekket for 0–5 år. Svakt for ungdom 16–23.",
            "group.short": "Barn av foreldre i fengsel har ingen tilbud i kommunen.",
        },
    )


def _add_members(
    session: Session, actor: Actor, group: CoordinationGroup, organisation: Organisation
) -> None:
    agencies = {a.name: a.public_id for a in organisation.agencies}
    for name, role, agency, represents in MEMBERS:
        member: dict[str, Any] = {
            "name": name,
            "group_role": role,
            "agency": agencies.get(agency or ""),
            "represents": represents,
        }
        services.add_item(session, actor, group, GroupMember, MemberSchema().load(member))


def _add_plans_and_calendar(
    session: Session, actor: Actor, group: CoordinationGroup, organisation: Organisation
) -> None:
    """The plans and projects (linked to the organisation's offers), minutes, the progress
    plan and the yearly cycle."""
    for plan in PLANS:
        linked = {**plan, "offers": _offer_ids(session, organisation, plan["offers"])}
        services.add_item(session, actor, group, Initiative, InitiativeSchema().load(linked))
    for meeting in MEETINGS:
        services.add_item(session, actor, group, Meeting, MeetingSchema().load(meeting))
    for milestone in MILESTONES:
        services.add_item(session, actor, group, Milestone, MilestoneSchema().load(milestone))
    for month, title, kind in CYCLE:
        event = {"month": month, "title": title, "kind": kind, "owner": "Hanne Helsesykepleier"}
        services.add_item(session, actor, group, CycleEvent, CycleEventSchema().load(event))
