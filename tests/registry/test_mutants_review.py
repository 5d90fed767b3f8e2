"""What a publisher reviews (services.registry.offers.review), value by value: the edges the page
tests pass over (a first publication, nested fields, long text word by word, a code no longer
in the classification, a send-back followed by other actions). Every expectation is written by
hand; the labeller is given its agencies and duties directly, so only the last two tests, of
the review of a stored offer, need a database."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from services.registry.offers import services as offers
from services.registry.offers.models import Offer
from services.registry.offers.review import (
    Labeller,
    _location,
    _words,
    changed_since_sent_back,
    compare,
    flatten,
    published_content,
    review_rows,
)
from services.registry.offers.schemas import OfferInputSchema
from tests.publisher.node import NodeBuilder, offer_content


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
    assert _words("a b c d", "a x y d") == (
        ("same", "a"),
        ("removed", "b c"),
        ("added", "x y"),
        ("same", "d"),
    )


def test_a_long_text_with_a_common_word_is_compared_whole():
    """difflib's "autojunk" would take a word making up more than 1 % of a text of 200 words
    or more as noise and match nothing around it; every word counts here."""
    common = " ".join(["og"] * 250)
    assert _words("a " + common, "b " + common) == (
        ("removed", "a"),
        ("added", "b"),
        ("same", common),
    )


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
        (
            "guides",
            [{"title": "A", "url": "https://a.no"}, {"title": "B", "url": "https://b.no"}],
            "A (https://a.no) | B (https://b.no)",
        ),
        ("languages", ["nob", "sme"], "Norsk (bokmål), Nordsamisk"),
        (
            "timetable.weekly",
            [
                {"day": "mon", "opens": "09:00", "closes": "15:00"},
                {"day": "tue", "opens": "10:00", "closes": "14:00"},
            ],
            "mandag 09:00-15:00; tirsdag 10:00-14:00",
        ),
        (
            "timetable.dates",
            [{"date": "2026-09-01", "starts": "18:00", "ends": "20:00"}],
            "01.09.2026 18:00-20:00",
        ),
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


@pytest.mark.parametrize(
    ("lang", "name", "value", "text"),
    [
        ("nn", "coverage", ["NO"], "Heile landet (NO)"),
        ("en", "coverage", ["NO"], "All of Norway (NO)"),
        ("nn", "category", "guidance", "Rettleiingstilbod"),
        ("en", "languages", ["nob"], "Norwegian (Bokmål)"),
        ("en", "age_min", 0, "0 (pregnancy and the first year of life)"),
        (
            "nn",
            "timetable.weekly",
            [{"day": "tue", "opens": "10:00", "closes": "14:00"}],
            "tysdag 10:00-14:00",
        ),
        (
            "en",
            "timetable.weekly",
            [{"day": "mon", "opens": "09:00", "closes": "15:00"}],
            "Monday 09:00-15:00",
        ),
    ],
)
def test_the_labeller_writes_in_the_pages_language(lang, name, value, text):
    assert Plain(lang).text(name, value) == text


def test_a_duty_without_a_title_in_the_language_falls_back_to_bokmal_then_the_code():
    labeller = Plain("nn")
    assert labeller.text("statutory_duties", ["helse-1"]) == "Helsestasjon (hol § 3-2)"
    labeller.duties["nynorsk"] = SimpleNamespace(
        title={"nb": "Bokmål", "nn": "Nynorsk"}, law_short="bvl", section="§ 2"
    )
    assert labeller.text("statutory_duties", ["nynorsk"]) == "Nynorsk (bvl § 2)"
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
    labels = {row.name: row.label for row in compare(Plain(), None, {})}
    assert (labels["name"], labels["coverage"]) == ("Name of the offer", "Geographic coverage")


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
    # Each value as the labeller writes it for its own field.
    coverage = rows({"coverage": ["3301"]}, {"coverage": ["3301", "33"]})["coverage"]
    assert coverage == ("Drammen (3301)", "Drammen (3301), Buskerud (33)", True, ())
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


def test_the_review_shows_the_working_copy_against_the_published_version(db):
    """Published as "Helsestasjon for ungdom" in Drammen; the working copy renamed since."""

    node = NodeBuilder(db)
    offer_id = node.publish(name="Helsestasjon for ungdom", coverage=["3301"])
    provider = node.provider("municipality")
    offer = db.get(Offer, offer_id)
    assert published_content(db, provider.publisher, offer)["name"] == "Helsestasjon for ungdom"
    offers.update_offer(db, provider.registrar, offer_id, {"name": "Helsestasjon for unge"})
    compared = {row.name: row for row in review_rows(db, provider.publisher, offer, "nn")}
    assert (compared["name"].before, compared["name"].after, compared["name"].changed) == (
        "Helsestasjon for ungdom",
        "Helsestasjon for unge",
        True,
    )
    assert (compared["coverage"].after, compared["coverage"].changed) == ("Drammen (3301)", False)
    assert compared["category"].after == "Offentleg tilbod"  # in nynorsk, as the page asked
    # The agency by its name, from the offer's own organisation.
    assert compared["agency"].after == offer.agency.name != offer.agency.public_id


def test_before_its_first_publication_an_offer_is_compared_with_nothing(db):

    node = NodeBuilder(db)
    provider = node.provider("municipality")
    data = OfferInputSchema().load(offer_content(provider.agency, name="Utkast"))
    offer = offers.create_offer(
        db, provider.registrar, provider.organisation, data, "https://node.test"
    )
    assert published_content(db, provider.publisher, offer) is None
    compared = {
        row.name: row for row in review_rows(db, provider.publisher, db.get(Offer, offer.id), "nb")
    }
    assert (compared["name"].before, compared["name"].after) == ("", "Utkast")
    labeller = Labeller(db, "nb", provider.organisation.id)
    assert labeller.agencies == {offer.agency.public_id: offer.agency.name}
    assert Labeller(db, "en", provider.organisation.id).text("category", "public") == "Public offer"
    assert "hol-3-2-helsestasjon" in labeller.duties
