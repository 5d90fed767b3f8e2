"""Dates as Norwegians read them: a report "as of 31 March" shows the offers at the end of that
day in Norway, whatever the server's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

NORWAY = ZoneInfo("Europe/Oslo")


def local_date(moment: dt.datetime) -> dt.date:
    """The date in Norway at ``moment``."""
    return moment.astimezone(NORWAY).date()


def end_of(day: dt.date) -> dt.datetime:
    """The instant ``day`` ends in Norway (the next day's midnight), in UTC.

    A version counts for ``day`` when it was published before this instant and not replaced
    until it (see :mod:`services.reporting.history.models`).
    """
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=NORWAY)
    return midnight.astimezone(dt.UTC)


def today() -> dt.date:
    return dt.datetime.now(NORWAY).date()
