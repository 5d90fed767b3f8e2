"""The county and state node: Buskerud fylkeskommune, Bufetat region sør and the
Directorate for Children, Youth and Family Affairs (Bufdir). Their offers cover the
municipalities of Buskerud, the counties of region sør and the whole country.
"""

from __future__ import annotations

from typing import Any

from services.registry.demo.data import offer

ORGANISATIONS: list[dict[str, Any]] = [
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

# (organisation number, offer, what happens to it: draft/submitted/published/withdrawn/revised)
OFFERS: list[tuple[str, dict[str, Any], str]] = [
    (
        "910000128",
        offer(
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
        offer(
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
        offer(
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
        offer(
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
