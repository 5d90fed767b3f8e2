"""The internal app in Debian's Chromium, without JavaScript shortcuts: the whole path from a
registrar's form to the node's feed, bulk mapping with an XLSX upload, and axe-core's WCAG 2.1
AA check on every page.

One node database and one served registry for the module; each test signs in its own people.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.registry.accounts import services as accounts
from services.registry.accounts.models import AccountToken
from services.registry.accounts.permissions import Actor
from services.registry.coordination import services as coordination
from services.registry.coordination.models import CycleEvent, GroupMember, Milestone
from services.registry.mail.models import FAILED, OutboxMail
from services.registry.offers import services as offers
from services.registry.offers.models import Offer
from services.registry.organisations import services as organisations
from shared.db import create_engine
from shared.publication.keys import Signer
from tests.browser import assert_accessible, chromium_page, require_browser, serve
from tests.conftest import TEST_PASSPHRASE, migrated_database
from tests.registry.browser_login import second_step
from tests.registry.conftest import offer_input

ORGNR = "910000012"
PASSWORD = "et-langt-passord-for-nettleser"
NODE_ADMIN = "nina@example.org"
BASE_URL = "https://node.test"


def undelivered() -> OutboxMail:
    """A mail the sender gave up on, for the node administrator's page of them; made anew for
    each node the fixture builds (tests/registry/test_second_factor_browser.py builds one)."""
    return OutboxMail(
        message_id="<undelivered@node.test>",
        to_address="borte@example.org",
        language="nb",
        template="review_requested",
        subject="Et tilbud venter på kvalitetssjekk",
        body_text="-",
        body_html="-",
        status=FAILED,
        attempts=8,
        last_error="550 5.1.1 No such user",
    )


PEOPLE = {
    "reidar@example.org": ("Reidar Registrar", ("registrar",)),
    "petra@example.org": ("Petra Publiserer", ("publisher",)),
    "anne@example.org": ("Anne Admin", ("admin", "registrar", "publisher")),
}


def _build(session: Any) -> dict[str, str]:
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
    health = organisations.create_agency(session, operator, org, "Helsestasjon", None)
    organisations.create_agency(session, operator, org, "Familiens hus", None)
    for email, (name, roles) in PEOPLE.items():
        agencies = [health.public_id] if "registrar" in roles else []
        accounts.add_member(
            session,
            operator,
            org,
            email=email,
            name=name,
            roles=roles,
            agencies=agencies,
            password=PASSWORD,
        )
    accounts.create_user(session, operator, NODE_ADMIN, "Nina Nodeadmin", PASSWORD, True)
    session.add(undelivered())
    session.flush()
    anne = accounts.build_actor(session, accounts.get_user_by_email(session, "anne@example.org"))
    published = offers.create_offer(session, anne, org, offer_input(health.public_id), BASE_URL)
    offers.submit(session, anne, published.id)
    offers.publish(session, anne, published.id, signer=Signer(TEST_PASSPHRASE))
    group = coordination.start_workspace(session, anne, org, "Koordineringsgruppa i Drammen")
    coordination.add_item(
        session, anne, group, GroupMember, {"name": "Hanne Helse", "group_role": "chair"}
    )
    coordination.add_item(
        session,
        anne,
        group,
        Milestone,
        {"title": "Kartlegging ferdig", "due_on": dt.date(2026, 6, 1)},
    )
    coordination.add_item(
        session,
        anne,
        group,
        CycleEvent,
        {"month": 9, "title": "Rapport til kommunestyret", "kind": "report"},
    )
    return {"published": published.id}


@pytest.fixture(scope="module")
def node(
    database_factory: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    require_browser()
    from services.publisher import create_app as create_publisher
    from services.registry import create_app

    url = database_factory()
    migrated_database(url)
    engine = create_engine(url, sqlite_begin="IMMEDIATE")
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        ids = _build(session)
    registry = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("browser-registry")),
            "SECRET_KEY": "browser-test-secret",
            "SIGNING_KEY_PASSPHRASE": TEST_PASSPHRASE,
            "NODE_BASE_URL": BASE_URL,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    publisher = create_publisher(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("browser-publisher")),
            "NODE_BASE_URL": BASE_URL,
        }
    )
    with serve(registry) as base:
        yield {"base": base, "engine": engine, "publisher": publisher, **ids}
    for app in (registry, publisher):
        app.extensions["nettungen.db"].engine.dispose()
    engine.dispose()


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(rf"/o/{ORGNR}/"))


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(re.compile("/login"))


def test_from_the_registrars_form_to_the_nodes_feed(node):
    base = node["base"]
    with chromium_page() as page:
        log_in(page, base, "reidar@example.org")
        assert_accessible(page)
        page.get_by_role("link", name="Nytt tilbud", exact=True).click()
        page.get_by_role("combobox", name="Etat").select_option(label="Helsestasjon")
        page.get_by_label("Navn på tilbudet").fill("Barseltreff")
        page.get_by_label("Beskrivelse").fill("Treff for nybakte foreldre med helsesykepleier.")
        page.get_by_label("Foreldrestøttende arbeid").check()
        page.get_by_label("Tilbud til alle", exact=True).check()
        page.get_by_label("Foreldre", exact=True).check()
        page.get_by_label("Laveste alder").fill("0")
        page.get_by_label("Høyeste alder").fill("1")
        page.get_by_label("Åpent for alle").check()
        page.get_by_label("Telefon").fill("555 00 110")  # the desk's: a way to get in touch
        assert_accessible(page)
        page.get_by_role("button", name="Lagre og send til kvalitetssjekk").click()
        page.get_by_text("Lagret og sendt til publiseringsansvarlig").wait_for()
        assert_accessible(page)
        log_out(page)

        log_in(page, base, "petra@example.org")
        page.get_by_role("link", name="Kvalitetssjekk", exact=True).click()
        assert_accessible(page)
        page.get_by_role("link", name="Barseltreff").click()
        page.get_by_text("Dette tilbudet har aldri vært publisert").wait_for()
        assert page.locator("table.diff tr.changed").count() >= 8
        assert_accessible(page)
        page.get_by_label("Hva skal registreringsansvarlig rette?").fill("Skriv når treffene er.")
        page.get_by_role("button", name="Send tilbake").click()
        page.get_by_text("Sendt tilbake til registreringsansvarlig").wait_for()
        log_out(page)

        log_in(page, base, "reidar@example.org")
        page.get_by_role("link", name="Barseltreff").first.click()
        page.get_by_text("Skriv når treffene er.").wait_for()
        page.get_by_role("link", name="Rediger", exact=True).click()
        page.get_by_label("Når").fill("Hver onsdag kl. 12–14")
        page.get_by_role("button", name="Lagre og send til kvalitetssjekk").click()
        page.get_by_text("Lagret og sendt til publiseringsansvarlig").wait_for()
        log_out(page)

        log_in(page, base, "petra@example.org")
        page.goto(f"{base}/o/{ORGNR}/review")
        page.get_by_role("link", name="Barseltreff").click()
        changed = page.locator("section, div.notice").filter(has_text="Endret siden du sendte det")
        assert "Når" in changed.inner_text()
        page.get_by_role("button", name="Publiser", exact=True).click()
        page.get_by_text("Publisert som versjon 1.").wait_for()

    with sessionmaker(node["engine"])() as session:
        offer = session.scalar(select(Offer).where(Offer.name == "Barseltreff"))
        assert (offer.status, offer.published_version) == ("published", 1)
        assert offer.schedule == "Hver onsdag kl. 12–14"
    feed = node["publisher"].test_client()
    page_one = feed.get("/ldes/pages/1", headers={"Accept": "text/turtle"})
    assert page_one.status_code == 200
    assert f"{BASE_URL}/offers/{offer.id}" in page_one.get_data(as_text=True)


def test_bulk_upload_of_good_and_bad_rows(node, tmp_path):
    base = node["base"]
    with chromium_page() as page:
        log_in(page, base, "reidar@example.org")
        page.goto(f"{base}/o/{ORGNR}/bulk")
        assert_accessible(page)
        with page.expect_download() as download:
            page.get_by_role("link", name="Last ned malen (XLSX)").click()
        book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
        sheet = book["Tilbud"]
        columns = {cell.value: cell.column for cell in sheet[1]}
        good = {
            "Etat": "Helsestasjon",
            "Navn på tilbudet": "Sorggruppe for barn",
            "Beskrivelse": "Samtalegruppe for barn som har mistet noen.",
            "Kategori": "Gruppe",
            "Nivå i pyramiden": "Tilbud til de som trenger mer støtte",
            "Laveste alder": 6,
            "Høyeste alder": 12,
            "Målgruppe: Barn": "Ja",
            "Risikogrupper: Barn utsatt for traume (tap, ulykke o.l.)": "Ja",
            "Hvordan få det": "Ta kontakt selv",
        }
        bad = {
            **good,
            "Navn på tilbudet": "Uten alder",
            "Høyeste alder": None,
            "Kategori": "Noe annet",
        }
        for number, row in ((2, good), (3, bad)):
            for header, value in row.items():
                sheet.cell(row=number, column=columns[header]).value = value
        path = tmp_path / "kartlegging.xlsx"
        book.save(path)
        page.get_by_label("Utfylt regneark (.xlsx)").set_input_files(str(path))
        page.get_by_role("button", name="Last opp og importer").click()
        report = page.locator("section.result-report")
        report.wait_for()
        text = report.inner_text()
        assert "1 tilbud ble utkast. 1 rad(er) ble ikke importert." in text
        problems = page.locator("table.problems tbody tr")
        rows = [problems.nth(i).inner_text().split("\t") for i in range(problems.count())]
        assert ["3", "Kategori", "Velg en verdi fra listen."] in rows
        assert ["3", "Høyeste alder", "Fyll ut dette feltet."] in rows
        assert_accessible(page)
        page.get_by_role("link", name="Sorggruppe for barn").click()
        page.get_by_text("Utkast", exact=True).first.wait_for()
    with sessionmaker(node["engine"])() as session:
        names = set(session.scalars(select(Offer.name).where(Offer.status == "draft")))
        assert "Sorggruppe for barn" in names and "Uten alder" not in names


PAGES = [
    "/",
    "/login",
    "/account/mail",
    "/o/{org}/",
    "/o/{org}/offers/new",
    "/o/{org}/offers/{offer}",
    "/o/{org}/offers/{offer}/edit",
    "/o/{org}/offers/{offer}/history",
    "/o/{org}/offers/{offer}/versions/1",
    "/o/{org}/offers/{offer}/redact",
    "/o/{org}/review",
    "/o/{org}/admin/users",
    "/o/{org}/admin/users/new",
    "/password/change",
    "/o/{org}/admin/agencies",
    "/o/{org}/admin/audit",
    "/o/{org}/bulk",
    "/o/{org}/workspace/",
    "/o/{org}/workspace/settings",
    "/o/{org}/workspace/members",
    "/o/{org}/workspace/mandate",
    "/o/{org}/workspace/steps",
    "/o/{org}/workspace/steps/4",
    "/o/{org}/workspace/plans",
    "/o/{org}/workspace/minutes",
    "/o/{org}/workspace/progress",
    "/o/{org}/workspace/cycle",
    "/o/{org}/workspace/assessment",
    "/o/{org}/nothing-here",
]


def test_every_page_passes_axe(node):
    base = node["base"]
    with chromium_page() as page:
        page.goto(f"{base}/login")
        assert_accessible(page)
        # A form sent back with errors, too: messages and the error summary must be accessible.
        log_in(page, base, "anne@example.org")
        page.goto(f"{base}/o/{ORGNR}/offers/new")
        page.get_by_role("button", name="Lagre som utkast").click()
        page.locator("#form-errors").wait_for()
        assert_accessible(page)
        for path in PAGES:
            for lang in ("nb", "nn", "en") if path == "/o/{org}/" else ("nb",):
                page.goto(f"{base}{path.format(org=ORGNR, offer=node['published'])}?lang={lang}")
                assert page.locator("h1").count() == 1, path
                assert_accessible(page)
        page.goto(f"{base}/o/{ORGNR}/?lang=nb")


def _mailed_path(engine: Any, to: str, kind: str) -> str:
    """The path of the newest ``kind`` link mailed to ``to``, read from the outbox row."""
    with sessionmaker(engine)() as session:
        body = session.scalars(
            select(OutboxMail.body_text)
            .where(OutboxMail.to_address == to)
            .order_by(OutboxMail.id.desc())
        ).first()
    found = re.search(rf"https?://[^/\s]+(/{kind}/[A-Za-z0-9_-]+)", body or "")
    assert found, body
    return found.group(1)


def test_an_invited_person_joins_and_later_resets_the_password(node):
    """Without JavaScript: an admin invites, the person opens the mailed link, chooses a
    password and is in; later forgets it, gets a link, chooses a new one and is in again; the
    spent and the expired link are refused. A second browser, with scripts for axe, checks
    each of these pages, error states included."""
    base, engine = node["base"], node["engine"]
    with chromium_page() as checker:
        page = checker.context.browser.new_context(
            locale="nb-NO", java_script_enabled=False
        ).new_page()
        page.set_default_timeout(15_000)
        log_in(page, base, "anne@example.org")
        page.goto(f"{base}/o/{ORGNR}/admin/users/new")
        page.get_by_label("E-postadresse").fill("nora@example.org")
        page.get_by_label("Leser").check()
        page.get_by_role("button", name="Send invitasjonen").click()
        page.get_by_text("En invitasjon er sendt til nora@example.org.").wait_for()
        log_out(page)
        invitation = _mailed_path(engine, "nora@example.org", "invitation")
        checker.goto(f"{base}{invitation}")
        assert_accessible(checker)
        checker.get_by_label("Navnet ditt").fill("Nora Nilsen")
        checker.get_by_label("Passord").fill("kort")
        checker.get_by_role("button", name="Godta og logg inn").click()
        checker.locator("#form-errors").wait_for()
        assert_accessible(checker)
        page.goto(f"{base}{invitation}")
        page.get_by_label("Navnet ditt").fill("Nora Nilsen")
        page.get_by_label("Passord").fill("nora sitt lange passord")
        page.get_by_role("button", name="Godta og logg inn").click()
        page.get_by_text("Velkommen til Drammen kommune.").wait_for()
        log_out(page)
        page.get_by_role("link", name="Glemt passord?").click()
        page.get_by_label("E-postadresse").fill("nora@example.org")
        page.get_by_role("button", name="Send meg en lenke").click()
        page.get_by_role("heading", name="Sjekk e-posten din").wait_for()
        reset = _mailed_path(engine, "nora@example.org", "password/reset")
        for path in ("/password/forgot", reset):
            checker.goto(f"{base}{path}")
            assert_accessible(checker)
        checker.get_by_label("Nytt passord").fill("password1234")
        checker.get_by_role("button", name="Lagre det nye passordet").click()
        checker.locator("#form-errors").wait_for()
        assert_accessible(checker)
        page.goto(f"{base}{reset}")
        page.get_by_label("Nytt passord").fill("et nytt og enda lengre passord")
        page.get_by_role("button", name="Lagre det nye passordet").click()
        page.get_by_text("Det nye passordet ditt er lagret.").wait_for()
        log_out(page)
        page.get_by_label("E-postadresse").fill("nora@example.org")
        page.get_by_label("Passord").fill("et nytt og enda lengre passord")
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(re.compile(rf"/o/{ORGNR}/"))
        log_out(page)
        # The spent links are refused; so is a reset link past its hour.
        assert page.goto(f"{base}{reset}").status == 404
        assert page.goto(f"{base}{invitation}").status == 404
        checker.goto(f"{base}{invitation}")
        assert_accessible(checker)
        checker.goto(f"{base}/password/forgot")
        checker.get_by_label("E-postadresse").fill("nora@example.org")
        checker.get_by_role("button", name="Send meg en lenke").click()
        checker.get_by_role("heading", name="Sjekk e-posten din").wait_for()
        assert_accessible(checker)
        late = _mailed_path(engine, "nora@example.org", "password/reset")
        with sessionmaker(engine).begin() as session:
            token = session.scalars(select(AccountToken).order_by(AccountToken.id.desc())).first()
            token.expires_at = token.created_at - dt.timedelta(minutes=1)
        assert page.goto(f"{base}{late}").status == 404
        checker.goto(f"{base}{late}")
        assert_accessible(checker)


NODE_PAGES = [
    "/",
    "/node/organisations",
    f"/node/organisations/{ORGNR}",
    "/node/users",
    "/node/duties",
    "/node/mail",
]


def log_in_as_node_admin(page: Any, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-postadresse").fill(NODE_ADMIN)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    second_step(page, base, NODE_ADMIN)  # node administrators must have a second factor
    page.wait_for_url(f"{base}/")


def test_node_administration_pages_pass_axe(node):
    """The node administrator's pages in every language, and a refused form's messages."""
    base = node["base"]
    with chromium_page() as page:
        log_in_as_node_admin(page, base)
        for path in NODE_PAGES:
            for lang in ("nb", "nn", "en"):
                page.goto(f"{base}{path}?lang={lang}")
                assert page.locator("h1").count() == 1, path
                assert_accessible(page)
        page.goto(f"{base}/node/organisations?lang=nb")
        page.get_by_label("Organisasjonsnummer").fill("910000021")
        page.get_by_role("button", name="Legg til organisasjonen").click()
        page.locator("#form-errors").wait_for()
        assert_accessible(page)


def test_node_administration_works_without_javascript(node):
    """A membership suspended and restored, and a user deactivated and reactivated, in a
    browser that runs no script."""
    base = node["base"]
    with chromium_page(javascript=False) as page:
        log_in_as_node_admin(page, base)
        page.goto(f"{base}/node/organisations/{ORGNR}")
        for status in ("Midlertidig stengt", "Aktivt medlem"):
            page.get_by_label(status).check()
            page.get_by_role("button", name="Lagre medlemskapet").click()
            page.get_by_text("Medlemskapet er lagret.").wait_for()
        page.goto(f"{base}/node/users")
        page.get_by_role("button", name="Deaktiver – reidar@example.org").click()
        page.get_by_text("reidar@example.org er deaktivert").wait_for()
        page.get_by_role("button", name="Aktiver igjen – reidar@example.org").click()
        page.get_by_text("reidar@example.org kan logge inn igjen.").wait_for()


def test_a_personal_contact_is_warned_about_without_javascript_and_accessibly(node):
    """The warning comes from the server on save: no script needed, and axe passes on the
    offer's page and the form that show it."""
    base = node["base"]
    with chromium_page(javascript=False) as page:
        log_in(page, base, "reidar@example.org")
        page.goto(f"{base}/o/{ORGNR}/offers/new")
        page.get_by_role("combobox", name="Etat").select_option(label="Helsestasjon")
        page.get_by_label("Navn på tilbudet").fill("Samtalegruppe")
        page.get_by_label("Beskrivelse").fill("Samtalegruppe for ungdom.")
        page.get_by_label("Foreldrestøttende arbeid").check()
        page.get_by_label("Tilbud til alle", exact=True).check()
        page.get_by_label("Ungdom", exact=True).check()
        page.get_by_label("Laveste alder").fill("13")
        page.get_by_label("Høyeste alder").fill("18")
        page.get_by_label("Åpent for alle").check()
        page.get_by_label("Kontaktperson eller kontor").fill("Ola Nordmann")
        page.get_by_label("E-post", exact=True).fill("ola.nordmann@example.org")
        page.get_by_role("button", name="Lagre som utkast").click()
        page.get_by_text("Sjekk kontaktinformasjonen").wait_for()
        detail = page.url
        page.locator("#contact-warnings").get_by_role("link", name="E-post").click()
        warning = page.locator("#f-contact-email-warning")
        assert "ser ut som en persons egen e-postadresse" in warning.inner_text()
        edit = page.url
    with chromium_page() as page:
        log_in(page, base, "reidar@example.org")
        for url in (detail, edit):
            page.goto(url)
            page.locator("#contact-warnings").wait_for()
            assert_accessible(page)
