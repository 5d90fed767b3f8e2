"""Property: a report as of a day counts exactly the versions in force as that day ends in
Norway, for any history of publications, revisions and withdrawals drawn at random (at
arbitrary minutes and exactly at midnights in Norway)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from tests.federation import Federation, publishing_at
from tests.properties import examples
from tests.reporting.conftest import make_reporting_app
from tests.reporting.federation import MUNICIPAL_NODE, new_history
from tests.reporting.reading import get_report, grid

OSLO = ZoneInfo("Europe/Oslo")
DAYS = 8
OFFERS = 3


def day_ends(day: dt.date) -> dt.datetime:
    """Midnight in Norway after ``day``, in UTC: written here from the definition."""
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=OSLO) + dt.timedelta(days=1)
    return dt.datetime.combine(midnight.date(), dt.time(), tzinfo=OSLO).astimezone(dt.UTC)


# An action: which offer, and its new level (None withdraws it), at a minute of the window or
# exactly as one of its days ends.
ACTIONS = st.lists(
    st.tuples(
        st.integers(0, OFFERS - 1),
        st.none() | st.integers(1, 3),
        st.integers(0, DAYS * 24 * 60 - 1).map(lambda m: ("minute", m))
        | st.integers(0, DAYS - 2).map(lambda d: ("midnight", d)),
    ),
    min_size=1,
    max_size=8,
)


def _moment(start: dt.date, when: tuple[str, int]) -> dt.datetime:
    kind, value = when
    if kind == "midnight":
        return day_ends(start + dt.timedelta(days=value))
    return dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) + dt.timedelta(minutes=value)


def expected_levels(versions: dict[int, list[tuple[dt.datetime, int | None]]], t: dt.datetime):
    """Per level, the offers whose latest version before ``t`` is not a withdrawal."""
    counts = {1: 0, 2: 0, 3: 0}
    for history in versions.values():
        before = [level for moment, level in history if moment < t]
        if before and before[-1] is not None:
            counts[before[-1]] += 1
    return counts


def test_a_report_counts_exactly_the_versions_in_force(
    node_database_factory, reporting_database_factory, tmp_path
):
    federation = Federation(node_database_factory, tmp_path)
    node = federation.node("kommune", MUNICIPAL_NODE)
    history = new_history(reporting_database_factory, federation.client())
    history.trust(node)
    app = make_reporting_app(history.url, tmp_path / "app")
    api = app.test_client()
    # Each example has its own ten days, all in the past (a report cannot be for the future).
    windows = iter(dt.date(2000, 1, 1) + dt.timedelta(days=10 * k) for k in range(900))

    @examples(15)
    @given(ACTIONS)
    def counted_as_in_force(actions) -> None:
        start = next(windows)
        timeline = sorted(
            ((_moment(start, when), offer, level) for offer, level, when in actions),
            key=lambda action: action[0],
        )
        versions: dict[int, list[tuple[dt.datetime, int | None]]] = {}
        ids: dict[int, str] = {}
        seen = len(node.events())
        with node.builder() as builder:
            for moment, offer, level in timeline:
                with publishing_at(moment):
                    _act(builder, ids, versions.setdefault(offer, []), offer, level, moment)
            # Every offer of this window ends with it, so later windows start empty.
            with publishing_at(day_ends(start + dt.timedelta(days=DAYS + 1))):
                for offer in ids:
                    if versions[offer][-1][1] is not None:
                        builder.withdraw(ids[offer])
        history.apply(node.events(after=seen), node.id)
        for offset in range(DAYS):
            day = start + dt.timedelta(days=offset)
            report = get_report(api, "pyramid", area="3301", at=day.isoformat())
            counted = {level: grid(report, "levels")[str(level)]["total"] for level in (1, 2, 3)}
            assert counted == expected_levels(versions, day_ends(day)), day

    try:
        counted_as_in_force()
    finally:
        app.extensions["nettungen.db"].engine.dispose()
        history.engine.dispose()
        federation.close()


def _act(
    builder,
    ids: dict[int, str],
    done: list[tuple[dt.datetime, int | None]],
    offer: int,
    level: int | None,
    moment: dt.datetime,
) -> None:
    """Publish, revise or withdraw ``offer`` and note it in ``done``; withdrawing an offer not
    in force does nothing (the registry would refuse it)."""
    in_force = bool(done) and done[-1][1] is not None
    if level is None:
        if in_force:
            builder.withdraw(ids[offer])
            done.append((moment, None))
        return
    if offer in ids:
        # A new name too, so that every revision changes something.
        builder.revise(ids[offer], name=f"Tilbud {offer}, {len(done)}", level=level)
    else:
        ids[offer] = builder.publish(name=f"Tilbud {offer}", level=level)
    done.append((moment, level))
