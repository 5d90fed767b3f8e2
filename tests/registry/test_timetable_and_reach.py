"""An offer's timetable and its way to get in touch, over the registry API."""

from __future__ import annotations

import json

from sqlalchemy import select

from shared.publication.models import LogEntry
from tests.registry.test_lifecycle import act, create

TIMETABLE = {
    "weekly": [
        {"day": "tue", "opens": "18:00", "closes": "20:00"},
        {"day": "fri", "opens": "22:00", "closes": "02:00"},
    ],
    "valid_from": "2026-08-17",
    "valid_to": "2026-12-18",
    "dates": [{"date": "2026-09-01", "starts": "17:30", "ends": "19:30"}],
}
NO_CONTACT = {"name": None, "phone": None, "email": None, "url": None}


def test_a_timetable_is_kept_and_published(client, world, db):
    offer = create(client, world, timetable=TIMETABLE).get_json()
    assert offer["timetable"] == TIMETABLE
    act(client, world, offer["id"], "submit", "a_registrar")
    assert act(client, world, offer["id"], "publish", "a_publisher").status_code == 200
    row = db.scalar(select(LogEntry).where(LogEntry.offer_uri == offer["uri"]))
    assert json.loads(row.snapshot)["timetable"] == TIMETABLE


def test_an_empty_timetable_is_none_and_stays_out_of_the_version(client, world, db):
    offer = create(client, world, timetable={"weekly": [], "dates": []}).get_json()
    assert offer["timetable"] is None
    act(client, world, offer["id"], "submit", "a_registrar")
    act(client, world, offer["id"], "publish", "a_publisher")
    row = db.scalar(select(LogEntry).where(LogEntry.offer_uri == offer["uri"]))
    assert "timetable" not in json.loads(row.snapshot)


def test_a_bad_timetable_is_refused_naming_the_field(client, world):
    response = create(
        client, world, timetable={"weekly": [{"day": "tue", "opens": "25:00", "closes": "20:00"}]}
    )
    assert response.status_code == 422
    body = response.get_json()
    assert body["errors"]["json"]["timetable"]["weekly"]["0"]["opens"] == [
        "Give a time as HH:MM, from 00:00 to 23:59."
    ]


def test_publishing_without_a_way_to_get_in_touch_is_refused(client, world, db):
    offer = create(client, world, contact=NO_CONTACT).get_json()
    act(client, world, offer["id"], "submit", "a_registrar")
    response = act(client, world, offer["id"], "publish", "a_publisher")
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"].startswith("A published offer needs a way to get in touch")
    assert body["errors"]["json"]["contact"] == [body["message"]]
    assert db.scalar(select(LogEntry).where(LogEntry.offer_uri == offer["uri"])) is None
    # A stated reason is enough.
    client.post(f"/api/v1/offers/{offer['id']}/recall", json={}, headers=world.auth("a_registrar"))
    client.patch(
        f"/api/v1/offers/{offer['id']}",
        json={"no_contact_reason": "referral_only"},
        headers=world.auth("a_registrar"),
    )
    act(client, world, offer["id"], "submit", "a_registrar")
    assert act(client, world, offer["id"], "publish", "a_publisher").status_code == 200


def test_a_place_with_opening_hours_is_a_way_to_get_in_touch(client, world):
    place = [{"name": "Familiens hus", "street_address": "Engene 1", "postal_code": "3015"}]
    offer = create(
        client, world, contact=NO_CONTACT, locations=place, timetable=TIMETABLE
    ).get_json()
    act(client, world, offer["id"], "submit", "a_registrar")
    assert act(client, world, offer["id"], "publish", "a_publisher").status_code == 200


def test_a_reason_is_a_code_never_free_text(client, world):
    response = create(
        client, world, contact=NO_CONTACT, no_contact_reason="Ring Kari på 912 34 567."
    )
    assert response.status_code == 422
    assert list(response.get_json()["errors"]["json"]) == ["no_contact_reason"]
    offer = create(client, world, contact=NO_CONTACT, no_contact_reason="outreach").get_json()
    assert offer["no_contact_reason"] == "outreach"
    act(client, world, offer["id"], "submit", "a_registrar")
    assert act(client, world, offer["id"], "publish", "a_publisher").status_code == 200
