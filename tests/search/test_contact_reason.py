"""Why an offer has no way to get in touch, on the public site: a code shown as its label in
the reader's language; a reason in words from a version before the codes, as written (marked as
Norwegian on English pages), until a redaction removes it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.federation import KONGSBERG
from tests.publisher.node import ORGANISATIONS
from tests.search.html import get_page

DRAMMEN = {"municipality": ORGANISATIONS["municipality"], "kongsberg": KONGSBERG}
NOTHING = {"name": None, "email": None, "phone": None, "url": None}


@pytest.fixture
def reasons(federation: Any, index: Any, index_api: Any) -> tuple[Any, dict[str, Any]]:
    node = federation.node("kommune", DRAMMEN)
    index.trust(node)
    with node.builder() as b:
        coded = b.publish(
            "municipality",
            name="Samtalegruppe",
            contact=NOTHING,
            locations=[],
            no_contact_reason="referral_only",
        )
        worded = b.publish(
            name="Gammel gruppe", contact=NOTHING, locations=[], no_contact_reason="outreach"
        )
    first, second = node.events()
    older = node.resign(second, data_no_contact_reason="Spør helsesykepleier på skolen.")
    index.apply([first, older])
    return index_api, {
        "coded": node.public_id(coded),
        "worded": node.public_id(worded),
        "node": node,
        "offer": worded,
        "index": index,
    }


@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("nb", "Bare etter henvisning, for eksempel fra fastlege, helsestasjon eller barnevern"),
        ("nn", "Berre etter tilvising, til dømes frå fastlege, helsestasjon eller barnevern"),
        (
            "en",
            "By referral only, for instance from a GP, the child health centre or child welfare",
        ),
    ],
)
def test_a_coded_reason_is_its_label_in_the_readers_language(reasons, lang, label):
    site, ids = reasons
    _, page = get_page(site, f"/tilbud/{ids['coded']}?lang={lang}")
    contact = page.find("section", aria_labelledby="contact")
    [reason, *_] = contact.find_all("p")
    assert reason.text() == label
    assert "referral_only" not in contact.text()
    assert reason.attrs.get("lang") is None


def test_a_reason_in_words_from_before_the_codes_is_shown_as_written(reasons):
    site, ids = reasons
    _, page = get_page(site, f"/tilbud/{ids['worded']}?lang=en")
    [reason, *_] = page.find("section", aria_labelledby="contact").find_all("p")
    assert reason.text() == "Spør helsesykepleier på skolen."
    assert reason.attrs.get("lang") == "no"


def test_a_redaction_removes_a_reason_in_words(reasons):
    site, ids = reasons
    node = ids["node"]
    with node.builder() as b:
        b.redact(ids["offer"])
    [redaction] = node.events()[2:]
    index = ids["index"]
    assert index.verifier().take_redaction(redaction, index.sink())
    page = site.get(f"/tilbud/{ids['worded']}?lang=en").get_data(as_text=True)
    assert "Spør helsesykepleier" not in page
    assert "Gammel gruppe" in page  # the offer itself stays
