"""The quality report lists the published offers without a way to get in touch: a version
from a node that published one before the registry refused it (here: signed again without its
contact, places and hours), never the contact itself."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.reporting.history.models import OfferVersion
from tests.reporting.conftest import make_reporting_app
from tests.reporting.reading import get_report, grid

NOTHING = {"name": None, "email": None, "phone": None, "url": None}


def test_the_quality_report_lists_offers_without_a_way_to_get_in_touch(history, node, tmp_path):
    with node.builder() as b:
        reached = b.publish(name="Helsestasjon for ungdom")
        b.publish(name="Foreldrekurs uten kontakt")
        b.publish(name="Åpen barnehage", contact=NOTHING)  # its place and hours are enough
        b.publish(
            name="Samtalegruppe",
            contact=NOTHING,
            locations=[],
            no_contact_reason="referral_only",
        )
    first, second, *others = node.events()
    unreachable = node.resign(
        second, data_contact={}, data_locations=[], data_schedule=None, data_timetable=None
    )
    history.trust(node)
    history.apply([first, unreachable, *others])
    with Session(history.engine) as session:
        kept = dict(session.execute(select(OfferVersion.name, OfferVersion.reachable)).all())
    assert kept == {
        "Helsestasjon for ungdom": True,
        "Foreldrekurs uten kontakt": False,
        "Åpen barnehage": True,
        "Samtalegruppe": True,
    }
    app = make_reporting_app(history.url, tmp_path / "app")
    try:
        _assert_listed(app.test_client(), second["subject"], reached)
    finally:
        app.extensions["nettungen.db"].engine.dispose()


def _assert_listed(api, subject: str, reached: str) -> None:
    report = get_report(api, "quality", area="3301")
    listed = grid(report, "unreachable")
    assert [row["offer"] for row in listed.values()] == ["Foreldrekurs uten kontakt"]
    assert list(listed) == [subject]
    assert report["summary"]["unreachable"] == 1
    assert reached not in str(listed)
    nb = api.get("/api/v1/reports/quality", query_string={"lang": "nb", "area": "3301"})
    titles = [t["title"] for t in nb.get_json()["tables"]]
    assert "Tilbud uten en måte å komme i kontakt på" in titles
    page = api.get("/quality", query_string={"lang": "nb", "area": "3301"}).get_data(as_text=True)
    assert "Tilbud uten en måte å komme i kontakt på" in page
    assert f'href="{subject}"' in page and "Foreldrekurs uten kontakt" in page


def test_the_quality_report_lists_offers_reached_only_on_a_mobile(history, node, tmp_path):
    mobile = {**NOTHING, "name": "Ungdomskontakten", "phone": "+47 912 34 567"}
    with node.builder() as b:
        b.publish(name="Ungdomskontakt på mobil", contact=mobile, locations=[])
        b.publish(name="Mobil og e-post", contact={**mobile, "email": "post@example.org"})
        b.publish(name="Fasttelefon", contact={**NOTHING, "phone": "32 04 00 00"}, locations=[])
    history.trust(node)
    history.apply(node.events())
    with Session(history.engine) as session:
        kept = dict(session.execute(select(OfferVersion.name, OfferVersion.only_mobile)).all())
    assert kept == {
        "Ungdomskontakt på mobil": True,
        "Mobil og e-post": False,
        "Fasttelefon": False,
    }
    app = make_reporting_app(history.url, tmp_path / "app")
    try:
        api = app.test_client()
        report = get_report(api, "quality", area="3301")
        listed = grid(report, "only_mobile")
        assert [row["offer"] for row in listed.values()] == ["Ungdomskontakt på mobil"]
        assert report["summary"]["unreachable"] == 0
        assert "912 34 567" not in str(report)  # a yes or no, never the number
        for lang, title in (
            ("nb", "Tilbud som bare kan nås på et mobilnummer"),
            ("nn", "Tilbod som berre kan nåast på eit mobilnummer"),
            ("en", "Offers reached only on a mobile number"),
        ):
            page = api.get("/quality", query_string={"lang": lang, "area": "3301"})
            assert title in page.get_data(as_text=True)
    finally:
        app.extensions["nettungen.db"].engine.dispose()


def test_a_redacted_mobile_no_longer_lists_the_offer_as_reached_only_on_it(history, node):
    """The redaction removes the phone from every copy: the offer is no longer reached on a
    mobile, and the report must not go on saying so."""
    mobile = {**NOTHING, "name": "Ungdomskontakten", "phone": "+47 912 34 567"}
    with node.builder() as b:
        ids = b.publish(name="Ungdomskontakt på mobil", contact=mobile, locations=[])
    history.trust(node)
    history.apply(node.events())
    with node.builder() as b:
        b.redact(ids)
    [redaction] = node.events()[1:]
    assert history.verifier().take_redaction(redaction, history.sink())
    with Session(history.engine) as session:
        kept = session.execute(select(OfferVersion.name, OfferVersion.only_mobile)).all()
    assert [tuple(row) for row in kept] == [("Ungdomskontakt på mobil", False)]
