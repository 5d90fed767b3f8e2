"""Login through a real OpenID provider (panva's oidc-provider, tests/registry/oidc.py) in
Debian's Chromium: without JavaScript from the "Logg inn med …" button through the provider's
own login page back to the invited member's organisation, and out again at the provider; the
sign-on pages set up and used without JavaScript; a refusal shown on the login page; axe-core
on every new page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from services.registry.accounts import services as accounts
from services.registry.accounts.models import BrowserSession, Membership, User
from services.registry.accounts.permissions import Actor
from services.registry.organisations import services as organisations
from services.registry.sso import services as sso
from services.registry.sso.models import AccountIdentity
from shared.db import create_engine
from tests.browser import assert_accessible, chromium_page, require_browser, serve
from tests.conftest import TEST_PASSPHRASE, migrated_database
from tests.registry.browser_login import second_step
from tests.registry.oidc import CLIENT_SECRET, client, require_provider, run_provider

ORGNR = "910000012"
PASSWORD = "et-langt-passord-for-nettleser"  # pragma: allowlist secret
SECRET_ENV = "NETTUNGEN_OIDC_TEST_SECRET"  # pragma: allowlist secret
ACCOUNTS = {
    "ola": {"email": "ola@drammen.kommune.no", "email_verified": True, "name": "Ola Invitert"},
    "nils": {"email": "nils@lier.kommune.no", "email_verified": True, "name": "Nils Ny"},
    "per": {"email": "per@example.com", "email_verified": True},
}


def _build(session: Any, issuer: str) -> None:
    operator = Actor.operator()
    org = organisations.create_organisation(
        session,
        operator,
        {
            "organisation_number": ORGNR,
            "name": "Drammen kommune",
            "kind": "municipality",
            "home_area": "3301",
        },
    )
    accounts.add_member(
        session,
        operator,
        org,
        email="anne@example.org",
        name="Anne Admin",
        roles=("admin",),
        agencies=[],
        password=PASSWORD,
    )
    accounts.create_user(session, operator, "nina@example.org", "Nina Nodeadmin", PASSWORD, True)
    accounts.invite(
        session,
        operator,
        org,
        email="ola@drammen.kommune.no",
        roles=["reader"],
        agencies=[],
        path_to=lambda secret: f"/invitation/{secret}",
        language="nb",
    )
    provider = sso.create_provider(
        session,
        operator,
        {
            "public_id": "testidp",
            "name": "Testleverandør",
            "issuer": issuer,
            "client_id": "nettungen",
            "secret_ref": f"env:{SECRET_ENV}",
        },
    )
    sso.add_domain(
        session, operator, provider, {"organisation_number": ORGNR, "domain": "drammen.kommune.no"}
    )


@pytest.fixture(scope="module")
def node(
    database_factory: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    require_browser()
    require_provider()
    from services.registry import create_app

    url = database_factory()
    migrated_database(url)
    engine = create_engine(url, sqlite_begin="IMMEDIATE")
    registry = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("sso-registry")),
            "SECRET_KEY": "sso-browser-test-secret",  # pragma: allowlist secret
            "SIGNING_KEY_PASSPHRASE": TEST_PASSPHRASE,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    with pytest.MonkeyPatch.context() as patch, serve(registry) as base:
        patch.setenv(SECRET_ENV, CLIENT_SECRET)
        registry.config["REGISTRY_BASE_URL"] = base
        clients = [client("nettungen", [f"{base}/login/oidc/callback"])]
        with run_provider(tmp_path_factory.mktemp("oidc"), clients, ACCOUNTS) as issuer:
            with sessionmaker(engine, expire_on_commit=False).begin() as session:
                _build(session, issuer)
            yield {"base": base, "engine": engine, "issuer": issuer}
    registry.extensions["nettungen.db"].engine.dispose()
    engine.dispose()


def _at_provider(page: Any, login: str) -> None:
    """The provider's own login page (its development interactions): any password."""
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("hva-som-helst")
    page.get_by_role("button", name="Sign-in").click()


def _password_login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn", exact=True).click()
    second_step(page, base, email)  # node administrators must have a second factor


def _count(node: dict[str, Any], query: Any) -> int:
    with sessionmaker(node["engine"]).begin() as session:
        return session.scalar(query) or 0


def test_the_invited_member_logs_in_and_out_through_the_provider_without_javascript(node):
    base, issuer = node["base"], node["issuer"]
    with chromium_page(javascript=False) as page:
        page.goto(f"{base}/login")
        page.get_by_role("link", name="Logg inn med Testleverandør").click()
        page.wait_for_url(re.compile(re.escape(issuer) + "/interaction/"))
        _at_provider(page, "ola")
        page.wait_for_url(re.compile(rf"{re.escape(base)}/o/{ORGNR}/"))
        # Signed in: the organisation's start page, with the button to log out.
        assert page.locator(".org-name").inner_text() == "Drammen kommune"
        page.get_by_role("button", name="Logg ut").wait_for()
        ola = select(User.id).where(User.email == "ola@drammen.kommune.no").scalar_subquery()
        assert _count(node, select(func.count()).where(BrowserSession.user_id == ola)) == 1
        assert _count(node, select(func.count()).where(AccountIdentity.user_id == ola)) == 1
        assert _count(node, select(func.count()).where(Membership.user_id == ola)) == 1

        page.get_by_role("button", name="Logg ut").click()
        page.wait_for_url(re.compile(re.escape(issuer) + "/session/end"))
        page.get_by_role("button", name="Yes, sign me out").click()
        page.wait_for_url(f"{base}/login")
        assert _count(node, select(func.count()).where(BrowserSession.user_id == ola)) == 0
        # Logged out at the provider too: the next login asks for the person again.
        page.get_by_role("link", name="Logg inn med Testleverandør").click()
        page.get_by_placeholder("Enter any login").wait_for()


def test_a_refusal_is_shown_on_the_login_page(node):
    base = node["base"]
    with chromium_page() as page:
        page.goto(f"{base}/login")
        assert_accessible(page)
        page.get_by_role("link", name="Logg inn med Testleverandør").click()
        _at_provider(page, "per")
        page.wait_for_url(re.compile(re.escape(base) + "/login/oidc/callback"))
        alert = page.get_by_role("alert")
        assert "Ingen organisasjon godtar innlogging fra e-postdomenet ditt" in alert.inner_text()
        assert_accessible(page)


def test_a_tampered_state_is_refused_in_the_browser(node):
    """The browser is sent to the provider with a state changed on the way (as an attacker
    who planted a login of their own would): the provider hands it back, and the registry,
    which kept the genuine one for this browser, refuses the answer."""
    base = node["base"]

    def tamper(route: Any) -> None:
        response = route.fetch(max_redirects=0)
        location = response.headers["location"]
        state = re.search(r"[?&]state=([^&]+)", location).group(1)
        headers = {**response.headers, "location": location.replace(state, "x" + state[1:])}
        route.fulfill(response=response, headers=headers)

    with chromium_page(javascript=False) as page:
        page.route(re.compile(r".*/login/oidc/testidp$"), tamper)
        page.goto(f"{base}/login")
        page.get_by_role("link", name="Logg inn med Testleverandør").click()
        _at_provider(page, "ola")
        page.wait_for_url(re.compile(re.escape(base) + "/login/oidc/callback"))
        assert "hører ikke til en innlogging startet i denne nettleseren" in page.content()
        page.goto(f"{base}/o/{ORGNR}/")
        page.wait_for_url(re.compile(re.escape(base) + "/login"))  # not signed in


def test_the_sign_on_pages_are_set_up_and_used_without_javascript(node):
    base = node["base"]
    with chromium_page(javascript=False) as page:
        _password_login(page, base, "nina@example.org")
        page.goto(f"{base}/node/identity-providers")
        page.get_by_role("link", name="Testleverandør").click()
        page.get_by_label("Organisasjonsnummer").fill(ORGNR)
        page.get_by_label("E-postdomene").fill("lier.kommune.no")
        page.get_by_role("button", name="Legg til domenet").click()
        page.get_by_text("Domenet er lagt til.").wait_for()
        page.get_by_role("button", name="Logg ut").click()

        _password_login(page, base, "anne@example.org")
        page.goto(f"{base}/o/{ORGNR}/admin/sign-in")
        page.get_by_label("Bli med som leser (lier.kommune.no)").check()
        page.locator("tr", has_text="lier.kommune.no").get_by_role("button", name="Lagre").click()
        page.get_by_text("kan nå bli med som lesere").wait_for()
        page.get_by_role("button", name="Logg ut").click()

        page.get_by_role("link", name="Logg inn med Testleverandør").click()
        _at_provider(page, "nils")
        page.wait_for_url(re.compile(rf"{re.escape(base)}/o/{ORGNR}/"))
    nils = select(User.id).where(User.email == "nils@lier.kommune.no").scalar_subquery()
    with sessionmaker(node["engine"]).begin() as session:
        roles = session.scalars(select(Membership.roles).where(Membership.user_id == nils)).all()
    assert roles == [["reader"]]


def test_the_new_pages_pass_axe(node):
    base = node["base"]
    with chromium_page() as page:
        _password_login(page, base, "nina@example.org")
        for path in ("/node/identity-providers", "/node/identity-providers/testidp"):
            page.goto(base + path)
            assert_accessible(page)
        page.goto(f"{base}/node/identity-providers")
        page.get_by_role("button", name="Legg til identitetsleverandøren").click()
        page.get_by_role("alert").first.wait_for()
        assert_accessible(page)  # the form with its messages
        page.get_by_role("button", name="Logg ut").click()
        _password_login(page, base, "anne@example.org")
        page.goto(f"{base}/o/{ORGNR}/admin/sign-in")
        assert_accessible(page)
