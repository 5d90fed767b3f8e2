"""The publishing workflow over the HTTP API: draft → submitted → published → withdrawn."""

from __future__ import annotations

import json

from sqlalchemy import select

from shared.publication.models import LogEntry, PublishedOffer
from tests.registry.conftest import ORG_A, offer_input


def create(client, world, who="a_registrar", **overrides):
    response = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_health"], **overrides),
        headers=world.auth(who),
    )
    return response


def act(client, world, offer_id, action, who, comment=None):
    body = {"comment": comment} if comment is not None else {}
    return client.post(f"/api/v1/offers/{offer_id}/{action}", json=body, headers=world.auth(who))


def log_rows(db, uri):
    return db.scalars(
        select(LogEntry).where(LogEntry.offer_uri == uri).order_by(LogEntry.seq)
    ).all()


def test_registrar_creates_a_draft_with_defaults(client, world):
    response = create(client, world)
    assert response.status_code == 201
    offer = response.get_json()
    assert offer["status"] == "draft"
    assert offer["published_version"] is None
    assert offer["latest_version"] == 0
    assert offer["uri"] == f"https://node.test/offers/{offer['id']}"
    assert offer["coverage"] == ["3301"]  # the organisation's home area
    assert offer["languages"] == ["nob"]
    assert offer["agency"]["name"] == "Helsestasjon"
    assert offer["statutory_duties"] == ["hol-3-2-helsestasjon"]
    # A new offer is due for review twelve months after it was made.
    assert offer["review_due"][:4] == str(int(offer["created_at"][:4]) + 1)


def test_full_lifecycle_writes_one_log_row_per_version(client, world, db):
    offer = create(client, world).get_json()
    oid, uri = offer["id"], offer["uri"]

    assert act(client, world, oid, "submit", "a_registrar").get_json()["status"] == "submitted"
    published = act(client, world, oid, "publish", "a_publisher").get_json()
    assert (published["status"], published["published_version"]) == ("published", 1)
    rows = log_rows(db, uri)
    assert [(r.event_type, r.version) for r in rows] == [("no.nettungen.offer.published", 1)]
    assert rows[0].organisation_number == ORG_A
    document = json.loads(rows[0].snapshot)
    assert document["name"] == "Helsestasjon for ungdom"
    assert document["provider"] == {
        "organisation_number": ORG_A,
        "name": "Drammen kommune",
        "kind": "municipality",
        "home_area": "3301",
    }
    assert document["statutory_duties"][0]["law_id"] == "LOV-2011-06-24-30"

    # Editing the published offer makes a draft; the public version stays as it was.
    edited = client.patch(
        f"/api/v1/offers/{oid}",
        json={"name": "Helsestasjon for ungdom (HFU)"},
        headers=world.auth("a_registrar"),
    ).get_json()
    assert (edited["status"], edited["published_version"]) == ("draft", 1)
    snapshot = db.get(PublishedOffer, uri)
    assert json.loads(snapshot.snapshot)["name"] == "Helsestasjon for ungdom"

    act(client, world, oid, "submit", "a_registrar")
    second = act(client, world, oid, "publish", "a_publisher").get_json()
    assert second["published_version"] == 2
    db.expire_all()
    assert (
        json.loads(db.get(PublishedOffer, uri).snapshot)["name"] == "Helsestasjon for ungdom (HFU)"
    )

    withdrawn = act(client, world, oid, "withdraw", "a_publisher", "Lagt ned").get_json()
    assert (withdrawn["status"], withdrawn["published_version"]) == ("withdrawn", None)
    assert withdrawn["latest_version"] == 3
    db.expire_all()
    assert db.get(PublishedOffer, uri) is None
    rows = log_rows(db, uri)
    assert [(r.event_type, r.version) for r in rows] == [
        ("no.nettungen.offer.published", 1),
        ("no.nettungen.offer.published", 2),
        ("no.nettungen.offer.withdrawn", 3),
    ]
    seqs = [r.seq for r in rows]
    assert seqs == list(range(seqs[0], seqs[0] + 3))  # gap-free, in order

    versions = client.get(f"/api/v1/offers/{oid}/versions", headers=world.auth("a_reader"))
    assert [(v["version"], v["status"]) for v in versions.get_json()] == [
        (1, "published"),
        (2, "published"),
        (3, "withdrawn"),
    ]
    # The version, the snapshot and the log row carry the very same bytes.
    assert versions.get_json()[1]["document"] == json.loads(rows[1].snapshot)

    history = client.get(f"/api/v1/offers/{oid}/history", headers=world.auth("a_reader"))
    actions = [(e["action"], e["actor"]) for e in history.get_json()]
    assert actions == [
        ("offer.created", "a_registrar@example.org"),
        ("offer.submitted", "a_registrar@example.org"),
        ("offer.published", "a_publisher@example.org"),
        ("offer.updated", "a_registrar@example.org"),
        ("offer.submitted", "a_registrar@example.org"),
        ("offer.published", "a_publisher@example.org"),
        ("offer.withdrawn", "a_publisher@example.org"),
    ]
    update = history.get_json()[3]
    assert update["changes"] == {
        "name": ["Helsestasjon for ungdom", "Helsestasjon for ungdom (HFU)"]
    }
    assert history.get_json()[6]["comment"] == "Lagt ned"


def test_send_back_needs_a_comment_and_keeps_it_for_the_registrar(client, world):
    oid = create(client, world).get_json()["id"]
    act(client, world, oid, "submit", "a_registrar")
    refused = act(client, world, oid, "send-back", "a_publisher")
    assert refused.status_code == 422
    assert "comment" in refused.get_json()["errors"]["json"]

    sent_back = act(client, world, oid, "send-back", "a_publisher", "Mangler telefonnummer")
    assert sent_back.status_code == 200
    assert sent_back.get_json()["status"] == "draft"
    assert sent_back.get_json()["return_comment"] == "Mangler telefonnummer"
    resubmitted = act(client, world, oid, "submit", "a_registrar").get_json()
    assert resubmitted["return_comment"] is None


def test_registrar_can_recall_a_submission(client, world):
    oid = create(client, world).get_json()["id"]
    act(client, world, oid, "submit", "a_registrar")
    assert act(client, world, oid, "recall", "a_registrar").get_json()["status"] == "draft"


def test_withdrawn_offer_can_be_published_again_as_a_new_version(client, world, db):
    offer = create(client, world).get_json()
    oid = offer["id"]
    act(client, world, oid, "submit", "a_registrar")
    act(client, world, oid, "publish", "a_publisher")
    act(client, world, oid, "withdraw", "a_publisher")
    client.patch(
        f"/api/v1/offers/{oid}", json={"schedule": "Torsdager"}, headers=world.auth("a_registrar")
    )
    act(client, world, oid, "submit", "a_registrar")
    again = act(client, world, oid, "publish", "a_publisher").get_json()
    assert (again["status"], again["published_version"]) == ("published", 3)
    assert db.get(PublishedOffer, offer["uri"]).version == 3


def test_withdrawing_keeps_a_pending_draft(client, world):
    oid = create(client, world).get_json()["id"]
    act(client, world, oid, "submit", "a_registrar")
    act(client, world, oid, "publish", "a_publisher")
    client.patch(
        f"/api/v1/offers/{oid}", json={"schedule": "Fredager"}, headers=world.auth("a_registrar")
    )
    withdrawn = act(client, world, oid, "withdraw", "a_publisher").get_json()
    assert (withdrawn["status"], withdrawn["published_version"]) == ("draft", None)
    assert withdrawn["schedule"] == "Fredager"


FORBIDDEN = [
    # (steps to reach the state, action, who)
    ((), "publish", "a_publisher"),
    ((), "recall", "a_registrar"),
    ((), "send-back", "a_publisher"),
    ((), "withdraw", "a_publisher"),
    (("submit",), "submit", "a_registrar"),
]


def test_forbidden_transitions_get_409_and_change_nothing(client, world):
    for steps, action, who in FORBIDDEN:
        oid = create(client, world).get_json()["id"]
        for step in steps:
            act(client, world, oid, step, "a_registrar")
        before = client.get(f"/api/v1/offers/{oid}", headers=world.auth("a_reader")).get_json()
        response = act(client, world, oid, action, who, "kommentar")
        assert response.status_code == 409, (steps, action)
        body = response.get_json()
        assert body["code"] == 409 and body["message"]
        after = client.get(f"/api/v1/offers/{oid}", headers=world.auth("a_reader")).get_json()
        assert after == before


def test_submitted_offer_cannot_be_edited(client, world):
    oid = create(client, world).get_json()["id"]
    act(client, world, oid, "submit", "a_registrar")
    response = client.patch(
        f"/api/v1/offers/{oid}", json={"name": "Nytt navn"}, headers=world.auth("a_registrar")
    )
    assert response.status_code == 409


def test_nothing_to_submit_when_draft_equals_published(client, world):
    oid = create(client, world).get_json()["id"]
    act(client, world, oid, "submit", "a_registrar")
    act(client, world, oid, "publish", "a_publisher")
    # An edit and its undo leave the working copy equal to version 1.
    client.patch(
        f"/api/v1/offers/{oid}", json={"name": "X-navn"}, headers=world.auth("a_registrar")
    )
    client.patch(
        f"/api/v1/offers/{oid}",
        json={"name": "Helsestasjon for ungdom"},
        headers=world.auth("a_registrar"),
    )
    response = act(client, world, oid, "submit", "a_registrar")
    assert response.status_code == 409
    assert "Nothing to submit" in response.get_json()["message"]


def test_only_never_published_drafts_can_be_deleted(client, world):
    draft = create(client, world).get_json()["id"]
    assert (
        client.delete(f"/api/v1/offers/{draft}", headers=world.auth("a_registrar")).status_code
        == 204
    )
    assert client.get(f"/api/v1/offers/{draft}", headers=world.auth("a_reader")).status_code == 404

    published = create(client, world).get_json()["id"]
    act(client, world, published, "submit", "a_registrar")
    act(client, world, published, "publish", "a_publisher")
    response = client.delete(f"/api/v1/offers/{published}", headers=world.auth("a_registrar"))
    assert response.status_code == 409


def test_roles_decide_who_does_what(client, world):
    # The publisher cannot register, the reader cannot edit, the registrar cannot publish.
    assert create(client, world, who="a_publisher").status_code == 403
    assert create(client, world, who="a_reader").status_code == 403
    oid = create(client, world).get_json()["id"]
    patch = client.patch(
        f"/api/v1/offers/{oid}", json={"name": "Nytt"}, headers=world.auth("a_reader")
    )
    assert patch.status_code == 403
    act(client, world, oid, "submit", "a_registrar")
    assert act(client, world, oid, "publish", "a_registrar").status_code == 403
    assert act(client, world, oid, "publish", "a_reader").status_code == 403
    assert act(client, world, oid, "publish", "a_publisher").status_code == 200


def test_registrar_is_limited_to_their_agencies(client, world):
    response = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_family"]),
        headers=world.auth("a_registrar"),
    )
    assert response.status_code == 403
    oid = create(client, world).get_json()["id"]
    moved = client.patch(
        f"/api/v1/offers/{oid}",
        json={"agency": world.agencies["a_family"]},
        headers=world.auth("a_registrar"),
    )
    assert moved.status_code == 403


def test_listing_filters_by_status_and_pages(client, world):
    ids = [create(client, world, name=f"Tilbud {i}").get_json()["id"] for i in range(3)]
    act(client, world, ids[0], "submit", "a_registrar")
    listing = client.get(
        f"/api/v1/organisations/{ORG_A}/offers?status=submitted", headers=world.auth("a_reader")
    )
    assert [o["id"] for o in listing.get_json()] == [ids[0]]
    page = client.get(
        f"/api/v1/organisations/{ORG_A}/offers?page=2&page_size=2", headers=world.auth("a_reader")
    )
    assert len(page.get_json()) == 1
    assert json.loads(page.headers["X-Pagination"])["total"] == 3
