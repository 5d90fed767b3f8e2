"""A hosted node for small members: Flesberg, Rollag and Nore og Uvdal (the Numedal
municipalities, which run their PP service and child welfare together, hosted by Flesberg)
and two voluntary organisations, Home-Start Familiekontakten Numedal and Foreningen Trygg
Oppvekst Buskerud.

Small municipalities rarely run a node of their own; one operator hosts them all, each member
with its own users and offers.
"""

from __future__ import annotations

from typing import Any

from services.registry.demo.data import offer

NUMEDAL = ["3334", "3336", "3338"]


def _municipality(orgnr: str, name: str, slug: str, agencies: list[str]) -> dict[str, Any]:
    return {
        "organisation_number": orgnr,
        "name": name,
        "kind": "municipality",
        "home_area": {"flesberg": "3334", "rollag": "3336", "noreoguvdal": "3338"}[slug],
        "agencies": agencies,
        "users": [
            (
                f"tilbud@{slug}.example.org",
                f"Koordinator i {name.removesuffix(' kommune')}",
                ("admin", "registrar", "publisher"),
                tuple(agencies),
            ),
        ],
    }


ORGANISATIONS: list[dict[str, Any]] = [
    _municipality(
        "910000152",
        "Flesberg kommune",
        "flesberg",
        ["Helsestasjonen", "PP-tjenesten i Numedal", "Barneverntjenesten i Numedal"],
    ),
    _municipality("910000160", "Rollag kommune", "rollag", ["Helse og familie"]),
    _municipality("910000179", "Nore og Uvdal kommune", "noreoguvdal", ["Oppvekst"]),
    {
        "organisation_number": "910000187",
        "name": "Home-Start Familiekontakten Numedal",
        "kind": "voluntary",
        "home_area": "33",
        "agencies": ["Familiekontakten"],
        "users": [
            (
                "numedal@homestart.example.org",
                "Koordinator Hilde",
                ("admin", "registrar", "publisher"),
                ("Familiekontakten",),
            ),
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
]


def _health_centre(
    agency: str,
    place: str,
    municipality: str,
    postal: tuple[str, str],
    point: tuple[float, float],
) -> Any:
    return offer(
        agency,
        f"Helsestasjon og skolehelsetjeneste i {place}",
        "Helsekontroller, vaksiner og veiledning fra svangerskap til skolestart, og "
        "helsesykepleier på skolene.",
        level=1,
        category="public",
        age_min=0,
        age_max=20,
        audiences=["expectant_parents", "children", "youth", "parents"],
        access="open",
        coverage=[municipality],
        statutory_duties=["hol-3-2-helsestasjon", "hol-3-2-skolehelsetjeneste"],
        locations=[
            {
                "name": f"Helsestasjonen i {place}",
                "postal_code": postal[0],
                "postal_town": postal[1],
                "municipality": municipality,
                "latitude": point[0],
                "longitude": point[1],
            }
        ],
    )


# (organisation number, offer, what happens to it: draft/submitted/published/withdrawn/revised)
OFFERS: list[tuple[str, dict[str, Any], str]] = [
    (
        "910000152",
        _health_centre(
            "Helsestasjonen", "Flesberg", "3334", ("3623", "Lampeland"), (59.8486, 9.5742)
        ),
        "published",
    ),
    (
        "910000160",
        _health_centre("Helse og familie", "Rollag", "3336", ("3626", "Rollag"), (60.0197, 9.2822)),
        "published",
    ),
    (
        "910000179",
        _health_centre("Oppvekst", "Nore og Uvdal", "3338", ("3630", "Rødberg"), (60.2666, 8.9442)),
        "published",
    ),
    (
        "910000152",
        offer(
            "PP-tjenesten i Numedal",
            "PP-tjenesten i Numedal",
            "Pedagogisk-psykologisk tjeneste for barnehager og skoler i Flesberg, Rollag og "
            "Nore og Uvdal: utredning, sakkyndige vurderinger og veiledning av ansatte.",
            level=3,
            category="guidance",
            age_min=0,
            age_max=19,
            audiences=["children", "youth", "parents", "professionals"],
            access="referral",
            coverage=NUMEDAL,
            risk_groups=["learning_difficulties", "under_assessment"],
            diagnosis_groups=["language_learning", "adhd"],
            statutory_duties=["oppl-11-13-ppt", "bhl-31-spesialpedagogisk-hjelp"],
            responsible_role="Leder for PP-tjenesten i Numedal",
        ),
        "published",
    ),
    (
        "910000152",
        offer(
            "Barneverntjenesten i Numedal",
            "Hjelpetiltak i hjemmet",
            "Veiledning og støtte til familier i Numedal, med Marte Meo og foreldreveiledning "
            "etter avtale med barneverntjenesten.",
            level=3,
            category="guidance",
            age_min=0,
            age_max=18,
            audiences=["parents", "families"],
            access="referral",
            coverage=NUMEDAL,
            risk_groups=["child_welfare", "parent_mental_illness", "parent_substance_abuse"],
            statutory_duties=["bvl-3-1-hjelpetiltak"],
            measure_status="permanent",
        ),
        "revised",
    ),
    (
        "910000160",
        offer(
            "Helse og familie",
            "Åpen barnehage i Rollag",
            "Møteplass for foreldre og små barn to formiddager i uken, med helsesykepleier "
            "innom første tirsdag i måneden.",
            level=1,
            category="group",
            age_min=0,
            age_max=5,
            audiences=["children", "parents"],
            access="open",
            coverage=["3336"],
            user_participation=True,
        ),
        "published",
    ),
    (
        "910000179",
        offer(
            "Oppvekst",
            "Ungdomsklubben på Rødberg",
            "Fritidsklubb for ungdom fra 13 år fredag kveld, med voksne til stede.",
            level=1,
            category="public",
            age_min=13,
            age_max=18,
            audiences=["youth"],
            access="open",
            coverage=["3338"],
            risk_groups=["peer_difficulties"],
        ),
        "withdrawn",
    ),
    (
        "910000187",
        offer(
            "Familiekontakten",
            "Home-Start: en frivillig familiekontakt",
            "En erfaren forelder besøker familien hjemme et par timer i uken og gir støtte i "
            "hverdagen, for familier med minst ett barn under skolealder.",
            level=2,
            category="parent_support",
            age_min=0,
            age_max=6,
            audiences=["parents", "families"],
            access="self_referral",
            coverage=NUMEDAL,
            risk_groups=["parent_chronic_illness", "parent_mental_illness", "trauma"],
            user_participation=True,
            evaluated=True,
            evaluation_description="Evaluert nasjonalt av NOVA.",
        ),
        "published",
    ),
    (
        "910000020",
        offer(
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
        "910000020",
        offer(
            "Frivilligsentralen",
            "Sorggruppe for barn og unge",
            "Samtalegruppe med trente frivillige for barn som har mistet noen som står dem nær.",
            level=2,
            category="group",
            age_min=8,
            age_max=18,
            audiences=["children", "youth"],
            access="self_referral",
            coverage=["3301", *NUMEDAL],
            risk_groups=["trauma"],
        ),
        "published",
    ),
]
