"""Bulk mapping: the XLSX template's drop-down lists, an upload of good and bad rows, and a
fatal error that imports nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from services.registry.offers.models import Offer
from tests.registry.conftest import ORG_A, audit_count
from tests.registry.pages import sign_in, text_of

GOOD = {
    "Etat": "Helsestasjon",
    "Navn på tilbudet": "Foreldreveiledning ICDP",
    "Beskrivelse": "Gruppebasert foreldreveiledning, åtte samlinger.",
    "Kategori": "Foreldrestøttende arbeid",
    "Nivå i pyramiden": "Tilbud til alle",
    "Laveste alder": 0,
    "Høyeste alder": 12,
    "Målgruppe: Foreldre": "Ja",
    "Risikogrupper: Barn som opplever samlivsbrudd": "Ja",
    "Hvordan få det": "Ta kontakt selv",
    "Språk 1": "Norsk (bokmål)",
    "Språk 2": "Somali",
    "Hvor: Navn på stedet": "Familiens hus",
    "Hvor: Postnummer": "3015",
}


def template(client) -> tuple[object, dict[str, int]]:
    response = client.get(f"/o/{ORG_A}/bulk/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Tilbud"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    return book, columns


def upload(client, token, book) -> object:
    buffer = io.BytesIO()
    book.save(buffer)
    data = {"csrf_token": token, "workbook": (io.BytesIO(buffer.getvalue()), "tilbud.xlsx")}
    return client.post(f"/o/{ORG_A}/bulk", data=data, content_type="multipart/form-data")


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Offer)) or 0


def test_the_template_has_the_vocabularies_as_drop_down_lists(client, db, world):
    sign_in(client, db, "a_registrar")
    book, columns = template(client)
    sheet, lists = book["Tilbud"], book["Lister"]
    assert lists.sheet_state == "hidden"
    validated = {}
    for rule in sheet.data_validations.dataValidation:
        values = [
            c.value for row in lists[rule.formula1.split("!")[1].replace("$", "")] for c in row
        ]
        for ref in str(rule.sqref).split():
            validated[sheet[ref.split(":")[0]].column] = values
    assert validated[columns["Kategori"]][0] == "Offentlig tilbud"
    assert "Hjelpetilbud" in validated[columns["Nivå i pyramiden"]]
    assert validated[columns["Risikogrupper: Barn med skolefravær"]] == ["Ja", "Nei"]
    # A registrar's own agencies only (a_registrar works in Helsestasjon, not Familiens hus).
    assert validated[columns["Etat"]] == ["Helsestasjon"]
    nynorsk = client.get(f"/o/{ORG_A}/bulk/template.xlsx?lang=nn")
    headers = [c.value for c in load_workbook(io.BytesIO(nynorsk.data))["Tilbud"][1]]
    assert "Namn på tilbodet" in headers


def test_good_rows_become_drafts_and_bad_rows_are_reported(client, db, world):
    token = sign_in(client, db, "a_registrar")
    book, columns = template(client)
    sheet = book["Tilbud"]
    rows = [
        GOOD,
        {**GOOD, "Navn på tilbudet": "Aldersfeil", "Laveste alder": 15, "Høyeste alder": 3},
        {**GOOD, "Navn på tilbudet": "Ukjent nivå", "Nivå i pyramiden": "Nivå 9"},
        {**GOOD, "Navn på tilbudet": "Feil etat", "Etat": "Familiens hus"},
        {
            **GOOD,
            "Navn på tilbudet": "Helsestasjon for ungdom",
            "Nivå i pyramiden": "2",
            "Målgruppe: Foreldre": "Nei",
            "Målgruppe: Ungdom": "ja",
            "Laveste alder": 13,
            "Høyeste alder": 20,
            "Hvor: Postnummer": "30",
        },
        {**GOOD, "Navn på tilbudet": "Skolehelse", "Målgruppe: Barn": "ja"},
    ]
    for number, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(row=number, column=columns[header], value=value)
    before = _count(db)
    response = upload(client, token, book)
    assert response.status_code == 200, text_of(response)
    page = text_of(response)
    assert "2 tilbud ble utkast. 4 rad(er) ble ikke importert." in page
    assert "3 Laveste alder Laveste alder (15) er over høyeste alder (3)." in page
    assert "4 Nivå i pyramiden Velg en verdi fra listen." in page
    assert "5 Etat Velg en verdi fra listen." in page  # not one of the registrar's agencies
    assert "6 Hvor: Postnummer Bruk formen som er vist i hjelpeteksten." in page
    created = db.scalars(
        select(Offer).where(Offer.name.in_(["Foreldreveiledning ICDP", "Skolehelse"]))
    ).all()
    assert _count(db) == before + 2 and len(created) == 2
    icdp = next(o for o in created if o.name == "Foreldreveiledning ICDP")
    assert (icdp.status, icdp.level, icdp.category, icdp.access) == (
        "draft",
        1,
        "parent_support",
        "self_referral",
    )
    assert icdp.audiences == ["parents"] and icdp.risk_groups == ["parental_breakup"]
    assert icdp.languages == ["nob", "som"]
    assert icdp.locations == [{"name": "Familiens hus", "postal_code": "3015"}]
    assert icdp.agency.name == "Helsestasjon"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        ("not-xlsx", "Filen er ikke et Excel-regneark (.xlsx)."),
        ("drop-name-column", "Disse påkrevde kolonnene mangler: Navn på tilbudet."),
        ("unknown-column", "Kolonnen Merknad finnes ikke i malen."),
        ("empty", "Regnearket inneholder ingen tilbud."),
    ],
)
def test_a_fatal_error_imports_nothing(client, db, world, mutate, message):
    token = sign_in(client, db, "a_registrar")
    book, columns = template(client)
    sheet = book["Tilbud"]
    if mutate != "empty":
        for header, value in GOOD.items():
            sheet.cell(row=2, column=columns[header], value=value)
    if mutate == "drop-name-column":
        sheet.cell(row=1, column=columns["Navn på tilbudet"]).value = None
    if mutate == "unknown-column":
        sheet.cell(row=1, column=sheet.max_column + 1, value="Merknad")
    before, audits = _count(db), audit_count(db)
    if mutate == "not-xlsx":
        data = {"csrf_token": token, "workbook": (io.BytesIO(b"navn;alder\nx;3\n"), "tilbud.csv")}
        response = client.post(f"/o/{ORG_A}/bulk", data=data, content_type="multipart/form-data")
    else:
        response = upload(client, token, book)
    assert response.status_code == 422
    assert "Ingenting ble importert" in text_of(response)
    assert message in text_of(response)
    assert (_count(db), audit_count(db)) == (before, audits)
