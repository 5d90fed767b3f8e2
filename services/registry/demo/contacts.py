"""How the demo offers are reached and when they are on: each organisation's service desk
(*servicetorg*) or an agency's own front desk, and realistic opening hours and course dates.

Every address is under ``example.org`` and every number is a made-up ``555`` number: nothing
here reaches a real person or desk. A desk, not a person, as the offer form asks.
"""

from __future__ import annotations

from typing import Any


def _desk(name: str, phone: str, email: str, url: str | None = None) -> dict[str, Any]:
    return {"name": name, "phone": phone, "email": email, "url": url}


# The organisation's service desk, by organisation number: the way in when an offer names none.
DESKS: dict[str, dict[str, Any]] = {
    "910000012": _desk(
        "Servicetorget, Drammen kommune",
        "555 00 101",
        "servicetorget@drammen.example.org",
        "https://www.drammen.example.org/servicetorget",
    ),
    "910000152": _desk(
        "Servicetorget, Flesberg kommune",
        "555 00 152",
        "postmottak@flesberg.example.org",
        "https://www.flesberg.example.org/",
    ),
    "910000160": _desk(
        "Servicetorget, Rollag kommune",
        "555 00 160",
        "postmottak@rollag.example.org",
        "https://www.rollag.example.org/",
    ),
    "910000179": _desk(
        "Servicetorget, Nore og Uvdal kommune",
        "555 00 179",
        "postmottak@nore-og-uvdal.example.org",
        "https://www.nore-og-uvdal.example.org/",
    ),
    "910000187": _desk(
        "Home-Start Numedal, koordinator",
        "555 00 187",
        "numedal@home-start.example.org",
        "https://www.home-start.example.org/numedal",
    ),
    "910000020": _desk(
        "Frivilligsentralen",
        "555 00 020",
        "frivilligsentralen@trygg-oppvekst.example.org",
        "https://www.trygg-oppvekst.example.org/",
    ),
    "910000128": _desk(
        "Fylkeshuset, sentralbordet",
        "555 00 128",
        "postmottak@buskerud-fylke.example.org",
        "https://www.buskerud-fylke.example.org/",
    ),
    "910000136": _desk(
        "Familievernkontoret i Buskerud",
        "555 00 136",
        "familievern.buskerud@bufetat.example.org",
        "https://www.bufetat.example.org/familievern/buskerud",
    ),
    "910000144": _desk(
        "Foreldrehverdag, redaksjonen",
        "555 00 144",
        "foreldrehverdag@bufdir.example.org",
        "https://www.foreldrehverdag.example.org/",
    ),
}

# An agency's own front desk, where it has one: (organisation number, agency) -> contact.
AGENCY_DESKS: dict[tuple[str, str], dict[str, Any]] = {
    ("910000012", "Helsestasjon og skolehelsetjeneste"): _desk(
        "Helsestasjonen, ekspedisjonen", "555 00 110", "helsestasjon@drammen.example.org"
    ),
    ("910000012", "Familiens hus"): _desk(
        "Familiens hus, resepsjonen", "555 00 120", "familienshus@drammen.example.org"
    ),
    ("910000012", "PP-tjenesten"): _desk(
        "PP-tjenesten, merkantilt", "555 00 130", "ppt@drammen.example.org"
    ),
    ("910000012", "Barneverntjenesten"): _desk(
        "Barneverntjenesten, mottaket", "555 00 140", "barnevern.mottak@drammen.example.org"
    ),
}

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
SCHOOL_YEAR = {"valid_from": "2026-08-17", "valid_to": "2027-06-18"}


def _weekly(days: tuple[str, ...], opens: str, closes: str, **validity: str) -> dict[str, Any]:
    return {
        "weekly": [{"day": d, "opens": opens, "closes": closes} for d in days],
        "dates": [],
        **validity,
    }


def _dates(days: tuple[str, ...], starts: str, ends: str) -> dict[str, Any]:
    return {"weekly": [], "dates": [{"date": d, "starts": starts, "ends": ends} for d in days]}


def _youth_club() -> dict[str, Any]:
    club = _weekly(("wed",), "18:00", "22:00", **SCHOOL_YEAR)
    club["weekly"].append({"day": "fri", "opens": "19:00", "closes": "00:30"})
    return club


# Opening hours and course dates by offer name.
TIMETABLES: dict[str, dict[str, Any]] = {
    "Helsestasjon 0–5 år": _weekly(WORKDAYS, "08:00", "15:30"),
    "Helsestasjon og skolehelsetjeneste i Flesberg": _weekly(WORKDAYS[:4], "08:00", "15:00"),
    "Circle of Security (COS-P) – foreldregruppe": _dates(
        tuple(f"2027-{d}" for d in ("01-12", "01-19", "01-26", "02-02", "02-09", "02-16")),
        "18:00",
        "20:00",
    ),
    "ICDP – foreldreveiledning": _weekly(("wed",), "18:00", "20:00", **SCHOOL_YEAR),
    "Åpen barnehage i Rollag": _weekly(("tue", "thu"), "09:30", "14:00", **SCHOOL_YEAR),
    "Ungdomsklubben på Rødberg": _youth_club(),
    "Leksehjelp og fellesskap": _weekly(("mon", "wed"), "16:00", "18:00", **SCHOOL_YEAR),
    "Sorggruppe for barn og unge": _dates(
        ("2026-10-29", "2026-11-12", "2026-11-26", "2026-12-10", "2027-01-07", "2027-01-21"),
        "17:30",
        "19:00",
    ),
    "Oppfølgingstjenesten (OT)": _weekly(WORKDAYS, "08:00", "15:30"),
    "Familievernet: samlivskurs, terapi og mekling": _weekly(WORKDAYS, "08:00", "15:30"),
}


def reachable(orgnr: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The offer with its desk's contact where it names no way in, and its timetable."""
    contact = raw.get("contact") or {}
    if not any(contact.get(k) for k in ("phone", "email", "url")):
        desk = AGENCY_DESKS.get((orgnr, raw["agency"])) or DESKS[orgnr]
        contact = {**desk, **{k: v for k, v in contact.items() if v}}
    timetable = TIMETABLES.get(raw["name"])
    return {**raw, "contact": contact, **({"timetable": timetable} if timetable else {})}
