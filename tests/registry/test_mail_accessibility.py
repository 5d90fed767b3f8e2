"""Every mail's HTML part passes axe-core's WCAG 2.1 AA check in Chromium, in every language."""

from __future__ import annotations

import pytest

from services.registry.mail.render import render
from tests.browser import accessibility_violations, chromium_page

OFFER = {"offer_title": "Barselgruppe", "organisation_name": "Drammen kommune"}
MAILS = {
    "review_requested": {**OFFER, "submitted_by": "Reidar", "review_path": "/o/1/review/a"},
    "sent_back": {**OFFER, "reviewer": "Petra", "comment": "Mangler adresse.", "offer_path": "/x"},
    "published": {**OFFER, "reviewer": "Petra", "offer_path": "/o/1/offers/a"},
    "review_digest": {
        "offers": [{"title": "Barselgruppe", "path": "/o/1/offers/a", "review_date": "2025-01-01"}]
    },
}


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_every_mail_is_accessible(lang):
    with chromium_page() as page:
        for template, params in MAILS.items():
            mail = render(
                template, lang, params, base_url="https://registry.example.org", optional=True
            )
            page.set_content(mail.html)
            violations = accessibility_violations(page)
            assert not violations, f"{template} ({lang}):\n  " + "\n  ".join(violations)
