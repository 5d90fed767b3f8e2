"""An offer's age range in words: a prenatal offer (ages 0 to 0) reads as pregnancy and the
first year, not "0 to 0 years", on the search site, in the reports and in the registry."""

from __future__ import annotations

import pytest
from flask import render_template_string

from shared.ages import age_range


@pytest.mark.parametrize(
    ("ages", "lang", "expected"),
    [
        ((0, 0), "nb", "Svangerskap og første leveår"),
        ((0, 0), "nn", "Svangerskap og første leveåret"),
        ((0, 0), "en", "Pregnancy and the first year of life"),
        ((0, 5), "nb", "0–5 år"),
        ((13, 20), "nn", "13–20 år"),
        ((13, 20), "en", "Ages 13–20"),
        ((6, 6), "nb", "6 år"),
        ((6, 6), "en", "Age 6"),
        ((0, 0), "se", "Svangerskap og første leveår"),  # any other language: bokmål
    ],
)
def test_age_ranges_in_words(ages, lang, expected):
    assert age_range(*ages, lang) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("nb", "Svangerskap og første leveår"), ("en", "Pregnancy and the first year of life")],
)
def test_every_page_has_the_words_in_its_language(lang, expected):
    from services.search import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        assert render_template_string("{{ age_range(0, 0) }}") == expected
