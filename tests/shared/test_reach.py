"""A Norwegian mobile number as an offer's only way in (shared.reach): likely a staff member's
own phone, so the form and the quality report warn about it."""

from __future__ import annotations

from typing import Any

import pytest

from shared.reach import only_a_mobile

NOTHING = {"name": None, "email": None, "phone": None, "url": None}
PLACE = [{"name": "Familiens hus", "street_address": "Engene 1", "postal_code": "3015"}]
HOURS = {"weekly": [{"day": "tue", "opens": "18:00", "closes": "20:00"}], "dates": []}


def offer(phone: str | None, **changes: Any) -> dict[str, Any]:
    return {"contact": {**NOTHING, "phone": phone}, "locations": [], **changes}


@pytest.mark.parametrize(
    ("document", "alone"),
    [
        (offer("912 34 567"), True),
        (offer("+47 412 34 567"), True),
        (offer("004791234567"), True),
        # a stated reason does not make a phone less of someone's own
        (offer("91234567", no_contact_reason="outreach"), True),
        # beside the mobile, any other way in
        (offer("912 34 567", contact={**NOTHING, "phone": "912 34 567", "email": "p@x.no"}), False),
        (
            offer("912 34 567", contact={**NOTHING, "phone": "912 34 567", "url": "https://x.no"}),
            False,
        ),
        (offer("912 34 567", locations=PLACE, timetable=HOURS), False),
        (offer("912 34 567", locations=PLACE, schedule="Tirsdager 18–20"), False),
        # a place without hours is no way in
        (offer("912 34 567", locations=PLACE), True),
        # not a mobile: a landline, a short number, nine digits, no phone
        (offer("32 04 00 00"), False),
        (offer("116 111"), False),
        (offer("912 34 5678"), False),
        (offer(None), False),
        ({"contact": {}}, False),
    ],
)
def test_a_mobile_alone(document: dict[str, Any], alone: bool) -> None:
    assert only_a_mobile(document) is alone
