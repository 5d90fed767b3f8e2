"""The second factor and one's sessions in a real browser (issue 20, items 3 and 4): a whole
TOTP login without JavaScript, and axe-core on every new page, its error states included."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.registry.accounts.models import User
from tests.browser import assert_accessible, chromium_page
from tests.registry.accounts_helpers import now_step, totp
from tests.registry.browser_login import CODE_LABEL, enrol_on_page
from tests.registry.test_browser import ORGNR, PASSWORD, log_in, log_out, node

__all__ = ["node"]  # the node of tests/registry/test_browser.py, built anew for this module


def _password(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile("/login/code"))


def test_a_totp_login_without_javascript(node):
    """Reidar sets up the app on his account page, logs out, logs in with his password and
    the app's code, sees where he is logged in and ends that login."""
    base = node["base"]
    with chromium_page(javascript=False) as page:
        log_in(page, base, "reidar@example.org")
        page.get_by_role("link", name="Innlogging og sikkerhet").click()
        page.get_by_role("link", name="Sett opp en annen faktor").click()
        assert page.get_by_role("img", name="QR-kode for autentiseringsappen").count() == 1
        secret, codes = enrol_on_page(page, password=PASSWORD)
        assert len(codes) == 10
        page.get_by_role("link", name="Jeg har tatt vare på kodene: gå videre").click()
        page.get_by_text("Gjenopprettingskoder som ikke er brukt: 10 av 10.").wait_for()
        log_out(page)
        _password(page, base, "reidar@example.org")
        page.get_by_label(CODE_LABEL).fill(totp(secret, now_step() + 1))
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(re.compile(rf"/o/{ORGNR}/"))
        page.goto(f"{base}/account/sessions")
        row = page.locator("tr", has_text="(denne nettleseren)")
        assert "Chrome på Linux" in row.inner_text() and "127.0.0.1" in row.inner_text()
        page.get_by_label("Passordet ditt").fill(PASSWORD)  # ending a login asks for it
        row.get_by_role("button").click()
        page.wait_for_url(re.compile("/login$"))


def _petras_id(node: dict[str, Any]) -> int:
    with sessionmaker(node["engine"])() as session:
        return session.scalar(select(User.id).where(User.email == "petra@example.org"))


def test_the_second_factor_pages_pass_axe(node):
    base = node["base"]
    with chromium_page() as page:
        log_in(page, base, "petra@example.org")
        for path in ("/account/security", "/account/sessions", "/account/second-factor"):
            page.goto(base + path)
            assert page.locator("h1").count() == 1, path
            assert_accessible(page)
        page.get_by_label("Passordet ditt").fill(PASSWORD)
        page.get_by_label(CODE_LABEL).fill("12345")
        page.get_by_role("button", name="Slå på den andre faktoren").click()
        page.locator("#form-errors").wait_for()
        assert_accessible(page)  # the enrolment refused, with its messages
        _secret, codes = enrol_on_page(page, password=PASSWORD)
        assert_accessible(page)  # the recovery codes
        page.goto(f"{base}/account/security")
        assert_accessible(page)  # with a second factor: new codes, remove
        log_out(page)
        _password(page, base, "petra@example.org")
        assert_accessible(page)
        page.get_by_label(CODE_LABEL).fill("000000")
        page.get_by_role("button", name="Logg inn").click()
        page.locator("#form-errors").wait_for()
        assert_accessible(page)  # a wrong code
        page.get_by_label(CODE_LABEL).fill(codes[0])
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(re.compile(rf"/o/{ORGNR}/"))
        log_out(page)
        log_in(page, base, "anne@example.org")
        for path in (f"/o/{ORGNR}/admin/agencies", f"/o/{ORGNR}/admin/users/{_petras_id(node)}"):
            page.goto(base + path)
            assert_accessible(page)
        page.get_by_role("button", name="Nullstill den andre faktoren").click()
        page.get_by_text("Den andre faktoren til petra@example.org er nullstilt.").wait_for()
