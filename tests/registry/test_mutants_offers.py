"""The publishing services of the registry, called as the API and the pages call them (found
by mutation testing, docs/testing.md): what a registrar and a publisher see at each step of an
offer's life, what each refusal says, and what the audit trail keeps.

Every expectation is written by hand; the service layer is called directly, so each test takes
a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import sessionmaker

from services.registry.accounts import services as accounts
from services.registry.accounts.permissions import Actor
from services.registry.audit.models import AuditEntry
from services.registry.mail.models import OutboxMail
from services.registry.offers import services as offers
from services.registry.offers.models import Offer
from services.registry.offers.schemas import OfferInputSchema
from services.registry.organisations import services as organisations
from shared.db import create_engine
from shared.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shared.publication.keys import Signer
from tests.conftest import TEST_DATABASE_URL, TEST_PASSPHRASE, migrated_database
from tests.publisher.node import BASE_URL, NodeBuilder, Provider, offer_content
from tests.registry.conftest import OPERATOR

NOT_FOUND = "Offer not found."


@pytest.fixture
def node(db) -> NodeBuilder:
    return NodeBuilder(db)


@pytest.fixture
def home(node) -> Provider:
    return node.provider("municipality")


def draft(db, home: Provider, **content: Any) -> Offer:
    data = OfferInputSchema().load(offer_content(**{"agency": home.agency, **content}))
    return offers.create_offer(db, home.registrar, home.organisation, data, BASE_URL)


def published(db, node: NodeBuilder, home: Provider, **content: Any) -> Offer:
    offer = draft(db, home, **content)
    offers.submit(db, home.registrar, offer.id)
    offers.publish(db, home.publisher, offer.id, signer=node.signer)
    return offer


def trail(db, offer_id: str) -> list[tuple[Any, ...]]:
    """The offer's audit entries: action, who, organisation, changes, comment."""
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.target_type == "offer", AuditEntry.target_id == offer_id)
        .order_by(AuditEntry.id)
    ).all()
    return [(e.action, e.actor_label, e.organisation_id, e.changes, e.comment) for e in entries]


def second_registrar(db, home: Provider) -> tuple[Actor, str]:
    """A registrar of another agency of the same organisation (Familiens hus), and its id."""
    family = organisations.create_agency(db, OPERATOR, home.organisation, "Familiens hus", None)
    member = accounts.add_member(
        db,
        OPERATOR,
        home.organisation,
        email="familie@example.org",
        name="Familiens registrar",
        roles=["registrar"],
        agencies=[family.public_id],
    )
    db.flush()
    return accounts.build_actor(db, member.user), family.public_id


# --- reading -------------------------------------------------------------------------------


def test_an_unknown_offer_is_not_found(db, home):
    with pytest.raises(NotFound) as missing:
        offers.get_offer(db, home.registrar, "no-such-offer")
    assert (missing.value.code, str(missing.value)) == ("offer.not_found", NOT_FOUND)


def test_each_offer_is_read_by_its_own_id(db, home):
    first, second = draft(db, home, name="Første"), draft(db, home, name="Andre")
    assert offers.get_offer(db, home.registrar, second.id).name == "Andre"
    assert offers.get_offer(db, home.registrar, first.id).name == "Første"


def test_another_organisations_offer_is_not_found_for_any_action(db, node, home):
    offer = published(db, node, home)
    stranger = node.provider("county")
    calls = {
        "read": lambda a: offers.get_offer(db, a, offer.id),
        "edit": lambda a: offers.update_offer(db, a, offer.id, {"name": "Overtatt"}),
        "delete": lambda a: offers.delete_offer(db, a, offer.id),
        "submit": lambda a: offers.submit(db, a, offer.id),
        "send back": lambda a: offers.send_back(db, a, offer.id, "Nei"),
        "publish": lambda a: offers.publish(db, a, offer.id, signer=node.signer),
        "withdraw": lambda a: offers.withdraw(db, a, offer.id, signer=node.signer),
    }
    for action, call in calls.items():
        for actor in (stranger.registrar, stranger.publisher):
            with pytest.raises(NotFound) as refused:
                call(actor)
            assert str(refused.value) == NOT_FOUND, action
    assert offers.get_offer(db, home.registrar, offer.id).status == "published"


def test_the_offers_of_another_organisation_are_not_listed(db, node, home):
    draft(db, home)
    stranger = node.provider("county")
    with pytest.raises(NotFound) as refused:
        offers.list_offers(db, stranger.registrar, home.organisation, limit=50)
    assert str(refused.value) == "Organisation not found."
    with pytest.raises(NotFound) as refused:
        offers.create_offer(
            db,
            stranger.registrar,
            home.organisation,
            OfferInputSchema().load(offer_content(home.agency)),
            BASE_URL,
        )
    assert str(refused.value) == "Organisation not found."


def test_the_listing_filters_by_status_and_agency_and_counts_the_whole_selection(db, node, home):
    registrar, family_id = second_registrar(db, home)
    health = [draft(db, home, name=f"Helse {i}") for i in range(3)]
    data = OfferInputSchema().load(offer_content(family_id, name="Familie"))
    in_family = offers.create_offer(db, registrar, home.organisation, data, BASE_URL)
    offers.submit(db, home.registrar, health[0].id)
    stranger_offer = draft(db, node.provider("county"), name="Fylket")

    def names(**query: Any) -> tuple[set[str], int]:
        page, total = offers.list_offers(
            db, home.publisher, home.organisation, **{"limit": 50, **query}
        )
        return {o.name for o in page}, total

    assert names() == ({"Helse 0", "Helse 1", "Helse 2", "Familie"}, 4)
    assert names(status="submitted") == ({"Helse 0"}, 1)
    assert names(status="draft") == ({"Helse 1", "Helse 2", "Familie"}, 3)
    assert names(agency_id=family_id) == ({"Familie"}, 1)
    assert names(agency_id=home.agency) == ({"Helse 0", "Helse 1", "Helse 2"}, 3)
    assert names(agency_id=home.agency, status="draft") == ({"Helse 1", "Helse 2"}, 2)
    assert names(status="withdrawn") == (set(), 0)
    assert in_family.organisation_id == home.organisation.id
    assert stranger_offer.name == "Fylket"


def test_the_listing_pages_newest_change_first_and_ties_by_id(db, home):
    made = [draft(db, home, name=f"Tilbud {i}") for i in range(3)]
    # The tied offers must be stored in another order than their ids' (SQLite returns ties
    # in the order they were stored), so that leaving the tie to the database would show.
    while [o.id for o in made[:-1]] == sorted(o.id for o in made[:-1]):
        made.insert(0, draft(db, home, name=f"Tilbud {len(made)}"))
    newest = max(made, key=lambda o: o.id)  # last by id: first only by its change
    tied = sorted((o for o in made if o is not newest), key=lambda o: o.id)
    noon = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    newest.updated_at = noon + dt.timedelta(hours=1)
    for offer in tied:
        offer.updated_at = noon  # the same instant: ordered by id
    db.flush()
    expected = [newest.id] + [o.id for o in tied]
    count = len(expected)
    # The first page by default starts at the first offer, as the review queue asks for it.
    page, total = offers.list_offers(db, home.publisher, home.organisation, limit=2)
    assert ([o.id for o in page], total) == (expected[:2], count)
    page, total = offers.list_offers(db, home.publisher, home.organisation, offset=2, limit=9)
    assert ([o.id for o in page], total) == (expected[2:], count)


def test_the_listing_reads_agencies_and_duties_with_the_page_not_one_offer_at_a_time(
    db, connection, home
):
    for i in range(3):
        draft(db, home, name=f"Tilbud {i}", statutory_duties=["hol-3-2-helsestasjon"])
    db.flush()
    db.expire_all()
    page, _total = offers.list_offers(db, home.publisher, home.organisation, limit=50)
    statements: list[str] = []

    def executing(*args: Any) -> None:
        statements.append(args[2])

    event.listen(connection, "before_cursor_execute", executing)
    try:
        shown = [(o.agency.name, [d.code for d in o.statutory_duties]) for o in page]
    finally:
        event.remove(connection, "before_cursor_execute", executing)
    assert shown == [("Tjenester", ["hol-3-2-helsestasjon"])] * 3
    assert statements == []


def test_versions_are_read_by_offer_and_number(db, node, home):
    other = published(db, node, home, name="Et annet tilbud")
    offer = published(db, node, home, name="Helsestasjon")
    offers.update_offer(db, home.registrar, offer.id, {"name": "Helsestasjon for ungdom"})
    offers.submit(db, home.registrar, offer.id)
    offers.publish(db, home.publisher, offer.id, signer=node.signer)
    first = offers.get_version(db, home.registrar, offer.id, 1)
    second = offers.get_version(db, home.registrar, offer.id, 2)
    assert (first.offer_id, first.version) == (offer.id, 1)
    assert (second.offer_id, second.version) == (offer.id, 2)
    assert '"Helsestasjon for ungdom"' in second.snapshot
    assert offers.get_version(db, home.registrar, other.id, 1).offer_id == other.id
    with pytest.raises(NotFound) as missing:
        offers.get_version(db, home.registrar, offer.id, 3)
    assert (missing.value.code, str(missing.value)) == (
        "offer.version_not_found",
        "Version not found.",
    )
    with pytest.raises(NotFound):
        offers.get_version(db, home.registrar, other.id, 2)
    assert [v.version for v in offers.list_versions(db, home.registrar, offer.id)] == [1, 2]


# --- editing -------------------------------------------------------------------------------


def test_a_new_draft_and_its_audit_entry(db, home):
    content = offer_content(home.agency, statutory_duties=["hol-3-2-helsestasjon"])
    del content["coverage"]  # not given: the organisation's home area
    offer = offers.create_offer(
        db, home.registrar, home.organisation, OfferInputSchema().load(content), BASE_URL
    )
    assert (offer.status, offer.latest_version, offer.published_version) == ("draft", 0, None)
    assert offer.uri == f"https://node.test/offers/{offer.id}"
    assert offer.coverage == ["3301"]
    assert offer.agency.public_id == home.agency
    assert [d.code for d in offer.statutory_duties] == ["hol-3-2-helsestasjon"]
    [entry] = trail(db, offer.id)
    assert entry[:3] == ("offer.created", home.registrar.label, home.organisation.id)
    assert entry[3]["name"] == [None, "Helsestasjon for ungdom"]
    assert entry[3]["coverage"] == [None, ["3301"]]
    assert entry[3]["statutory_duties"] == [None, ["hol-3-2-helsestasjon"]]
    assert offers.history(db, home.registrar, offer.id)[0].action == "offer.created"


def test_an_agency_of_another_organisation_is_unknown(db, node, home):
    stranger = node.provider("county")
    with pytest.raises(InvalidInput) as refused:
        draft(db, home, agency=stranger.agency)
    assert refused.value.code == "agency.unknown"
    assert refused.value.errors == {"agency": ["No such agency in the organisation."]}
    offer = draft(db, home)
    with pytest.raises(InvalidInput) as refused:
        offers.update_offer(db, home.registrar, offer.id, {"agency": stranger.agency})
    assert refused.value.errors == {"agency": ["No such agency in the organisation."]}


def test_a_registrar_works_only_in_their_own_agencies(db, home):
    family, family_id = second_registrar(db, home)
    offer = draft(db, home)
    for call in (
        lambda: offers.update_offer(db, family, offer.id, {"name": "Overtatt"}),
        lambda: offers.submit(db, family, offer.id),
        lambda: offers.delete_offer(db, family, offer.id),
        # Moving one's own offer into an agency one is no registrar for.
        lambda: offers.update_offer(db, home.registrar, offer.id, {"agency": family_id}),
    ):
        with pytest.raises(PermissionDenied) as refused:
            call()
        assert refused.value.code == "role.not_registrar_for_agency"
    assert offers.get_offer(db, home.registrar, offer.id).agency.public_id == home.agency
    # Publishers publish; they do not register.
    with pytest.raises(PermissionDenied) as refused:
        offers.update_offer(db, home.publisher, offer.id, {"name": "Nytt"})
    assert refused.value.code == "role.required"


def test_an_edit_that_reverses_the_age_range_is_refused_either_way(db, home):
    offer = draft(db, home, age_min=13, age_max=20)
    for change, low, high in (
        ({"age_min": 21}, 21, 20),
        ({"age_max": 12}, 13, 12),
        ({"age_min": 18, "age_max": 16}, 18, 16),
    ):
        with pytest.raises(InvalidInput) as refused:
            offers.update_offer(db, home.registrar, offer.id, change)
        assert refused.value.code == "offer.age_range_reversed"
        assert refused.value.errors == {
            "age_min": [f"The lowest age ({low}) is above the highest age ({high})."]
        }
    offers.update_offer(db, home.registrar, offer.id, {"age_min": 0, "age_max": 13})
    assert (offer.age_min, offer.age_max) == (0, 13)


def test_an_edit_sets_duties_staff_and_timetable_and_is_audited(db, node, home):
    offer = published(db, node, home, statutory_duties=["hol-3-2-helsestasjon"])
    week = {"weekly": [{"weekday": 1, "opens": "14:00", "closes": "17:00"}]}
    offers.update_offer(
        db,
        home.registrar,
        offer.id,
        {"statutory_duties": [], "staff_fte": 2.5, "timetable": week, "schedule": None},
    )
    assert offer.statutory_duties == []
    assert float(offer.staff_fte) == 2.5
    assert offer.timetable == week
    assert (offer.status, offer.published_version) == ("draft", 1)
    entry = trail(db, offer.id)[-1]
    assert entry[:3] == ("offer.updated", home.registrar.label, home.organisation.id)
    assert entry[3]["statutory_duties"] == [["hol-3-2-helsestasjon"], []]
    assert entry[3]["staff_fte"] == [None, 2.5]
    # A timetable with neither weekly periods nor dates is no timetable.
    offers.update_offer(db, home.registrar, offer.id, {"timetable": {"weekly": [], "dates": []}})
    assert offer.timetable is None
    offers.update_offer(db, home.registrar, offer.id, {"staff_fte": None})
    assert offer.staff_fte is None


def test_an_edit_that_changes_nothing_leaves_the_offer_published(db, node, home):
    offer = published(db, node, home)
    before = offer.updated_at
    entries = len(trail(db, offer.id))
    offers.update_offer(db, home.registrar, offer.id, {"name": offer.name})
    assert (offer.status, offer.updated_at) == ("published", before)
    assert len(trail(db, offer.id)) == entries


def test_a_submitted_offer_is_not_edited(db, home):
    offer = draft(db, home)
    offers.submit(db, home.registrar, offer.id)
    with pytest.raises(Conflict) as refused:
        offers.update_offer(db, home.registrar, offer.id, {"name": "Nytt"})
    assert refused.value.code == "offer.awaiting_review"
    assert offer.name == "Helsestasjon for ungdom"


def test_a_draft_is_deleted_with_an_audit_entry_and_a_published_offer_is_not(db, node, home):
    offer = draft(db, home, name="Feilregistrert")
    offer_id = offer.id
    offers.delete_offer(db, home.registrar, offer_id)
    db.flush()
    assert db.get(Offer, offer_id) is None
    assert trail(db, offer_id)[-1] == (
        "offer.deleted",
        home.registrar.label,
        home.organisation.id,
        {"name": "Feilregistrert"},
        None,
    )
    kept = published(db, node, home)
    with pytest.raises(Conflict) as refused:
        offers.delete_offer(db, home.registrar, kept.id)
    assert refused.value.code == "offer.published_not_deleted"


# --- transitions ---------------------------------------------------------------------------


def test_each_transition_is_audited_with_its_comment_and_change(db, node, home):
    offer = draft(db, home)
    offers.submit(db, home.registrar, offer.id, "Klar")
    offers.recall(db, home.registrar, offer.id, "Glemte noe")
    offers.submit(db, home.registrar, offer.id)
    offers.send_back(db, home.publisher, offer.id, "Mangler telefon")
    offers.submit(db, home.registrar, offer.id)
    offers.publish(db, home.publisher, offer.id, "Godkjent", signer=node.signer)
    offers.withdraw(db, home.publisher, offer.id, "Lagt ned", signer=node.signer)
    registrar, publisher, org = home.registrar.label, home.publisher.label, home.organisation.id
    assert trail(db, offer.id)[1:] == [
        ("offer.submitted", registrar, org, {"status": ["draft", "submitted"]}, "Klar"),
        ("offer.recalled", registrar, org, {"status": ["submitted", "draft"]}, "Glemte noe"),
        ("offer.submitted", registrar, org, {"status": ["draft", "submitted"]}, None),
        ("offer.sent_back", publisher, org, {"status": ["submitted", "draft"]}, "Mangler telefon"),
        ("offer.submitted", registrar, org, {"status": ["draft", "submitted"]}, None),
        (
            "offer.published",
            publisher,
            org,
            {"status": ["submitted", "published"], "version": [None, 1]},
            "Godkjent",
        ),
        (
            "offer.withdrawn",
            publisher,
            org,
            {"status": ["published", "withdrawn"], "version": [None, 2]},
            "Lagt ned",
        ),
    ]
    assert (offer.status, offer.latest_version, offer.published_version) == ("withdrawn", 2, None)


def test_a_transition_from_the_wrong_status_says_which_one_is_needed(db, node, home):
    offer = draft(db, home)
    for call, action in (
        (lambda: offers.recall(db, home.registrar, offer.id), "recall"),
        (lambda: offers.send_back(db, home.publisher, offer.id, "Nei"), "send back"),
        (lambda: offers.publish(db, home.publisher, offer.id, signer=node.signer), "publish"),
    ):
        with pytest.raises(Conflict) as refused:
            call()
        assert str(refused.value) == f"Cannot {action} an offer that is draft."
        assert refused.value.errors == {"status": ["Allowed from: submitted."]}
    offers.submit(db, home.registrar, offer.id)
    with pytest.raises(Conflict) as refused:
        offers.submit(db, home.registrar, offer.id)
    assert str(refused.value) == "Cannot submit an offer that is submitted."
    assert refused.value.errors == {"status": ["Allowed from: draft."]}
    assert offer.status == "submitted"


def test_the_publisher_is_told_and_the_registrar_hears_back(db, node, home):
    offer = draft(db, home, name="Åpen barnehage")
    offers.submit(db, home.registrar, offer.id)
    offers.send_back(db, home.publisher, offer.id, "  Mangler telefon  ")
    assert offer.return_comment == "Mangler telefon"
    offers.submit(db, home.registrar, offer.id)
    assert offer.return_comment is None
    offers.publish(db, home.publisher, offer.id, signer=node.signer)
    mails = db.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [(m.to_address, m.template) for m in mails] == [
        ("publisher.municipality@example.org", "review_requested"),
        ("registrar.municipality@example.org", "sent_back"),
        ("publisher.municipality@example.org", "review_requested"),
        ("registrar.municipality@example.org", "published"),
    ]
    assert "Mangler telefon" in mails[1].body_text


def test_sending_back_needs_a_comment_with_words(db, home):
    offer = draft(db, home)
    offers.submit(db, home.registrar, offer.id)
    for comment in (None, "", "   "):
        with pytest.raises(InvalidInput) as refused:
            offers.send_back(db, home.publisher, offer.id, comment)
        assert str(refused.value) == "Say what needs fixing."
        assert refused.value.errors == {"comment": ["A comment is required when sending back."]}
    assert offer.status == "submitted"
    with pytest.raises(PermissionDenied):
        offers.send_back(db, home.registrar, offer.id, "Selv")


def test_nothing_to_submit_compares_with_this_offers_public_version(db, node, home):
    published(db, node, home, name="Et annet tilbud", schedule="Fredager")
    offer = published(db, node, home, name="Helsestasjon")
    offers.update_offer(db, home.registrar, offer.id, {"name": "Helsestasjon for ungdom"})
    offers.submit(db, home.registrar, offer.id)
    offers.publish(db, home.publisher, offer.id, signer=node.signer)
    # An edit and its undo leave the working copy as version 2, the public one.
    offers.update_offer(db, home.registrar, offer.id, {"name": "X"})
    offers.update_offer(db, home.registrar, offer.id, {"name": "Helsestasjon for ungdom"})
    with pytest.raises(Conflict) as refused:
        offers.submit(db, home.registrar, offer.id)
    assert str(refused.value) == "Nothing to submit: the draft equals the published version."
    # Back to what version 1 said: that is a change from the public version 2.
    offers.update_offer(db, home.registrar, offer.id, {"name": "Helsestasjon"})
    assert offers.submit(db, home.registrar, offer.id).status == "submitted"


def test_an_offer_without_a_way_to_get_in_touch_is_not_published(db, node, home):
    offer = draft(db, home, contact={}, locations=[], schedule=None)
    offers.submit(db, home.registrar, offer.id)
    with pytest.raises(InvalidInput) as refused:
        offers.publish(db, home.publisher, offer.id, signer=node.signer)
    assert refused.value.code == "offer.unreachable"
    assert list(refused.value.errors) == ["contact"]
    assert [m.code for m in refused.value.errors["contact"]] == ["offer.unreachable"]
    assert (offer.status, offer.latest_version) == ("submitted", 0)


def test_only_publishers_publish_and_withdraw(db, node, home):
    offer = draft(db, home)
    offers.submit(db, home.registrar, offer.id)
    with pytest.raises(PermissionDenied) as refused:
        offers.publish(db, home.registrar, offer.id, signer=node.signer)
    assert str(refused.value) == "This needs the publisher role in the organisation."
    offers.publish(db, home.publisher, offer.id, signer=node.signer)
    with pytest.raises(PermissionDenied) as refused:
        offers.withdraw(db, home.registrar, offer.id, signer=node.signer)
    assert str(refused.value) == "This needs the publisher role in the organisation."


def test_only_an_offer_with_a_public_version_is_withdrawn(db, node, home):
    offer = draft(db, home)
    with pytest.raises(Conflict) as refused:
        offers.withdraw(db, home.publisher, offer.id, signer=node.signer)
    assert refused.value.code == "offer.only_published_withdrawn"
    assert refused.value.errors == {"status": ["The offer has no public version."]}


def test_withdrawing_keeps_a_pending_draft_or_submission(db, node, home):
    for pending in ("draft", "submitted"):
        offer = published(db, node, home)
        offers.update_offer(db, home.registrar, offer.id, {"schedule": "Fredager"})
        if pending == "submitted":
            offers.submit(db, home.registrar, offer.id)
        version = offers.withdraw(db, home.publisher, offer.id, signer=node.signer)
        assert (version.version, version.status) == (2, "withdrawn")
        assert (offer.status, offer.published_version, offer.schedule) == (
            pending,
            None,
            "Fredager",
        )
        assert trail(db, offer.id)[-1][3] == {"status": [pending, pending], "version": [None, 2]}


def _both_roles(db, home: Provider) -> Actor:
    member = accounts.add_member(
        db,
        OPERATOR,
        home.organisation,
        email="begge@example.org",
        name="Begge roller",
        roles=["registrar", "publisher"],
        agencies=[home.agency],
    )
    db.flush()
    return accounts.build_actor(db, member.user)


def test_four_eyes_the_submitter_may_not_publish_another_publisher_may(db, node, home):
    both = _both_roles(db, home)
    home.organisation.publisher_not_submitter = True
    offer = draft(db, home)
    offers.submit(db, both, offer.id)
    with pytest.raises(Conflict) as refused:
        offers.publish(db, both, offer.id, signer=node.signer)
    assert refused.value.code == "offer.publisher_is_submitter"
    assert offer.status == "submitted"
    # The last submission counts: after another person submits it again, they may publish.
    offers.recall(db, home.registrar, offer.id)
    offers.submit(db, home.registrar, offer.id)
    assert offers.publish(db, both, offer.id, signer=node.signer).version == 1


def test_without_four_eyes_the_submitter_may_publish(db, node, home):
    both = _both_roles(db, home)
    assert home.organisation.publisher_not_submitter is False
    offer = draft(db, home)
    offers.submit(db, both, offer.id)
    assert offers.publish(db, both, offer.id, signer=node.signer).version == 1


# --- two people at once (PostgreSQL: SQLite has no row locks) -------------------------------


def _someone_waits_for_a_lock(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as watcher:
            waiting = watcher.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
    finally:
        engine.dispose()
    return bool(waiting)


def _race(url: str, make, first, second) -> str:  # type: ignore[no-untyped-def]
    """Run ``first`` in a transaction left open while ``second`` runs in another process (a
    person elsewhere); commit the first; return how the second ended: "done" or the code of
    its refusal, or "did not wait: ..." when it finished before the first committed."""
    receiver, sender = multiprocessing.Pipe(duplex=False)

    def run_second() -> None:
        engine = create_engine(url)
        try:
            with sessionmaker(engine, expire_on_commit=False).begin() as session:
                second(session)
            sender.send("done")
        except (Conflict, InvalidInput) as exc:
            sender.send(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertion
            sender.send(type(exc).__name__)
        engine.dispose()

    with make() as holder:
        holder.begin()
        first(holder)
        holder.flush()
        other = multiprocessing.get_context("fork").Process(target=run_second)
        other.start()
        # The first commits once the second waits for a lock, or has finished without waiting
        # (however slowly it starts on a busy machine).
        waited, give_up = False, time.monotonic() + 20
        while not waited and time.monotonic() < give_up and not receiver.poll(0.1):
            waited = _someone_waits_for_a_lock(url)
        holder.commit()
    outcome = receiver.recv() if receiver.poll(30) else "no answer"
    other.join(30)
    return outcome if waited else f"did not wait: {outcome}"


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="row locks are PostgreSQL's (TEST_DATABASE_URL)")
def test_the_second_of_two_people_acting_on_one_offer_waits_and_sees_the_first_ones_change(
    database_factory,
):
    url = database_factory()
    migrated_database(url)
    engine = create_engine(url)
    make = sessionmaker(engine, expire_on_commit=False)
    signer = Signer(TEST_PASSPHRASE)
    with make.begin() as session:
        node = NodeBuilder(session, signer=signer)
        home = node.provider("municipality")
        registrar, publisher = home.registrar, home.publisher
        ids = {}
        for state in ("draft", "submitted", "submitted 2", "submitted 3", "published"):
            offer = draft(session, home, name=state)
            if state != "draft":
                offers.submit(session, registrar, offer.id)
            if state == "published":
                offers.publish(session, publisher, offer.id, signer=signer)
            ids[state] = offer.id

    def act(name: str, call):  # type: ignore[no-untyped-def]
        return lambda session: call(session, ids[name])

    races = [
        # Two publishers publish one submission: the second finds it published.
        (
            act("submitted", lambda s, i: offers.publish(s, publisher, i, signer=signer)),
            act("submitted", lambda s, i: offers.publish(s, publisher, i, signer=signer)),
            "offer.wrong_status",
        ),
        (
            act("published", lambda s, i: offers.withdraw(s, publisher, i, signer=signer)),
            act("published", lambda s, i: offers.withdraw(s, publisher, i, signer=signer)),
            "offer.only_published_withdrawn",
        ),
        (
            act("submitted 2", lambda s, i: offers.send_back(s, publisher, i, "Rett opp")),
            act("submitted 2", lambda s, i: offers.send_back(s, publisher, i, "Rett opp")),
            "offer.wrong_status",
        ),
        (
            act("submitted 3", lambda s, i: offers.recall(s, registrar, i)),
            act("submitted 3", lambda s, i: offers.recall(s, registrar, i)),
            "offer.wrong_status",
        ),
        # An edit does not slip past a submission made at the same moment.
        (
            act("draft", lambda s, i: offers.submit(s, registrar, i)),
            act("draft", lambda s, i: offers.update_offer(s, registrar, i, {"name": "Nytt"})),
            "offer.awaiting_review",
        ),
        (
            act("submitted 3", lambda s, i: offers.submit(s, registrar, i)),
            act("submitted 3", lambda s, i: offers.submit(s, registrar, i)),
            "offer.wrong_status",
        ),
        # A draft being published is not deleted under the publisher's hands.
        (
            act("draft", lambda s, i: offers.publish(s, publisher, i, signer=signer)),
            act("draft", lambda s, i: offers.delete_offer(s, registrar, i)),
            "offer.published_not_deleted",
        ),
    ]
    for number, (first, second, expected) in enumerate(races):
        assert _race(url, make, first, second) == expected, number
    with make() as session:
        offer = session.get(Offer, ids["draft"])
        assert (offer.status, offer.name, offer.latest_version) == (
            "published",
            "draft",
            1,
        )
    # Reading never waits for a change in progress: it sees the last committed state.
    with make.begin() as session:
        offers.update_offer(session, registrar, ids["submitted 2"], {"name": "Lest"})
    with make() as holder:
        holder.begin()
        offers.submit(holder, registrar, ids["submitted 2"])
        holder.flush()
        with make() as reader:
            reader.execute(text("SET lock_timeout = '2s'"))  # a reader that waited would fail
            assert offers.get_offer(reader, registrar, ids["submitted 2"]).status == "draft"
        holder.commit()
    engine.dispose()
