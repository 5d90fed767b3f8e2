"""The age filter's bounds over the standard federation: an offer for ages 13–20 is found for a
13-year-old and a 20-year-old, and not for a 12- or 21-year-old. Expectations by hand from the
ages in tests.search.conftest (in Drammen: helsestasjon 13–20, foreldrekurs 3–8, sorggruppe
6–12, ungdomslos 15–21, familievern and bufetat 0–18, leksehjelp 6–16, besokshjem 6–15)."""

from __future__ import annotations

import pytest

ALL_AGES = {"familievern", "bufetat"}  # 0–18

IN_DRAMMEN_AT_AGE = {
    0: ALL_AGES,
    2: ALL_AGES,
    3: ALL_AGES | {"foreldrekurs"},
    6: ALL_AGES | {"foreldrekurs", "sorggruppe", "leksehjelp", "besokshjem"},
    8: ALL_AGES | {"foreldrekurs", "sorggruppe", "leksehjelp", "besokshjem"},
    9: ALL_AGES | {"sorggruppe", "leksehjelp", "besokshjem"},
    12: ALL_AGES | {"sorggruppe", "leksehjelp", "besokshjem"},
    13: ALL_AGES | {"helsestasjon", "leksehjelp", "besokshjem"},
    15: ALL_AGES | {"helsestasjon", "ungdomslos", "leksehjelp", "besokshjem"},
    16: ALL_AGES | {"helsestasjon", "ungdomslos", "leksehjelp"},
    17: ALL_AGES | {"helsestasjon", "ungdomslos"},
    18: ALL_AGES | {"helsestasjon", "ungdomslos"},
    19: {"helsestasjon", "ungdomslos"},
    20: {"helsestasjon", "ungdomslos"},
    21: {"ungdomslos"},
    22: set(),
    25: set(),
}


@pytest.mark.parametrize(
    ("age", "expected"),
    sorted(IN_DRAMMEN_AT_AGE.items()),
    ids=[f"age{a}" for a in sorted(IN_DRAMMEN_AT_AGE)],
)
def test_both_age_bounds_are_inclusive(api, standard, age, expected):
    answer = api.get(f"/api/v1/offers?municipality=3301&age={age}&per_page=100")
    assert answer.status_code == 200
    found = {item["id"] for item in answer.get_json()["items"]}
    assert found == {standard.ids[name] for name in expected}


def test_the_site_applies_the_same_bounds(standard):
    # The public site's search form: the 13-year-old finds the offer for 13–20 year olds.
    client = standard.app.test_client()
    page = client.get("/sok?municipality=3301&age=13").get_data(as_text=True)
    assert "Helsestasjon for ungdom" in page
    assert "Sorggruppe for barn" not in page
