"""How the demo data modules write an offer: the mapping form's fields, by name."""

from __future__ import annotations

from typing import Any

# The resources behind the demo offers (staff in årsverk, yearly budget in NOK; None: not
# registered), so that the reports and the assessment have staff and budget to sum. A county's,
# a region's or the state's offer serves many municipalities: its whole staff and budget count
# in each of them (see services.reporting.reports.resources).
RESOURCES: dict[str, tuple[float | None, int | None]] = {
    "Helsestasjon 0–5 år": (14.5, 13_800_000),
    "Skolehelsetjenesten": (18.0, 16_500_000),
    "Jordmortjenesten": (6.0, 6_200_000),
    "Circle of Security (COS-P) – foreldregruppe": (0.5, 350_000),
    "ICDP – foreldreveiledning": (0.8, 450_000),
    "Barnesamtalen": (0.4, 250_000),
    "PMTO – foreldretrening": (3.0, 2_900_000),
    "Sorggruppe for barn": (0.2, 60_000),
    "Pedagogisk-psykologisk tjeneste (PPT)": (22.0, 21_000_000),
    "Mor–barn-gruppe": (0.3, None),
    "Helsestasjon og skolehelsetjeneste i Flesberg": (2.6, 2_300_000),
    "Helsestasjon og skolehelsetjeneste i Rollag": (1.4, 1_250_000),
    "Helsestasjon og skolehelsetjeneste i Nore og Uvdal": (2.0, 1_800_000),
    "PP-tjenesten i Numedal": (5.5, 5_100_000),
    "Hjelpetiltak i hjemmet": (3.0, 2_700_000),
    "Åpen barnehage i Rollag": (0.6, 420_000),
    "Ungdomsklubben på Rødberg": (0.5, 300_000),
    "Home-Start: en frivillig familiekontakt": (1.0, 650_000),
    "Leksehjelp og fellesskap": (None, 80_000),
    "Sorggruppe for barn og unge": (0.2, None),
    "Den offentlige tannhelsetjenesten for barn og unge": (85.0, 98_000_000),
    "Oppfølgingstjenesten (OT)": (12.0, 11_000_000),
    "Familievernet: samlivskurs, terapi og mekling": (28.0, 30_000_000),
    "Foreldrehverdag: veiledning på nett": (4.0, 5_500_000),
}


def offer(agency: str, name: str, description: str, **fields: Any) -> dict[str, Any]:
    staff, budget = RESOURCES.get(name, (None, None))
    return {
        "agency": agency,
        "name": name,
        "description": description,
        "staff_fte": staff,
        "budget_nok": budget,
        **fields,
    }
