"""Public report answers are cacheable: a weak ETag made of the history's count of changes, the
address, the arguments, the language and the day in Norway the report is drawn for; a 304
that draws nothing to a client that has the answer already; ``public, max-age=60``. And a new
tag after every version recorded, every redaction, every bulk load, and at midnight in Oslo for
an answer "as of today", so no client keeps an answer the history no longer gives."""

from __future__ import annotations

import datetime as dt
import types
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from bench import bulk, national
from services.reporting import norway_time
from services.reporting.history import changes
from tests.queries import recorded_statements
from tests.reporting.conftest import make_reporting_app

PYRAMID = "/api/v1/reports/pyramid?area=3301"
PUBLIC = "public, max-age=60"
MOBILE_ONLY = {"name": "Ungdomskontakten", "email": None, "phone": "+47 912 34 567", "url": None}


def _tag(response: Any) -> str:
    """The opaque part of the answer's weak ETag."""
    header = response.headers["ETag"]
    assert header.startswith('W/"') and header.endswith('"'), header
    return str(header[3:-1])


def _again(client: Any, etag: str, address: str = PYRAMID, **headers: str) -> tuple[int, str]:
    """The status and tag of ``address`` asked with ``If-None-Match: W/"etag"``."""
    response = client.get(address, headers={"If-None-Match": f'W/"{etag}"', **headers})
    assert response.headers["Cache-Control"] == PUBLIC
    if response.status_code == 304:
        assert response.get_data() == b""
    return response.status_code, _tag(response)


def _clock_at(instant: dt.datetime) -> types.SimpleNamespace:
    """A stand-in for the ``datetime`` module whose ``datetime.now`` answers ``instant``
    (as tests/reporting/test_norway_time.py freezes it; the rest as the module has it)."""

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def,override]
            if tz is None:
                return instant.astimezone(dt.UTC).replace(tzinfo=None)
            return instant.astimezone(tz)

    return types.SimpleNamespace(
        datetime=Frozen, date=dt.date, time=dt.time, timedelta=dt.timedelta, UTC=dt.UTC
    )


@pytest.fixture
def app(history, tmp_path):  # type: ignore[no-untyped-def]
    app = make_reporting_app(history.url, tmp_path / "app")
    yield app
    app.extensions["nettungen.db"].engine.dispose()


def test_an_unchanged_history_answers_304_and_every_change_a_new_answer(history, node, app) -> None:
    client = app.test_client()
    with node.builder() as b:
        # Reached only on a mobile: its redaction changes what the quality report says.
        offer = b.publish(name="Ungdomskontakt", contact=MOBILE_ONLY, locations=[])
    history.trust(node)
    history.harvester().harvest_all()
    first = client.get(PYRAMID)
    assert first.status_code == 200 and first.headers["Cache-Control"] == PUBLIC
    assert first.get_json()["summary"]["offers"] == 1
    etag = _tag(first)
    assert _again(client, etag) == (304, etag)
    # Compared weakly (RFC 9110, 13.1.2): the strong form of the same tag matches too, and so
    # does a list holding it (with or without spaces), or "*"; another tag does not.
    for header in (f'"{etag}"', f'"other", W/"{etag}"', f'W/"x",W/"{etag}"', "*"):
        assert client.get(PYRAMID, headers={"If-None-Match": header}).status_code == 304, header
    for header in ('W/"other"', f'"{etag}x"', f'W/"{etag[:-1]}"'):
        assert client.get(PYRAMID, headers={"If-None-Match": header}).status_code == 200, header

    seen = {etag}
    for change in ("revise", "redact", "withdraw"):
        with node.builder() as b:
            if change == "revise":
                b.revise(offer, level=2)
            else:
                getattr(b, change)(offer)
        history.harvester().harvest_all()
        status, etag = _again(client, etag)
        assert status == 200 and etag not in seen, change
        seen.add(etag)
        assert _again(client, etag) == (304, etag)
    assert client.get(PYRAMID).get_json()["summary"]["offers"] == 0
    # A harvest that brings nothing changes nothing.
    history.harvester().harvest_all()
    assert _again(client, etag) == (304, etag)


def test_a_304_reads_the_count_alone_and_draws_nothing(history, node, app) -> None:
    client = app.test_client()
    with node.builder() as b:
        for name in ("Helsestasjon", "Familiesenter", "PPT"):
            b.publish(name=name)
    history.trust(node)
    history.harvester().harvest_all()
    engine = app.extensions["nettungen.db"].engine
    addresses = (
        PYRAMID,
        "/api/v1/reports/overlaps?area=3301",
        "/api/v1/reports/offers?area=3301&level=1",
        "/api/v1/reports/pyramid.xlsx?area=3301",
        "/api/v1/reports/coverage/risk_groups.csv?area=3301",
        "/pyramid?area=3301",
        "/",
    )
    for address in addresses:
        with recorded_statements(engine) as drawn:
            full = client.get(address)
        assert full.status_code == 200, address
        with recorded_statements(engine) as read:
            answer = client.get(address, headers={"If-None-Match": f'W/"{_tag(full)}"'})
        assert answer.status_code == 304, address
        # One statement: the count's row (SQLite's connections also say BEGIN, as they do for
        # every transaction). The answer took more (the report's queries).
        read = [s for s in read if not s.startswith("BEGIN")]
        assert len(read) == 1, read
        assert read[0].startswith("SELECT") and "FROM history_changes" in read[0], read
        assert len([s for s in drawn if "SELECT" in s]) > 1, address


def test_the_tag_changes_at_midnight_in_oslo_for_an_answer_as_of_today(
    fixture, api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """22:59 and 23:01 UTC on 1 March 2026 are the same day in UTC, but the second is past
    midnight in Oslo (00:01 on 2 March): a report as of today is drawn for another day."""
    before = dt.datetime(2026, 3, 1, 22, 59, tzinfo=dt.UTC)
    after = dt.datetime(2026, 3, 1, 23, 1, tzinfo=dt.UTC)
    as_of_a_day = f"{PYRAMID}&at=2026-02-15"
    tags: dict[str, list[str]] = {PYRAMID: [], as_of_a_day: []}
    for instant in (before, after):
        monkeypatch.setattr(norway_time, "dt", _clock_at(instant))
        for address, seen in tags.items():
            response = api.get(address)
            assert response.status_code == 200
            seen.append(_tag(response))
    today_before, today_after = tags[PYRAMID]
    assert today_before != today_after
    assert _again(api, today_after) == (304, today_after)
    # As of a day named, midnight changes nothing.
    assert tags[as_of_a_day][0] == tags[as_of_a_day][1]


def test_no_two_answers_share_a_tag(fixture, api) -> None:
    """Every scope, report, form, day, argument and language of its own tag, and a tag of one
    answer never makes a 304 of another."""
    addresses = [
        PYRAMID,
        "/api/v1/reports/pyramid?area=3303",
        "/api/v1/reports/pyramid?area=33",
        "/api/v1/reports/pyramid?area=NO",
        "/api/v1/reports/pyramid?organisation=910000012",
        "/api/v1/reports/pyramid?organisation=910000020",
        "/api/v1/reports/coverage?area=3301",
        "/api/v1/reports/pyramid?area=3301&at=2025-12-31",
        "/api/v1/reports/pyramid?area=3301&lang=nn",
        "/api/v1/reports/pyramid?area=3301&lang=en",
        "/api/v1/reports/trend?area=3301",
        "/api/v1/reports/trend?area=3301&months=3",
        "/api/v1/reports/overlaps?area=3301&limit=5",
        "/api/v1/reports/offers?area=3301",
        "/api/v1/reports/offers?area=3301&level=2",
        "/api/v1/reports/offers?area=3301&page=2&per_page=1",
        "/api/v1/reports/comparison?area=3301&other=3303",
        "/api/v1/reports/comparison?area=3303&other=3301",
        "/api/v1/reports/pyramid.xlsx?area=3301",
        "/api/v1/reports/pyramid/levels.csv?area=3301",
        "/api/v1/reports/pyramid/levels.csv?area=3301&separator=comma",
        "/api/v1/reports/pyramid/levels.xlsx?area=3301",
        "/pyramid?area=3301",
        "/",
    ]
    tags = {}
    for address in addresses:
        response = api.get(address)
        assert response.status_code == 200, address
        tags[address] = _tag(response)
    assert len(set(tags.values())) == len(addresses)
    for address in addresses:
        other = tags[PYRAMID if address != PYRAMID else "/pyramid?area=3301"]
        assert _again(api, other, address)[0] == 200, address
        assert _again(api, tags[address], address) == (304, tags[address]), address


def test_the_language_a_browser_chose_varies_the_answer(fixture, api) -> None:
    """Without ?lang= the cookie or Accept-Language chose the language: the answer says so in
    Vary, and each language has its own tag. With ?lang= neither header chooses anything."""
    plain = api.get(PYRAMID)
    english = api.get(PYRAMID, headers={"Accept-Language": "en"})
    browser = fixture.app.test_client()
    browser.set_cookie("lang", "nn")
    nynorsk = browser.get(PYRAMID)
    tables = [r.get_json()["tables"][0]["title"] for r in (plain, english, nynorsk)]
    assert tables == [
        "Tilbud per nivå og type tilbyder",
        "Offers per level and kind of provider",
        "Tilbod per nivå og type tilbydar",
    ]
    assert len({_tag(plain), _tag(english), _tag(nynorsk)}) == 3
    for response in (plain, english, nynorsk):
        assert set(response.vary) == {"Accept-Language", "Cookie"}
    named = api.get(f"{PYRAMID}&lang=en", headers={"Accept-Language": "nb"})
    assert _tag(named) == _tag(api.get(f"{PYRAMID}&lang=en"))
    assert "Vary" not in named.headers or not set(named.vary) & {"Accept-Language", "Cookie"}
    # The same answer named by ?lang= or by the header is the same answer.
    assert _tag(named) == _tag(english)
    status, _ = _again(api, _tag(english), PYRAMID, **{"Accept-Language": "en"})
    assert status == 304
    response = api.get(PYRAMID, headers={"If-None-Match": f'W/"{_tag(english)}"'})
    assert response.status_code == 200 and set(response.vary) == {"Accept-Language", "Cookie"}


def test_a_page_that_sets_a_cookie_is_never_shared(fixture, api) -> None:
    """A page asked with ?lang= remembers the language in a cookie: that answer is this
    browser's own (private), and a shared cache never keeps it; the next page, with the
    cookie, is public again."""
    first = api.get("/pyramid?area=3301&lang=en")
    assert "lang=en" in first.headers["Set-Cookie"]
    assert "private" in first.headers["Cache-Control"]
    assert "public" not in first.headers["Cache-Control"]
    again = api.get("/pyramid?area=3301&lang=en")  # the test client kept the cookie
    assert "Set-Cookie" not in again.headers
    assert again.headers["Cache-Control"] == PUBLIC


def test_a_bad_request_is_a_4xx_without_a_tag_even_with_a_matching_one(fixture, api) -> None:
    etag = _tag(api.get(PYRAMID))
    for address in (
        f"{PYRAMID}&x=1",
        "/api/v1/reports/pyramid?area=9999",
        "/api/v1/reports/pyramid?area=3301&at=2999-01-01",
        "/api/v1/reports/pyramid?organisation=987654325",
        "/api/v1/reports/pyramid/nothing.csv?area=3301",
        "/pyramid?area=9999",
    ):
        response = api.get(address, headers={"If-None-Match": f'W/"{etag}"'})
        assert 400 <= response.status_code < 500, address
        assert "ETag" not in response.headers, address
        assert "public" not in response.headers.get("Cache-Control", ""), address


def test_a_star_matches_only_an_answer_there_is(fixture, api) -> None:
    """``If-None-Match: *`` matches any current answer (RFC 9110, 13.1.2): a 304 where there is
    one, and the 404 where there is none (no such table, an organisation without offers)."""
    star = {"If-None-Match": "*"}
    for address in (PYRAMID, "/api/v1/reports/pyramid/levels.csv?area=3301", "/pyramid?area=3301"):
        assert api.get(address, headers=star).status_code == 304, address
    for address in (
        "/api/v1/reports/pyramid/nothing.csv?area=3301",
        "/api/v1/reports/pyramid?organisation=987654325",
        "/pyramid?organisation=987654325",
    ):
        response = api.get(address, headers=star)
        assert response.status_code == 404, address
        assert "ETag" not in response.headers, address


def test_a_bulk_load_names_its_answers_anew(history, app) -> None:
    client = app.test_client()
    etag = _tag(client.get(PYRAMID))
    offers = national.published_events(national.generate(30, seed=3))
    assert bulk.load(offers, None, history.engine) == 30
    status, after = _again(client, etag)
    assert status == 200 and after != etag
    # A new epoch: the tag's first part (the count alone could come round again).
    assert after.split("-")[0] != etag.split("-")[0]
    with Session(history.engine) as session:
        assert after.split("-")[:2] == [str(part) for part in changes.COUNT.current(session)]
    assert _again(client, after) == (304, after)


def test_every_upgrade_starts_a_new_epoch(database_factory) -> None:
    """A database made by the migrations starts its count at 0 in a random epoch; the
    upgrade that follows every restore gives it a new epoch, so the answers' ETags do not
    come round again."""
    from services.reporting import db as reporting_db
    from shared.db import create_engine

    url = database_factory()
    reporting_db.upgrade(url)
    engine = create_engine(url)

    def count() -> tuple[str, int]:
        with engine.connect() as conn:
            epoch, made = conn.execute(text("SELECT epoch, changes FROM history_changes")).one()
        return epoch, made

    try:
        made = count()
        assert made[1] == 0 and len(made[0]) == 16
        reporting_db.upgrade(url)  # at the newest revision already: only the epoch is new
        again = count()
        assert again[1] == 0 and again[0] != made[0]
    finally:
        engine.dispose()


class _Refused(Exception):
    pass


def test_a_savepoint_rolled_back_takes_its_change_back(history) -> None:
    """A batch applied event by event puts each event in a savepoint; one refused is rolled
    back with its writes, and must not count a change the history never saw (the hostile
    input test's bus batch counted one before)."""
    count = changes.COUNT

    def current() -> int:
        with Session(history.engine) as session:
            return count.current(session)[1]

    def rolled_back(session: Session, mark: bool = True) -> None:
        with pytest.raises(_Refused), session.begin_nested():
            if mark:
                count.mark_changed(session)
            raise _Refused

    start = current()
    with history.sessions.begin() as session:  # marked only in a savepoint rolled back
        rolled_back(session)
    assert current() == start
    with history.sessions.begin() as session:  # marked outside it too
        count.mark_changed(session)
        rolled_back(session)
    assert current() == start + 1
    with history.sessions.begin() as session:  # marked in a savepoint released
        with session.begin_nested():
            count.mark_changed(session)
        rolled_back(session, mark=False)
    assert current() == start + 2
    with history.sessions.begin() as session:  # inside a savepoint released in one rolled back
        with pytest.raises(_Refused), session.begin_nested():
            with session.begin_nested():
                count.mark_changed(session)
            raise _Refused
    assert current() == start + 2
