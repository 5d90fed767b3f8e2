"""Relevance, judged by hand: Norwegian searches find the offers a person would expect first.

Thirteen offers written as registrars write them (bokmål and nynorsk, compound words) are
bulk-loaded into a fresh index; for each search, the offers a person asking it would expect
at the top are named here by hand. Checked on PostgreSQL, whose full-text configuration
(``nettungen_norwegian``: Norwegian stems, prefixes, weights name > description > keywords)
ranks national search; SQLite's FTS5 ranking is the embedded stand-in and is not judged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from bench import bulk, national
from shared.db import create_engine
from tests.search.conftest import make_search_app

# (name, description, extra fields) by offer number.
OFFERS: dict[int, tuple[str, str, dict[str, Any]]] = {
    1: ("Foreldreveiledning ICDP", "Kurs i foreldreveiledning for foreldre med barn 0–18 år.", {}),
    2: ("Veiledning for foreldre", "Samtaler og veiledning til foreldre i krevende tider.", {}),
    3: ("Helsestasjon for ungdom", "Åpen helsestasjon for ungdom: psykisk helse og kropp.", {}),
    4: ("Skulehelsetenesta", "Helsesjukepleiar på skulen for elevar i barneskulen.", {}),
    5: ("Sorggruppe for barn", "Gruppe for barn som har mistet en av foreldrene sine.", {}),
    6: ("Leksehjelp på biblioteket", "Gratis leksehjelp for elever i grunnskolen.", {}),
    7: ("Trygg i skolegården", "Hjelp til barn og unge som blir plaget av andre elever.",
        {"risk_groups": ["bullying"]}),
    8: ("Fritidsklubb", "Møteplass for ungdom med idrett og aktiviteter etter skoletid.", {}),
    9: ("Barnevernets akuttberedskap", "Akutt hjelp til barn døgnet rundt.", {}),
    10: ("Familievernkontoret", "Familieterapi og mekling ved samlivsbrudd og skilsmisse.", {}),
    11: ("Ungdomskontakt", "Oppfølging av ungdom som står i fare for å slutte på skolen.", {}),
    12: ("Foreldregruppe for minoritetsspråklige", "Foreldreveiledning på arabisk og somali.",
         {}),
    13: ("Kulturskole for alle", "Musikk, dans og kunst for barn og unge.", {}),
}  # fmt: skip
# A search and the offers a person expects as its first answers (in any order among them).
JUDGED = (
    ("foreldreveiledning", {1, 12}),  # the compound as written, in names and descriptions
    ("foreldre", {1, 2, 12}),  # the beginning of compounds finds them ("foreldre…")
    ("veiledning foreldre", {2}),
    ("helsestasjon", {3}),
    ("helsestasjonen", {3}),  # an inflected form: by its stem
    ("skulehelsetenesta", {4}),  # nynorsk
    ("skule", {4}),  # nynorsk "skole": the nynorsk offer, by name first
    ("sorg", {5}),
    ("sorggrupper", {5}),  # plural of the compound
    ("leksehjelp", {6}),
    ("mobbing", {7}),  # the risk group's label
    ("idrett", {8}),
    ("akutt", {9}),
    ("skilsmisse", {10}),
    ("musikk", {13}),
    ("ungdom", {3, 11}),  # in the name before in the description (offer 8)
    ("skole", {7}),  # "skolegården" in a name before "skolen", "skoletid" in descriptions
)


class _Written(national.NationalFederation):
    """The generator's providers and offers, with the names and texts above."""

    def offers(self) -> Iterator[national.OfferSpec]:
        for spec in super().offers():
            name, description, extra = OFFERS[spec.number]
            content = {**spec.content, "name": name, "description": description}
            content.update({"risk_groups": [], "diagnosis_groups": [], **extra})
            yield dataclasses.replace(spec, content=content)


@pytest.fixture(scope="module")
def judged_app(search_database_factory, tmp_path_factory) -> Iterator[Flask]:
    url = search_database_factory()
    engine = create_engine(url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        pytest.skip("relevance is PostgreSQL's full text (TEST_DATABASE_URL)")
    drawn = national.generate(len(OFFERS), seed=3)
    written = _Written(**{f.name: getattr(drawn, f.name) for f in dataclasses.fields(drawn)})
    try:
        bulk.load(national.published_events(written), engine)
    finally:
        engine.dispose()
    app = make_search_app(url, tmp_path_factory.mktemp("judged"))
    yield app
    app.extensions["nettungen.db"].engine.dispose()


@pytest.mark.parametrize(("words", "expected"), JUDGED, ids=[w for w, _ in JUDGED])
def test_the_expected_offers_come_first(judged_app: Flask, words: str, expected: set[int]) -> None:
    names = {OFFERS[number][0]: number for number in OFFERS}
    response = judged_app.test_client().get(f"/api/v1/offers?q={words}&facets=false")
    found = [names[item["name"]] for item in response.get_json()["items"]]
    assert set(found[: len(expected)]) == expected, found


@pytest.mark.parametrize("words", ["foreldre", "barn", "ungdom"])
def test_cursors_walk_the_ranked_offers_one_by_one(judged_app: Flask, words: str) -> None:
    """Keyset pagination by PostgreSQL's rank (a ``real``, highest first): the page after a
    cursor starts right after its offer, even between offers of nearly equal rank, so the
    walk one offer at a time is the ranked list, none twice, none left out."""
    client = judged_app.test_client()
    whole = client.get(f"/api/v1/offers?q={words}&facets=false&per_page=100").get_json()
    ranked = [item["id"] for item in whole["items"]]
    answer = client.get(f"/api/v1/offers?q={words}&facets=false&per_page=1").get_json()
    walked = [item["id"] for item in answer["items"]]
    while answer["next_cursor"] is not None:
        assert len(walked) < len(ranked), walked  # a walk that repeats fails, not loops
        answer = client.get(
            f"/api/v1/offers?q={words}&facets=false&per_page=1&cursor={answer['next_cursor']}"
        ).get_json()
        walked += [item["id"] for item in answer["items"]]
    assert len(ranked) >= 3
    assert walked == ranked
