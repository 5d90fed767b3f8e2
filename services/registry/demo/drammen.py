"""Drammen kommune: a large municipality that hosts its own node.

Its agencies and offers follow the 2015 model-municipality evaluation: the child health centre,
Familiens hus with Circle of Security, ICDP and PMTO, child welfare and the PP service.
"""

from __future__ import annotations

from typing import Any

from services.registry.demo.data import offer

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
]

# (organisation number, offer, what happens to it: draft/submitted/published/withdrawn/revised)
OFFERS: list[tuple[str, dict[str, Any], str]] = [
    (
        "910000012",
        offer(
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
            locations=[
                {
                    "name": "Helsestasjonen Bragernes",
                    "street_address": "Engene 1",
                    "postal_code": "3015",
                    "postal_town": "Drammen",
                    "municipality": "3301",
                    # Engene at Bragernes, in the centre of Drammen.
                    "latitude": 59.7437,
                    "longitude": 10.2018,
                }
            ],
            schedule="Mandag–fredag 08.00–15.30",
            languages=["nob", "eng", "ara"],
            responsible_role="Leder for helsestasjonen",
        ),
        "published",
    ),
    (
        "910000012",
        offer(
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
        offer(
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
        offer(
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
        offer(
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
        offer(
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
        offer(
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
        ),
        "published",
    ),
    (
        "910000012",
        offer(
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
        offer(
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
        offer(
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
]
