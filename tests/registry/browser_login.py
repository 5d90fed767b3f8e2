"""A password login in a real browser, second factor included: a node administrator (or a
member of an organisation that requires it) sets up the authenticator at the first login, and
logs in with a recovery code after that (a code of the app would have to wait for the next
30-second step). The codes are kept per node and address for the module's later logins."""

from __future__ import annotations

from typing import Any

from tests.registry.accounts_helpers import now_step, totp

CODE_LABEL = "Kode fra autentiseringsappen"
# (base URL, e-mail) -> the recovery codes not used yet, and the key.
FACTORS: dict[tuple[str, str], dict[str, Any]] = {}


def enrol_on_page(page: Any, *, password: str | None = None) -> tuple[str, list[str]]:
    """On the enrolment page: read the key shown beside the QR code, type its code (and the
    password, on one's own account page), and read the ten recovery codes shown once."""
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    if password is not None:
        page.get_by_label("Passordet ditt").fill(password)
    page.get_by_label(CODE_LABEL).fill(totp(secret, now_step()))
    page.get_by_role("button", name="Slå på den andre faktoren").click()
    page.locator("#recovery-codes").wait_for()
    return secret, page.locator("#recovery-codes code").all_inner_texts()


def second_step(page: Any, base: str, email: str) -> None:
    """After a right password: set up the second factor, or give a recovery code."""
    page.wait_for_load_state()
    key = (base, email)
    if page.url.endswith("/login/enrol"):
        secret, codes = enrol_on_page(page)
        FACTORS[key] = {"secret": secret, "codes": codes}
        page.get_by_role("link", name="Jeg har tatt vare på kodene: gå videre").click()
    elif page.url.endswith("/login/code"):
        page.get_by_label(CODE_LABEL).fill(FACTORS[key]["codes"].pop())
        page.get_by_role("button", name="Logg inn").click()
    page.wait_for_load_state()
