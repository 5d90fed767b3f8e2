"""Search by the day of the week and the time of day an offer is open (``open_on``,
``open_at``), at the boundaries: open at the opening minute, closed at the closing minute,
across midnight, and not by hours that have ended. Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.federation import OSLO


def weekly(
    *periods: tuple[str, str, str], valid_to: str | None = None, valid_from: str | None = None
) -> dict[str, Any]:
    return {
        "weekly": [{"day": d, "opens": o, "closes": c} for d, o, c in periods],
        "valid_from": valid_from,
        "valid_to": valid_to,
        "dates": [],
    }


@pytest.fixture
def opening(federation: Any, index: Any, index_api: Any) -> tuple[Any, dict[str, str]]:
    node = federation.node("oslo", {"oslo": OSLO})
    timetables = {
        "evening": weekly(("tue", "18:00", "20:00"), ("thu", "18:00", "20:00")),
        "night": weekly(("fri", "22:00", "02:00")),
        "ended": weekly(("tue", "17:00", "21:00"), valid_to="2020-06-30"),
        "morning": weekly(("tue", "08:00", "12:00"), valid_to="2099-12-31"),
    }
    with node.builder() as builder:
        made = {
            key: builder.publish("oslo", name=key.capitalize(), timetable=timetable)
            for key, timetable in timetables.items()
        }
        made["none"] = builder.publish("oslo", name="Uten tider")
    index.trust(node)
    reports = index.harvester().harvest_all()
    assert all(r.error is None and r.rejected == 0 for r in reports), reports
    return index_api, {key: node.public_id(offer_id) for key, offer_id in made.items()}


def _found(api: Any, ids: dict[str, str], query: str) -> set[str]:
    answer = api.get(f"/api/v1/offers?per_page=100&{query}")
    assert answer.status_code == 200, answer.get_json()
    by_id = {public_id: key for key, public_id in ids.items()}
    return {by_id[item["id"]] for item in answer.get_json()["items"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("open_on=tue&open_at=18:00", {"evening"}),  # opens exactly then
        ("open_on=tue&open_at=19:59", {"evening"}),
        ("open_on=tue&open_at=20:00", set()),  # closes exactly then: not open
        ("open_on=tue&open_at=17:59", set()),  # the ended hours 17-21 do not count
        ("open_on=thu&open_at=19:00", {"evening"}),
        ("open_on=wed&open_at=19:00", set()),
        ("open_on=fri&open_at=21:59", set()),
        ("open_on=fri&open_at=22:00", {"night"}),
        ("open_on=fri&open_at=23:59", {"night"}),
        ("open_on=sat&open_at=00:00", {"night"}),  # past midnight, the next day
        ("open_on=sat&open_at=01:59", {"night"}),
        ("open_on=sat&open_at=02:00", set()),
        ("open_on=tue&open_at=11:59", {"morning"}),  # valid until 2099
        ("open_on=tue", {"evening", "morning"}),
        ("open_on=sat", {"night"}),
        ("open_at=19:30", {"evening"}),
        ("open_at=01:00", {"night"}),
        ("", {"evening", "night", "ended", "morning", "none"}),
    ],
)
def test_open_on_a_day_at_a_time(opening: Any, query: str, expected: set[str]) -> None:
    api, ids = opening
    assert _found(api, ids, query) == expected


def test_hours_count_from_their_first_day_and_past_midnight_to_a_day_after_their_last(
    federation: Any, index: Any, index_api: Any
) -> None:
    # Found in review: hours not yet begun were found, and a Tuesday 00:00-02:00 ending
    # yesterday overwrote the Monday night's part past midnight, which holds one day longer.
    yesterday = dt.datetime.now(ZoneInfo("Europe/Oslo")).date() - dt.timedelta(days=1)
    node = federation.node("oslo", {"oslo": OSLO})
    timetables = {
        "next_term": weekly(("wed", "18:00", "20:00"), valid_from="2099-01-05"),
        "night": weekly(
            ("mon", "22:00", "02:00"), ("tue", "00:00", "02:00"), valid_to=yesterday.isoformat()
        ),
    }
    with node.builder() as builder:
        made = {
            key: builder.publish("oslo", name=key, timetable=timetable)
            for key, timetable in timetables.items()
        }
    index.trust(node)
    reports = index.harvester().harvest_all()
    assert all(r.error is None and r.rejected == 0 for r in reports), reports
    ids = {key: node.public_id(offer_id) for key, offer_id in made.items()}
    assert _found(index_api, ids, "open_on=wed&open_at=19:00") == set()
    assert _found(index_api, ids, "open_on=tue&open_at=01:00") == {"night"}
    assert _found(index_api, ids, "open_on=mon&open_at=23:00") == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("open_on=tirsdag", "open_on"),
        ("open_on=", "open_on"),
        ("open_at=24:00", "open_at"),
        ("open_at=18", "open_at"),
        ("open_at=18:00:00", "open_at"),
    ],
)
def test_a_bad_day_or_time_is_refused_naming_it(index_api: Any, query: str, field: str) -> None:
    answer = index_api.get(f"/api/v1/offers?{query}")
    assert answer.status_code == 400
    assert field in answer.get_json()["errors"]["query"]


MONDAY_NOON = dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.UTC)  # 12:00 in Oslo
FRIDAY_NIGHT = dt.datetime(2026, 12, 11, 22, 30, tzinfo=dt.UTC)  # 23:30 in Oslo


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch) -> Any:
    def set_now(moment: dt.datetime) -> None:
        monkeypatch.setattr("services.search.site.labels.utcnow", lambda: moment)

    return set_now


def test_the_offer_page_says_when_next_and_shows_the_hours_as_a_table(opening, at) -> None:
    api, ids = opening
    at(MONDAY_NOON)
    html = api.get(f"/tilbud/{ids['evening']}").get_data(as_text=True)
    assert "Stengt nå. Neste gang: tirsdag 18:00" in html
    assert '<th scope="col">Dag</th><th scope="col">Åpner</th><th scope="col">Stenger</th>' in html
    assert '<tr><th scope="row">torsdag</th><td>18:00</td><td>20:00</td></tr>' in html
    nynorsk = api.get(f"/tilbud/{ids['evening']}?lang=nn").get_data(as_text=True)
    assert "Stengt no. Neste gong: tysdag 18:00" in nynorsk
    english = api.get(f"/tilbud/{ids['evening']}?lang=en").get_data(as_text=True)
    assert "Closed now. Next: Tuesday 18:00" in english


def test_results_say_open_now_past_midnight(opening, at) -> None:
    api, ids = opening
    at(FRIDAY_NIGHT)
    page = api.get(f"/tilbud/{ids['night']}").get_data(as_text=True)
    assert '<p class="timetable-status is-open">Åpent nå</p>' in page
    results = api.get("/sok?municipality=3301").get_data(as_text=True)
    assert '<p class="timetable-status is-open">Åpent nå</p>' in results
    assert "Stengt nå. Neste gang: tirsdag 18:00" in results


def test_an_offer_without_hours_says_nothing_about_open_now(opening, at) -> None:
    api, ids = opening
    at(MONDAY_NOON)
    page = api.get(f"/tilbud/{ids['none']}").get_data(as_text=True)
    assert "timetable-status" not in page
    assert "Mandag og torsdag 14–17." in page  # the free text stays


def test_the_site_filters_by_day_and_time(opening, at) -> None:
    api, ids = opening
    at(MONDAY_NOON)
    page = api.get("/sok?municipality=3301&open_on=sat&open_at=01:30")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('<li class="result">') == 1 and ">Night</a>" in html
    assert '<option value="sat" selected>lørdag</option>' in html
    assert 'name="open_at" value="01:30"' in html
    # Each choice can be removed on its own.
    assert '</span>Åpent på: lørdag <span aria-hidden="true">' in html
    assert '</span>Åpent klokken: 01:30 <span aria-hidden="true">' in html
    empty = api.get("/sok?municipality=3301&open_on=sun&open_at=01:30").get_data(as_text=True)
    assert '<li class="result">' not in empty


def test_the_site_says_what_is_wrong_with_a_time(opening) -> None:
    api, _ids = opening
    page = api.get("/sok?municipality=3301&open_at=kveld")
    assert page.status_code == 400
    assert "Skriv klokkeslettet som timer og minutter, for eksempel 18:00." in page.get_data(
        as_text=True
    )
