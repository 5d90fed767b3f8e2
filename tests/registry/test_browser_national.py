"""The internal app with national search behind it, in Debian's Chromium: the demo federation's
three nodes (with the demo data), a real national search that harvested them, served over
HTTP, and the registries of Drammen's node and of the hosted node reading it
(``NATIONAL_SEARCH_URL``).

* Drammen's dashboard and assessment list the county's, Bufetat's and the voluntary
  organisations' offers that cover Drammen, beside Drammen's own;
* a new member organisation on the hosted node publishes before the national grant: its
  registry says "refused: ..." with national search's reason, and "received" after the grant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import sessionmaker

from services.registry.accounts import services as accounts
from services.registry.accounts.permissions import Actor
from services.registry.demo import DEMO_PASSWORD, NODE_ADMINS, NODES, load_demo_data
from services.registry.offers import services as offers
from services.registry.organisations import services as organisations
from shared.db import create_engine
from shared.ingest import directory
from shared.publication.keys import Signer
from tests import federation as fed
from tests.browser import assert_accessible, chromium_page, require_browser, serve
from tests.conftest import TEST_PASSPHRASE
from tests.federation import Federation, national_app
from tests.registry.browser_login import second_step
from tests.registry.conftest import offer_input
from tests.search.federation import SearchIndex

NEW_ORG = "910000306"
NEW_ORG_NAME = "Barnas Stasjon Numedal"
NEW_PERSON = "koordinator@barnasstasjon.example.org"
# Offers of other providers that cover Drammen (services/registry/demo).
COUNTY_OFFER = "Den offentlige tannhelsetjenesten for barn og unge"
BUFETAT_OFFER = "Familievernet: samlivskurs, terapi og mekling"
VOLUNTARY_OFFERS = ("Leksehjelp og fellesskap", "Sorggruppe for barn og unge")
STATE_OFFER = "Foreldrehverdag: veiledning på nett"
# A neighbour's offer that does not cover Drammen.
NUMEDAL_ONLY = "Helsestasjon og skolehelsetjeneste i Flesberg"


def _demo_node(federation: Federation, name: str) -> fed.TestNode:
    members = {
        spec["organisation_number"]: (
            spec["organisation_number"],
            spec["name"],
            spec["kind"],
            spec["home_area"],
        )
        for spec in NODES[name].organisations
    }
    node = federation.node(name, members)
    with sessionmaker(node.engine, expire_on_commit=False).begin() as session:
        load_demo_data(session, Actor.operator(), node.base_url, Signer(TEST_PASSPHRASE), name)
    return node


def _registry(node: fed.TestNode, search_url: str, tmp: Any) -> Any:
    from services.registry import create_app

    return create_app(
        {
            "DATABASE_URL": node.engine.url.render_as_string(hide_password=False),
            "INSTANCE_PATH": str(tmp),
            "SECRET_KEY": "browser-national-secret",
            "SIGNING_KEY_PASSPHRASE": TEST_PASSPHRASE,
            "NODE_BASE_URL": node.base_url,
            "SESSION_COOKIE_SECURE": False,
            "NATIONAL_SEARCH_URL": search_url,
            "NATIONAL_REPORTING_URL": "https://rapporter.test",
        }
    )


@pytest.fixture(scope="module")
def country(database_factory, node_database_factory, tmp_path_factory) -> Iterator[dict[str, Any]]:
    require_browser()
    from services.search import create_app as create_search
    from services.search import db as search_db
    from services.search.index.sink import SearchSink

    federation = Federation(node_database_factory, tmp_path_factory.mktemp("country"))
    nodes = {name: _demo_node(federation, name) for name in NODES}
    url = database_factory()
    search_db.upgrade(url)
    index = SearchIndex(
        url, create_engine(url, sqlite_begin="IMMEDIATE"), federation.client(), SearchSink
    )
    index.trust_and_harvest(federation)
    search = national_app(create_search, url, tmp_path_factory.mktemp("search"), "https://sok.test")
    with serve(search) as search_url:
        registries = {
            name: _registry(nodes[name], search_url, tmp_path_factory.mktemp(name))
            for name in ("drammen", "numedal")
        }
        with serve(registries["drammen"]) as drammen, serve(registries["numedal"]) as numedal:
            yield {
                "index": index,
                "nodes": nodes,
                "search": search_url,
                "drammen": drammen,
                "numedal": numedal,
            }
    for app in (search, *registries.values()):
        app.extensions["nettungen.db"].engine.dispose()
    index.engine.dispose()
    federation.close()


def log_in(page: Any, base: str, email: str, lands_on: str = r"/o/\d{9}/") -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    second_step(page, base, email)  # a node administrator sets up or gives a second factor
    page.wait_for_url(re.compile(lands_on))


def _others(page: Any) -> str:
    return page.locator("section", has=page.locator("#others")).inner_text()


def test_drammens_dashboard_and_assessment_show_every_provider_that_covers_drammen(country):
    with chromium_page() as page:
        log_in(page, country["drammen"], "admin@drammen.example.org")
        page.goto(f"{country['drammen']}/o/910000012/?show=all")
        others = _others(page)
        for name in (COUNTY_OFFER, BUFETAT_OFFER, STATE_OFFER, *VOLUNTARY_OFFERS):
            assert name in others
        for provider in (
            "Buskerud fylkeskommune",
            "Bufetat, region sør",
            "Foreningen Trygg Oppvekst Buskerud",
        ):
            assert provider in others
        assert NUMEDAL_ONLY not in others  # Flesberg's health centre does not cover Drammen
        assert "Helsestasjon 0–5 år" not in others  # Drammen's own stays in its own list
        assert "https://rapporter.test/pyramid?area=3301" in page.content()
        assert_accessible(page)
        for name, national in (
            ("Skolehelsetjenesten", "mottatt nasjonalt (versjon 2)"),
            ("Sorggruppe for barn", "trukket tilbake nasjonalt (versjon 2)"),
        ):
            row = page.locator("tr", has=page.get_by_role("link", name=name, exact=True))
            assert row.locator("td").last.inner_text() == national

        page.goto(f"{country['drammen']}/o/910000012/workspace/assessment")
        whole = page.locator("section.whole-area")
        text = whole.text_content() or ""
        for name in (COUNTY_OFFER, BUFETAT_OFFER, *VOLUNTARY_OFFERS):
            assert name in text
        header = whole.locator("table.pyramid thead").inner_text()
        assert header.split("\t")[1:6] == [
            "Deres egne",
            "Fylke",
            "Region",
            "Stat",
            "Frittstående organisasjon",
        ]
        assert_accessible(page)


def test_the_dashboard_pages_and_filters_without_javascript(country):
    with chromium_page(javascript=False) as page:
        log_in(page, country["drammen"], "admin@drammen.example.org")
        page.goto(f"{country['drammen']}/o/910000012/?show=all")
        page.get_by_label("Ord i navnet eller beskrivelsen").fill("pmto")
        page.get_by_label("Nivå").select_option("3")
        page.get_by_role("button", name="Vis", exact=True).click()
        page.wait_for_url(re.compile(r"q=pmto"))
        rows = page.locator("section:has(#offers) table tbody tr")
        assert [row.locator("td").first.inner_text() for row in rows.all()] == [
            "PMTO – foreldretrening"
        ]
        assert page.locator("section:has(#offers) [role=status]").inner_text() == (
            "1 tilbud passer."
        )


def _new_member_publishes(engine: Any, base_url: str) -> str:
    """The new organisation's coordinator, and one offer published (before any grant)."""
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        operator = Actor.operator()
        org = organisations.get_organisation(session, operator, NEW_ORG)
        agency = organisations.create_agency(session, operator, org, "Familiearbeid", None)
        accounts.add_member(
            session,
            operator,
            org,
            email=NEW_PERSON,
            name="Kari Koordinator",
            roles=("admin", "registrar", "publisher"),
            agencies=[agency.public_id],
            password=DEMO_PASSWORD,
        )
        session.flush()
        kari = accounts.build_actor(session, accounts.get_user_by_email(session, NEW_PERSON))
        offer = offers.create_offer(
            session,
            kari,
            org,
            offer_input(agency.public_id, name="Familiekafé i Numedal"),
            base_url,
        )
        offers.submit(session, kari, offer.id)
        offers.publish(session, kari, offer.id, signer=Signer(TEST_PASSPHRASE))
        return offer.id


def _national_status(country: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.get(f"{country['search']}/api/v1/status/nodes/numedal", timeout=10)
    assert answer.status_code == 200
    status: dict[str, Any] = answer.json()
    print(json.dumps(status, indent=2, ensure_ascii=False))  # noqa: T201 - for the record
    return status


def test_a_new_organisation_sees_its_refusal_and_then_that_it_was_received(country):
    node, index, base = country["nodes"]["numedal"], country["index"], country["numedal"]
    with chromium_page() as page:
        log_in(page, base, NODE_ADMINS["numedal"][0], lands_on=r"/")
        page.goto(f"{base}/node/organisations")
        page.get_by_label("Organisasjonsnummer").fill(NEW_ORG)
        page.get_by_label("Navn").fill(NEW_ORG_NAME)
        page.get_by_label("Type organisasjon").select_option("voluntary")
        page.get_by_label("Hjemområde").fill("33")
        page.get_by_role("button", name=re.compile("Legg til")).click()
        page.wait_for_url(re.compile(rf"/node/organisations/{NEW_ORG}"))
        grants = page.locator("#national-grants ~ pre, section:has(#national-grants) pre")
        assert grants.first.inner_text().split("\n")[:2] == [
            f"nettungen search nodes grant numedal {NEW_ORG}",
            f"nettungen reporting nodes grant numedal {NEW_ORG}",
        ]
        assert_accessible(page)
        page.get_by_role("button", name="Logg ut").click()

        offer_id = _new_member_publishes(node.engine, node.base_url)
        index.harvester().harvest_all()
        refused = _national_status(country)
        assert refused["refusals"]["open"] >= 1
        log_in(page, base, NEW_PERSON)
        page.goto(f"{base}/o/{NEW_ORG}/")
        notice = page.locator("section:has(#national-refused)").inner_text()
        assert "Familiekafé i Numedal" in notice
        assert (
            f"avvist: node 'numedal' may not publish for organisation {NEW_ORG} "
            "(not in its directory entry)" in notice
        )
        assert f"nettungen search nodes grant numedal {NEW_ORG}" in page.content()
        assert_accessible(page)
        page.goto(f"{base}/o/{NEW_ORG}/offers/{offer_id}")
        assert "avvist: node 'numedal'" in page.locator("#national-status").inner_text()

        with index.sessions.begin() as session:  # the national operator's `nodes grant`
            directory.grant(session, "numedal", [NEW_ORG])
        index.harvester().harvest_all()
        received = _national_status(country)
        assert received["refusals"]["open"] == 0
        assert NEW_ORG in [o["organisation_number"] for o in received["organisations"]]
        page.reload()
        assert (
            page.locator("#national-status").inner_text()
            == "Nasjonalt søk: mottatt nasjonalt (versjon 1)"
        )
        page.goto(f"{base}/o/{NEW_ORG}/")
        assert page.locator("#national-refused").count() == 0
        assert page.locator("#national-grant").count() == 0
        row = page.locator("tr", has=page.get_by_role("link", name="Familiekafé i Numedal"))
        assert "mottatt nasjonalt (versjon 1)" in row.inner_text()


def test_the_national_status_pages_pass_axe_without_script(country):
    with chromium_page(javascript=False) as page:
        page.goto(f"{country['search']}/status/nodes?lang=nn")
        assert page.get_by_role("heading", level=1).inner_text() == "Status for nodane"
        page.get_by_role("link", name="fylke-stat", exact=False).first.click()
        assert "Nøklar i bruk" in page.locator("main").inner_text()
    with chromium_page() as page:
        for lang in ("nb", "nn", "en"):
            page.goto(f"{country['search']}/status/nodes?lang={lang}")
            assert_accessible(page)
            page.goto(f"{country['search']}/status/nodes/numedal?lang={lang}")
            assert_accessible(page)
