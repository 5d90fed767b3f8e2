"""The publisher after a redaction: complete pages that name no person stay immutable for
caches; those that name one are kept an hour (LDES_PERSONAL_MAX_AGE), and after the
redaction every worker serves the rewritten page (a new ETag), never its earlier rendering."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from shared.db import create_engine
from tests.publisher.conftest import make_publisher
from tests.publisher.node import NodeBuilder

PERSON = {"name": "Kari Nordmann", "email": "kari.nordmann@example.org", "phone": "912 34 567"}
DESK = {"url": "https://www.example.org/helsestasjon"}


def test_pages_naming_a_person_change_by_a_redaction_and_the_others_are_immutable(
    node_database_factory, tmp_path
):
    url = node_database_factory()
    engine = create_engine(url, sqlite_begin="IMMEDIATE")
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        node = NodeBuilder(session)
        node.publish(name="Familiesenteret", contact=DESK)
        node.publish(name="Ungdomsklubben", contact=DESK)
        person = node.publish(name="Helsestasjon for ungdom", contact=PERSON)
        node.publish(name="Leksehjelp", contact=DESK)
    app = make_publisher(url, tmp_path, LDES_PAGE_SIZE=2, LDES_PERSONAL_MAX_AGE=600)
    client = app.test_client()
    try:
        first = client.get("/ldes/pages/1")
        assert first.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        before = client.get("/ldes/pages/2")
        assert before.headers["Cache-Control"] == "public, max-age=600"
        assert "kari.nordmann@example.org" in before.get_data(as_text=True)
        again = client.get("/ldes/pages/2", headers={"If-None-Match": before.headers["ETag"]})
        assert again.status_code == 304
        version = client.get(f"/offers/{person}/versions/1")
        assert version.headers["Cache-Control"] == "public, max-age=600"

        with sessions.begin() as session:
            NodeBuilder(session).redact(person)

        # The same process, its rendering of page 2 cached: the page's rows changed, so it
        # answers the ETag of before with the rewritten page, now without the person.
        after = client.get("/ldes/pages/2", headers={"If-None-Match": before.headers["ETag"]})
        assert after.status_code == 200
        assert after.headers["ETag"] != before.headers["ETag"]
        for media in ("text/turtle", "application/json", "application/n-triples"):
            body = client.get("/ldes/pages/2", headers={"Accept": media}).get_data(as_text=True)
            assert "kari.nordmann@example.org" not in body and "Kari Nordmann" not in body
        # It can change no more: immutable again. Page 1 never changed.
        assert after.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert client.get("/ldes/pages/1").headers["ETag"] == first.headers["ETag"]
        # The redaction itself is the next member.
        newest = client.get("/ldes/pages/3", headers={"Accept": "text/turtle"})
        assert "Redaction" in newest.get_data(as_text=True)
        assert f"/offers/{person}" in newest.get_data(as_text=True)
    finally:
        app.extensions["nettungen.db"].engine.dispose()
        engine.dispose()
