"""The node directory (shared.ingest.directory) at its edges: the operator's input refused by
code and field, the longest node id and name, the most keys, what a verifier holds of an entry,
how long the cache keeps it, and which changes read a node's feed again.

Every expectation is written by hand from docs/operations.md and the message catalogue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

import shared.ingest.directory as directory_module
from shared.errors import Conflict, InvalidInput, NotFound
from shared.ingest import directory
from shared.ingest.directory import DirectoryCache, load_directory
from shared.ingest.models import FederationNodeKey, HarvestCursor, IngestedOffer
from shared.signing import VerificationKey, generate_private_key, key_id, public_bytes

DRAMMEN, COUNTY, KONGSBERG = "910000012", "910000020", "910000055"
URL = "https://kommune.node.test"


def new_key(last_sequence: int | None = None) -> VerificationKey:
    public = public_bytes(generate_private_key())
    return VerificationKey(key_id(public), public, last_sequence)


@pytest.fixture
def sessions(index):
    return index.sessions


def add(session, **changes: Any):
    params: dict[str, Any] = {
        "node_id": "kommune",
        "name": "Drammen",
        "url": URL,
        "keys": [new_key()],
        "organisations": [DRAMMEN],
        **changes,
    }
    return directory.add_node(session, **params)


def refused(kind: type[Exception], call: Any) -> Exception:
    with pytest.raises(kind) as caught:
        call()
    return caught.value


def field_codes(error: Any) -> dict[str, list[str]]:
    return {name: [m.code for m in messages] for name, messages in error.errors.items()}


# --- adding a node --------------------------------------------------------------------------


@pytest.mark.parametrize("node_id", ["a", "0", "a" + "b" * 62, "k-1", "kommune-3301"])
def test_node_ids_of_one_to_63_lower_case_letters_digits_and_hyphens(sessions, node_id):
    with sessions.begin() as session:
        assert add(session, node_id=node_id).id == node_id


@pytest.mark.parametrize("node_id", ["", "a" + "b" * 63, "-a", "Kommune", "a_b", "a b", "a\n", "ø"])
def test_other_node_ids_are_refused(sessions, node_id):
    with sessions.begin() as session:
        error = refused(InvalidInput, lambda: add(session, node_id=node_id))
    assert error.code == "node.invalid_id"
    assert field_codes(error) == {"id": ["node.id_form"]}


def test_a_new_nodes_entry(sessions):
    first, retired = new_key(), new_key(last_sequence=41)
    with sessions.begin() as session:
        node = add(
            session,
            name="  Drammen kommune  ",
            url=URL + "/",
            keys=[first, retired],
            organisations=[KONGSBERG, DRAMMEN, KONGSBERG],
        )
    with sessions() as session:
        node = directory.get_node(session, "kommune")
        assert (node.name, node.base_url, node.transport, node.enabled) == (
            "Drammen kommune",
            URL,
            "both",
            True,
        )
        assert node.created_at == node.updated_at == node.keys_fetched_at
        assert sorted(o.organisation_number for o in node.organisations) == [DRAMMEN, KONGSBERG]
        assert len(node.organisations) == 2
        rows = {k.key_id: k for k in node.keys}
        assert set(rows) == {first.key_id, retired.key_id}
        for key in (first, retired):
            row = rows[key.key_id]
            assert (row.state, row.trusted_by, row.last_sequence) == (
                "trusted",
                "nodes add",
                key.last_sequence,
            )
            assert row.first_seen_at == row.trusted_at == node.created_at
        held = load_directory(session).get("kommune")
    assert held is not None
    assert held.keys == {first.key_id: first, retired.key_id: retired}
    assert held.organisations == frozenset({DRAMMEN, KONGSBERG})
    assert held.admitted_at == node.created_at
    assert held.canonical == {}


@pytest.mark.parametrize(
    ("changes", "code", "fields"),
    [
        ({"name": "   "}, "node.invalid_name", {"name": ["node.name_required"]}),
        ({"keys": []}, "node.no_keys", {"keys": ["node.key_required"]}),
        (
            {"url": "ftp://kommune.node.test"},
            "node.invalid_base_url",
            {"base_url": ["node.base_url_form"]},
        ),
        (
            {"transport": "pigeon"},
            "node.invalid_transport",
            {"transport": ["node.transport_one_of"]},
        ),
        (
            {"organisations": [DRAMMEN, "910000013", "12345"]},
            "node.invalid_organisations",
            {"organisations": ["orgnr.invalid_in_list", "orgnr.invalid_in_list"]},
        ),
    ],
)
def test_bad_entries_are_refused_by_code_and_field(sessions, changes, code, fields):
    with sessions.begin() as session:
        error = refused(InvalidInput, lambda: add(session, **changes))
        assert (error.code, field_codes(error)) == (code, fields)
        assert directory.list_nodes(session) == []


def test_the_refusals_name_what_was_wrong(sessions):
    with sessions.begin() as session:
        transport = refused(InvalidInput, lambda: add(session, transport="pigeon"))
        numbers = refused(InvalidInput, lambda: add(session, organisations=["910000013"]))
    assert transport.errors["transport"][0] == "One of bus, feed, both."
    [problem] = numbers.errors["organisations"]
    assert problem.params["number"] == "910000013"
    assert problem.params["reason"].code == "orgnr.bad_check_digit"


def test_a_node_has_at_most_64_keys(sessions):
    with sessions.begin() as session:
        assert len(add(session, keys=[new_key() for _ in range(64)]).keys) == 64
        error = refused(
            InvalidInput,
            lambda: add(
                session,
                node_id="fylke",
                url="https://fylke.node.test",
                keys=[new_key() for _ in range(65)],
            ),
        )
    assert error.code == "node.too_many_keys_given"
    [message] = error.errors["keys"]
    assert (message.code, message.params) == ("node.too_many_keys", {"largest": 64})


def test_a_node_id_or_base_url_is_taken_once(sessions):
    with sessions.begin() as session:
        add(session)
        taken = refused(Conflict, lambda: add(session, url="https://other.node.test"))
        assert (taken.code, taken.params) == ("node.id_taken", {"id": "kommune"})
        # The same base URL (a trailing slash is no other URL) under another id.
        url = refused(Conflict, lambda: add(session, node_id="other", url=URL + "/"))
        assert (url.code, url.params) == ("node.url_taken", {"url": URL})


def test_an_unknown_node_is_not_found_by_id(sessions):
    with sessions() as session:
        for call in (
            lambda: directory.get_node(session, "nowhere"),
            lambda: directory.update_node(session, "nowhere", name="x"),
            lambda: directory.grant(session, "nowhere", [DRAMMEN]),
            lambda: directory.reharvest(session, "nowhere"),
            lambda: directory.revoke(session, "nowhere", [DRAMMEN]),
            lambda: directory.remove_node(session, "nowhere"),
        ):
            error = refused(NotFound, call)
            assert (error.code, error.params) == ("node.not_found", {"id": "nowhere"})


# --- what a verifier holds ------------------------------------------------------------------


def test_only_trusted_keys_verify_and_only_named_organisations_are_canonical(sessions):
    trusted = new_key()
    with sessions.begin() as session:
        node = add(session, organisations=[DRAMMEN, KONGSBERG])
        node.keys.append(
            FederationNodeKey(
                key_id="pending-key",
                public_key="AAAA",
                state="pending",
                first_seen_at=node.created_at,
            )
        )
        node.keys[0].key_id, node.keys[0].public_key = (
            trusted.key_id,
            directory.b64url(trusted.public),
        )
        directory.name_organisation(session, "kommune", DRAMMEN, "Drammen kommune", "municipality")
    with sessions() as session:
        held = load_directory(session).get("kommune")
    assert held is not None
    assert list(held.keys) == [trusted.key_id]
    assert held.canonical == {DRAMMEN: {"name": "Drammen kommune", "kind": "municipality"}}
    provider = {"organisation_number": DRAMMEN, "name": "Drammen", "kind": "voluntary", "x": 1}
    assert held.provider(provider) == {
        "organisation_number": DRAMMEN,
        "name": "Drammen kommune",
        "kind": "municipality",
        "x": 1,
    }
    other = {"organisation_number": KONGSBERG, "name": "Kongsberg", "kind": "municipality"}
    assert held.provider(other) == other


@pytest.mark.parametrize(
    ("transport", "enabled", "harvested"),
    [("both", True, True), ("feed", True, True), ("bus", True, False), ("both", False, False)],
)
def test_a_node_is_harvested_when_enabled_and_reached_by_its_feed(
    sessions, transport, enabled, harvested
):
    with sessions.begin() as session:
        add(session, transport=transport)
        directory.update_node(session, "kommune", enabled=enabled)
    with sessions() as session:
        loaded = load_directory(session)
    assert [n.id for n in loaded.harvested()] == (["kommune"] if harvested else [])
    assert loaded.by_source(URL) is loaded.get("kommune")
    assert loaded.by_source(URL + "/") is None


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def monotonic(self) -> float:
        return self.now


def test_the_cache_keeps_the_directory_for_its_ttl(sessions, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(directory_module, "time", clock)
    cache = DirectoryCache(sessions)  # two seconds by default
    first = cache.current()
    assert first.get("kommune") is None
    with sessions.begin() as session:
        add(session)
    clock.now += 2
    assert cache.current() is first
    clock.now += 0.5
    second = cache.current()
    assert second.get("kommune") is not None
    with sessions.begin() as session:
        directory.update_node(session, "kommune", name="Nytt navn")
    assert cache.current() is second
    cache.invalidate()
    assert cache.current().get("kommune").name == "Nytt navn"


# --- changes --------------------------------------------------------------------------------


def cursor(sessions) -> tuple[int, str | None]:
    with sessions() as session:
        row = session.get(HarvestCursor, "kommune")
        return (row.last_sequence, row.root_etag)


@pytest.fixture
def harvested(sessions):
    """A node whose feed was read to sequence 17."""
    with sessions.begin() as session:
        add(session)
        session.add(HarvestCursor(node_id="kommune", last_sequence=17, root_etag='"e17"'))
    return sessions


def test_enabling_a_disabled_node_reads_its_feed_again(harvested):
    with harvested.begin() as session:
        before = directory.get_node(session, "kommune").updated_at
        node = directory.update_node(session, "kommune", enabled=True)
        assert node.enabled is True
        assert node.updated_at > before
    assert cursor(harvested) == (17, '"e17"')  # enabled already: nothing read again
    with harvested.begin() as session:
        directory.update_node(session, "kommune", enabled=False)
    assert cursor(harvested) == (17, '"e17"')
    with harvested.begin() as session:
        assert directory.update_node(session, "kommune", enabled=True).enabled is True
    assert cursor(harvested) == (0, None)


def test_a_node_is_renamed_and_its_transport_changed(harvested):
    with harvested.begin() as session:
        node = directory.update_node(session, "kommune", name="  ", transport="bus")
        assert (node.name, node.transport) == ("Drammen", "bus")
        node = directory.update_node(session, "kommune", name="  Drammen kommune ")
        assert (node.name, node.transport) == ("Drammen kommune", "bus")
        error = refused(
            InvalidInput, lambda: directory.update_node(session, "kommune", transport="mail")
        )
        assert error.code == "node.invalid_transport"
    assert cursor(harvested) == (17, '"e17"')


def test_granting_reads_the_feed_again_only_for_a_new_organisation(harvested):
    with harvested.begin() as session:
        directory.grant(session, "kommune", [DRAMMEN])
    assert cursor(harvested) == (17, '"e17"')
    with harvested.begin() as session:
        node = directory.grant(session, "kommune", [COUNTY, DRAMMEN])
        assert sorted(o.organisation_number for o in node.organisations) == [DRAMMEN, COUNTY]
    assert cursor(harvested) == (0, None)


def test_revoking_leaves_the_other_organisations(harvested):
    with harvested.begin() as session:
        directory.grant(session, "kommune", [COUNTY, KONGSBERG])
        node = directory.revoke(session, "kommune", [COUNTY, KONGSBERG])
        assert [o.organisation_number for o in node.organisations] == [DRAMMEN]
        error = refused(InvalidInput, lambda: directory.revoke(session, "kommune", ["1"]))
        assert error.code == "node.invalid_organisations"


@pytest.mark.parametrize("length", [1, 200])
def test_an_organisations_name_is_one_to_200_characters(harvested, length):
    with harvested.begin() as session:
        held = directory.name_organisation(session, "kommune", DRAMMEN, "x" * length, "county")
        assert (held.name, held.kind) == ("x" * length, "county")


@pytest.mark.parametrize(
    ("number", "name", "kind", "error", "code"),
    [
        (DRAMMEN, "x" * 201, "municipality", InvalidInput, "node.invalid_name"),
        (DRAMMEN, "   ", "municipality", InvalidInput, "node.invalid_name"),
        (DRAMMEN, "Drammen", "town", InvalidInput, "node.invalid_organisation_kind"),
        ("910000013", "Drammen", "municipality", InvalidInput, "node.invalid_organisations"),
        (KONGSBERG, "Kongsberg", "municipality", NotFound, "node.organisation_not_granted"),
    ],
)
def test_naming_an_organisation_is_refused_by_reason(harvested, number, name, kind, error, code):
    with harvested.begin() as session:
        caught = refused(
            error, lambda: directory.name_organisation(session, "kommune", number, name, kind)
        )
    assert caught.code == code


def test_naming_an_organisation_strips_the_name_and_lists_the_kinds(harvested):
    with harvested.begin() as session:
        held = directory.name_organisation(session, "kommune", DRAMMEN, " Drammen ", "state")
        assert held.name == "Drammen"
        caught = refused(
            InvalidInput,
            lambda: directory.name_organisation(session, "kommune", DRAMMEN, "D", "town"),
        )
    [message] = caught.errors["kind"]
    assert message.params["vocabulary"] == "organisation-kind"
    assert message.params["choices"] == "municipality, county, region, state, voluntary"


def test_a_node_with_applied_offers_is_not_removed(harvested):
    with harvested.begin() as session:
        session.add(
            IngestedOffer(
                offer_uri=f"{URL}/offers/1",
                node_id="kommune",
                version=1,
                withdrawn=False,
                event_id="0b7e3a52-52a4-4e8b-9f61-3c1e0f6d2a10",
                sequence=1,
                applied_at=dt.datetime(2026, 12, 7, tzinfo=dt.UTC),
            )
        )
    with harvested.begin() as session:
        error = refused(Conflict, lambda: directory.remove_node(session, "kommune"))
        assert (error.code, error.params) == ("node.has_applied_offers", {"id": "kommune"})
    with harvested.begin() as session:
        session.execute(IngestedOffer.__table__.delete())
        directory.remove_node(session, "kommune")
    with harvested() as session:
        assert directory.list_nodes(session) == []
        assert session.scalars(select(HarvestCursor)).all() == []


def test_naming_an_organisation_says_which_field_and_which_organisation(harvested):
    with harvested.begin() as session:
        blank = refused(
            InvalidInput,
            lambda: directory.name_organisation(session, "kommune", DRAMMEN, " ", "county"),
        )
        ungranted = refused(
            NotFound,
            lambda: directory.name_organisation(session, "kommune", KONGSBERG, "K", "county"),
        )
    assert field_codes(blank) == {"name": ["node.name_required"]}
    assert ungranted.params == {"id": "kommune", "number": KONGSBERG}


def test_nodes_are_listed_by_id(sessions):
    with sessions.begin() as session:
        for node_id in ("fylke", "b-kommune", "oslo", "a-kommune"):
            add(session, node_id=node_id, url=f"https://{node_id}.node.test")
    with sessions() as session:
        listed = [node.id for node in directory.list_nodes(session)]
        loaded = list(load_directory(session).nodes)
    assert listed == loaded == ["a-kommune", "b-kommune", "fylke", "oslo"]


def test_the_cache_works_whatever_the_clocks_reference_point(sessions, monkeypatch):
    """time.monotonic's reference point is undefined: the first read does not depend on it."""
    clock = Clock()
    clock.now = 0.0
    monkeypatch.setattr(directory_module, "time", clock)
    with sessions.begin() as session:
        add(session)
    cache = DirectoryCache(sessions)
    assert cache.current().get("kommune").name == "Drammen"


@pytest.mark.parametrize("url", ["http://127.0.0.1:8011", "http://localhost:8011"])
def test_plain_http_only_on_this_machine_and_only_when_asked(sessions, url):
    """docs/operations.md: the directory takes https:// only; the demo and tests ask for
    http:// on a loopback address."""
    with sessions.begin() as session:
        error = refused(InvalidInput, lambda: add(session, url=url))
        assert (error.code, field_codes(error)) == (
            "node.invalid_base_url",
            {"base_url": ["node.base_url_https"]},
        )
        assert add(session, url=url, allow_http_loopback=True).base_url == url
        elsewhere = refused(
            InvalidInput,
            lambda: add(
                session, node_id="other", url="http://kommune.example", allow_http_loopback=True
            ),
        )
        assert field_codes(elsewhere) == {"base_url": ["node.base_url_https"]}
