"""The dashboard at a large municipality's size (a page at a time, filtered and searched), and
the pages that read national search when it is not configured, refuses connections or hangs:
they say so and work. (With a real national search behind them: test_browser_national.py.)"""

from __future__ import annotations

import datetime as dt
import re
import socket
import time

import pytest
from click.testing import CliRunner

from services.cli import main
from services.registry.coordination import services as coordination
from services.registry.national.services import National
from services.registry.offers import services as offers
from tests.registry.conftest import ORG_A, World, offer_input
from tests.registry.pages import sign_in, text_of

ROWS = re.compile(r'<tr><td><a href="/o/\d+/offers/[^"]+">([^<]+)</a>')


def _offer_names(response) -> list[str]:
    html = response.get_data(as_text=True)
    listed = html.split('id="offers"')[1].split("</section>")[0]
    return ROWS.findall(listed)


def _many(db, app, world: World, count: int) -> None:
    """``count`` offers in organisation A: names numbered, levels 1, 2, 3 by turns, every
    fifth in Familiens hus, every fourth published, the first ten long past review."""
    from services.registry.accounts import services as accounts

    actor = accounts.build_actor(db, accounts.get_user_by_email(db, "a_admin@example.org"))
    actor.roles[world.orgs[ORG_A].id] = frozenset({"registrar", "publisher", "admin"})
    agencies = {world.agencies["a_health"], world.agencies["a_family"]}
    actor.agencies[world.orgs[ORG_A].id] = frozenset(
        a.id for a in world.orgs[ORG_A].agencies if a.public_id in agencies
    )
    for i in range(count):
        agency = world.agencies["a_family" if i % 5 == 0 else "a_health"]
        content = offer_input(agency, name=f"Tilbud {i:03d}", level=i % 3 + 1)
        if i < 10:
            content["last_reviewed"] = dt.date.today() - dt.timedelta(days=800)
        if i == 7:
            content["description"] = "Gruppe for barn med sorg etter tap av en forelder."
        offer = offers.create_offer(db, actor, world.orgs[ORG_A], content, "https://node.test")
        if i % 4 == 0:
            offers.submit(db, actor, offer.id)
            offers.publish(db, actor, offer.id, signer=app.extensions["nettungen.signer"])
    db.flush()


def test_the_dashboard_shows_a_page_at_a_time_filtered_and_searched(app, client, db, world):
    _many(db, app, world, 120)
    sign_in(client, db, "a_publisher")
    base = f"/o/{ORG_A}/"
    first = client.get(base)
    assert first.status_code == 200
    assert _offer_names(first) == [f"Tilbud {i:03d}" for i in range(50)]
    assert "120 tilbud passer. Side 1 av 3." in text_of(first)
    assert _offer_names(client.get(base + "?page=3")) == [
        f"Tilbud {i:03d}" for i in range(100, 120)
    ]
    assert _offer_names(client.get(base + "?level=2")) == [
        f"Tilbud {i:03d}" for i in range(1, 120, 3)
    ]
    published = client.get(base + "?status=published")
    assert _offer_names(published) == [f"Tilbud {i:03d}" for i in range(0, 120, 4)]
    family = world.agencies["a_family"]
    assert _offer_names(client.get(f"{base}?agency={family}&level=1")) == [
        f"Tilbud {i:03d}" for i in range(0, 120, 5) if i % 3 == 0
    ]
    assert _offer_names(client.get(base + "?q=SORG+forelder")) == ["Tilbud 007"]
    assert _offer_names(client.get(base + "?q=50%25")) == []  # % is a character, not a wildcard
    overdue = client.get(base + "?review_due=1")
    assert _offer_names(overdue) == [f"Tilbud {i:03d}" for i in range(10)]
    assert '<span class="number">10</span> past' not in overdue.get_data(as_text=True)
    # Values that are not among the choices are not applied; a page past the last is the last.
    odd = client.get(base + "?level=9&status=nonsense&agency=x&page=999999")
    assert odd.status_code == 200 and "Side 3 av 3." in text_of(odd)
    assert len(first.get_data()) < 120_000  # not every offer of the organisation at once


def test_the_dashboards_words_find_any_letters_case_on_every_database(app, client, db, world):
    """SQLite's own ILIKE folds only A-Z; the words are matched alike on SQLite and
    PostgreSQL (run with TEST_DATABASE_URL for the latter)."""
    from services.registry.accounts import services as accounts

    actor = accounts.build_actor(db, accounts.get_user_by_email(db, "a_admin@example.org"))
    actor.roles[world.orgs[ORG_A].id] = frozenset({"registrar"})
    agency = world.agencies["a_health"]
    actor.agencies[world.orgs[ORG_A].id] = frozenset(
        a.id for a in world.orgs[ORG_A].agencies if a.public_id == agency
    )
    for name, description in (
        ("Øvre Eiker familiesenter", "For familier."),
        ("ÅPEN BARNEHAGE", "Treff for småbarnsforeldre."),
        ("Helsestasjon", "Kurs i ÆRLIG kommunikasjon."),
        ("Ungdomsklubb", "Fredager."),
    ):
        content = offer_input(agency, name=name, description=description)
        offers.create_offer(db, actor, world.orgs[ORG_A], content, "https://node.test")
    db.flush()
    sign_in(client, db, "a_registrar")
    base = f"/o/{ORG_A}/?q="
    assert _offer_names(client.get(base + "øvre")) == ["Øvre Eiker familiesenter"]
    assert _offer_names(client.get(base + "ØVRE+eiker")) == ["Øvre Eiker familiesenter"]
    assert _offer_names(client.get(base + "åpen")) == ["ÅPEN BARNEHAGE"]
    assert _offer_names(client.get(base + "ærlig")) == ["Helsestasjon"]
    assert _offer_names(client.get(base + "SMÅBARNS")) == ["ÅPEN BARNEHAGE"]
    assert _offer_names(client.get(base + "øvre+fredager")) == []


@pytest.fixture
def published_offer(app, db, world) -> str:
    from services.registry.accounts import services as accounts

    actor = accounts.build_actor(db, accounts.get_user_by_email(db, "a_registrar@example.org"))
    offer = offers.create_offer(
        db, actor, world.orgs[ORG_A], offer_input(world.agencies["a_health"]), "https://node.test"
    )
    offers.submit(db, actor, offer.id)
    publisher = accounts.build_actor(db, accounts.get_user_by_email(db, "a_publisher@example.org"))
    offers.publish(db, publisher, offer.id, signer=app.extensions["nettungen.signer"])
    db.flush()
    return offer.id


def _workspace(db, world) -> None:
    from services.registry.accounts import services as accounts

    admin = accounts.build_actor(db, accounts.get_user_by_email(db, "a_admin@example.org"))
    coordination.start_workspace(db, admin, world.orgs[ORG_A], "Koordineringsgruppa")
    db.flush()


def test_without_national_search_configured_the_pages_say_so(client, db, world, published_offer):
    _workspace(db, world)
    sign_in(client, db, "a_admin")
    dashboard = text_of(client.get(f"/o/{ORG_A}/"))
    assert "Nasjonalt søk er ikke satt opp for denne noden (NATIONAL_SEARCH_URL)" in dashboard
    detail = text_of(client.get(f"/o/{ORG_A}/offers/{published_offer}"))
    assert "Nasjonalt søk: ikke satt opp" in detail
    assessment = client.get(f"/o/{ORG_A}/workspace/assessment")
    assert assessment.status_code == 200
    assert "Nasjonalt søk er ikke satt opp" in text_of(assessment)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("how", ["refused", "hangs"])
def test_national_search_away_or_hanging_leaves_the_pages_working(
    app, client, db, world, published_offer, monkeypatch, how
):
    _workspace(db, world)
    with socket.socket() as silent:
        if how == "hangs":  # accepts connections and never answers
            silent.bind(("127.0.0.1", 0))
            silent.listen(16)
            port = silent.getsockname()[1]
        else:
            port = _closed_port()
        national = National.create(f"http://127.0.0.1:{port}", "", 0.5)
        monkeypatch.setitem(app.extensions, "nettungen.national", national)
        sign_in(client, db, "a_admin")
        for path, expected in (
            (f"/o/{ORG_A}/", "Nasjonalt søk svarer ikke akkurat nå"),
            (f"/o/{ORG_A}/workspace/assessment", "Nasjonalt søk svarer ikke akkurat nå"),
            (f"/o/{ORG_A}/offers/{published_offer}", "Nasjonalt søk: svarer ikke akkurat nå"),
        ):
            started = time.monotonic()
            page = client.get(path)
            assert page.status_code == 200 and expected in text_of(page), path
            assert time.monotonic() - started < 4  # bounded: at most a few timeouts of 0.5 s


def test_a_new_organisation_tells_which_national_grants_it_needs(client, db, node_admin):
    created = client.post(
        "/node/organisations",
        data={
            "organisation_number": "910000306",
            "name": "Barnas Stasjon",
            "kind": "voluntary",
            "home_area": "33",
        },
        headers=node_admin,
        follow_redirects=True,
    )
    text = text_of(created)
    assert "må de nasjonale driftsansvarlige gi noden lov til å publisere" in text
    html = created.get_data(as_text=True)
    assert "nettungen search nodes grant &lt;node-id&gt; 910000306" in html
    assert "nettungen reporting nodes grant &lt;node-id&gt; 910000306" in html


def test_the_org_create_command_prints_the_grant_commands(database_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_factory())
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("NATIONAL_SEARCH_URL", f"http://127.0.0.1:{_closed_port()}")
    runner = CliRunner()
    assert runner.invoke(main, ["registry", "db", "upgrade"]).exit_code == 0
    result = runner.invoke(
        main,
        "registry org create --orgnr 910000306 --name Stasjonen --kind voluntary "
        "--home-area 33".split(),
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  nettungen search nodes grant <node-id> 910000306" in lines
    assert "  nettungen reporting nodes grant <node-id> 910000306" in lines
