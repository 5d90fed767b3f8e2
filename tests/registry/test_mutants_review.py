"""What a publisher reviews (services.registry.offers.review), value by value: the edges the page
tests pass over (a first publication, nested fields, long text word by word, a code no longer
in the classification, a send-back followed by other actions). Every expectation is written by
hand; the labeller is given its agencies and duties directly, so no database is needed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from services.registry.offers.review import (
    Labeller,
    _location,
    _words,
    changed_since_sent_back,
    compare,
    flatten,
)


class Plain(Labeller):
    """A labeller in bokmål with one agency and no statutory duties."""

    def __init__(self, lang: str = "nb") -> None:
        self.lang = lang
        self.agencies = {"a-1": "Helsestasjonen"}
        self.duties = {
            "helse-1": SimpleNamespace(
                title={"nb": "Helsestasjon", "nn": ""}, law_short="hol", section="§ 3-2"
            )
        }


def test_flatten_lifts_the_contact_and_the_timetable_into_fields_of_their_own():
    content = {
        "name": "Åpen barnehage",
        "contact": {"email": "post@drammen.kommune.no", "phone": "+47 32 04 00 00"},
        "timetable": {"valid_from": "2026-01-01"},
    }
    assert flatten(content) == {
        "name": "Åpen barnehage",
        "contact.email": "post@drammen.kommune.no",
        "contact.phone": "+47 32 04 00 00",
        "timetable.valid_from": "2026-01-01",
    }
    assert flatten({"name": "x", "contact": None}) == {"name": "x"}
    assert flatten(None) == {}


def test_a_location_reads_name_street_town_and_the_point():
    assert (
        _location(
            {
                "name": "Familiens hus",
                "street_address": "Bragernes torg 2",
                "postal_code": "3017",
                "postal_town": "Drammen",
                "latitude": 59.74,
                "longitude": 10.2,
            }
        )
        == "Familiens hus, Bragernes torg 2, 3017 Drammen (59.74, 10.2)"
    )
    assert _location({"postal_town": "Drammen"}) == "Drammen"
    assert _location({"name": "Huset", "latitude": 0.0, "longitude": 0.0}) == "Huset (0.0, 0.0)"
    assert _location({"name": "Huset", "latitude": 59.74}) == "Huset"
    assert _location({"name": "Huset", "longitude": 10.2}) == "Huset"


def test_long_text_is_compared_word_by_word():
    assert _words("for barn og unge", "for barn og foreldre") == (
        ("same", "for barn og"),
        ("removed", "unge"),
        ("added", "foreldre"),
    )
    assert _words("a b c", "a c") == (("same", "a"), ("removed", "b"), ("same", "c"))
    assert _words("a c", "a b c") == (("same", "a"), ("added", "b"), ("same", "c"))
    assert _words("", "ny") == (("added", "ny"),)


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("name", None, "–"),
        ("name", "", "–"),
        ("coverage", [], "–"),
        ("free_of_charge", True, "Yes"),
        ("free_of_charge", False, "No"),
        ("agency", "a-1", "Helsestasjonen"),
        ("agency", "a-2", "a-2"),
        ("statutory_duties", ["helse-1", "ukjent"], "Helsestasjon (hol § 3-2); ukjent"),
        ("coverage", ["3301", "33", "9999"], "Drammen (3301), Buskerud (33), 9999"),
        ("locations", [{"name": "A"}, {"name": "B"}], "A | B"),
        ("guides", [{"title": "Veileder", "url": "https://x.no"}], "Veileder (https://x.no)"),
        ("category", "guidance", "Veiledningstilbud"),
        ("category", "retired-code", "retired-code"),
        ("age_min", 0, "0 (svangerskap og første leveår)"),
        ("age_max", 0, "0 (svangerskap og første leveår)"),
        ("age_min", 13, "13"),
        ("review_interval_months", 0, "0"),
        ("staff_fte", 1.5, "1,5"),
        ("staff_fte", 2.0, "2"),
        ("responsible_role", ["a", "b"], "a, b"),
        ("budget_nok", 120000, "120000"),
    ],
)
def test_the_labeller_writes_each_kind_of_value_as_people_read_it(name, value, text):
    assert Plain().text(name, value) == text


def test_a_duty_without_a_title_in_the_language_falls_back_to_bokmal_then_the_code():
    labeller = Plain("nn")
    assert labeller.text("statutory_duties", ["helse-1"]) == "Helsestasjon (hol § 3-2)"
    labeller.duties["tom"] = SimpleNamespace(title={}, law_short="bvl", section="§ 1")
    assert labeller.text("statutory_duties", ["tom"]) == "tom (bvl § 1)"


def rows(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, tuple]:
    return {
        row.name: (row.before, row.after, row.changed, row.words)
        for row in compare(Plain(), before, after)
    }


def test_a_first_publication_shows_only_what_is_filled_in_as_changed():
    compared = rows(None, {"name": "Ny", "coverage": [], "description": "", "agency": None})
    assert compared["name"] == ("", "Ny", True, ())
    assert compared["coverage"] == ("", "–", False, ())
    assert compared["description"] == ("", "–", False, ())
    assert compared["agency"] == ("", "–", False, ())
    assert list(compared)[:3] == ["agency", "name", "description"]  # the form's order


def test_a_change_is_marked_and_long_text_compared_word_by_word():
    before = {"name": "A", "description": "for barn", "schedule": "", "contact": {"phone": "1"}}
    after = {"name": "A", "description": "for unge", "schedule": "hver dag", "contact": {}}
    compared = rows(before, after)
    assert compared["name"] == ("A", "A", False, ())
    assert compared["description"] == (
        "for barn",
        "for unge",
        True,
        (("same", "for"), ("removed", "barn"), ("added", "unge")),
    )
    # Added where there was nothing: changed, but shown whole, not word by word.
    assert compared["schedule"] == ("–", "hver dag", True, ())
    assert compared["contact.phone"] == ("1", "–", True, ())
    # A short field is never compared word by word.
    assert rows({"name": "A B"}, {"name": "A C"})["name"] == ("A B", "A C", True, ())


def entry(action: str, changes: dict[str, Any] | None = None) -> SimpleNamespace:
    return SimpleNamespace(action=action, changes=changes)


def test_what_changed_since_the_last_send_back():
    entries = [
        entry("offer.updated", {"age_min": [0, 6]}),
        entry("offer.sent_back"),
        entry("offer.updated", {"name": ["A", "B"]}),
        entry("offer.sent_back"),
        entry("offer.updated", {"description": ["x", "y"]}),
        entry("offer.submitted", {"level": [1, 2]}),
        entry(
            "offer.updated",
            {
                "contact": [{"phone": "1", "email": "a@b.no"}, {"phone": "2", "email": "a@b.no"}],
                "timetable": [None, {"valid_from": "2026-01-01"}],
            },
        ),
        entry("offer.updated", None),
    ]
    assert changed_since_sent_back(entries) == {
        "description",
        "contact.phone",
        "timetable.valid_from",
    }
    assert changed_since_sent_back(entries[:4]) == set()
    assert changed_since_sent_back(entries[:1]) is None
    assert changed_since_sent_back([]) is None
