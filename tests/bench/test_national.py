"""The bulk path gives the state the real path gives.

Offers drawn by :mod:`bench.national` are published through the registry's service layer on a
real node, served by its publisher and harvested by ingest into a search index and a reporting
history (the real path). The node's own events, loaded by :mod:`bench.bulk` into fresh
databases, must give the identical index and history, row by row. And the generator's own
version documents (what the benchmarks load at scale) must be what the registry wrote for the
same offers, but for what the registry assigns: the id, the time and the agency.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from bench import bulk, national
from services.reporting.history.models import OfferVersion, VersionCoverage, VersionTerm
from services.search.index.models import IndexedOffer, OfferCoverage, OfferPlace, OfferTerm
from shared.db import create_engine
from shared.ingest.models import IngestedOffer
from shared.publication.schema import canonical_json, load_offer_version
from tests.federation import Federation
from tests.reporting.federation import new_history
from tests.search.federation import new_search_index

OFFERS = 36
SEED = 5  # draws offers of every kind of provider, on every level, some statutory
# Columns that differ by nature between two loads: surrogate keys and the moment of writing.
VOLATILE = {"id", "indexed_at", "recorded_at", "applied_at", "offer_pk", "version_pk"}


def _rows(session: Session, model: Any, uri_of: dict[int, str], key: str | None) -> list[Any]:
    columns = [c for c in model.__table__.columns if c.name not in VOLATILE]
    rows = []
    for row in session.execute(select(*columns, *([model.__table__.c[key]] if key else []))):
        values = dict(zip([c.name for c in columns], row, strict=False))
        if key:
            values["offer"] = uri_of[row[-1]]
        rows.append(tuple(sorted(values.items(), key=lambda item: item[0])))
    return sorted(rows, key=repr)


def search_state(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        uri_of = dict(session.execute(select(IndexedOffer.id, IndexedOffer.offer_uri)).all())
        state = {
            "offers": _rows(session, IndexedOffer, uri_of, None),
            "coverage": _rows(session, OfferCoverage, uri_of, "offer_pk"),
            "terms": _rows(session, OfferTerm, uri_of, "offer_pk"),
            "places": _rows(session, OfferPlace, uri_of, "offer_pk"),
            "ingested": _rows(session, IngestedOffer, uri_of, None),
        }
        if engine.dialect.name == "postgresql":
            full_text = "SELECT offer_uri, search_vector::text FROM indexed_offers"
        else:
            full_text = (
                "SELECT o.offer_uri, f.name, f.description, f.keywords "
                "FROM offer_fts f JOIN indexed_offers o ON o.id = f.rowid"
            )
        state["full_text"] = sorted(tuple(r) for r in session.execute(text(full_text)))
    return state


def history_state(engine: Engine) -> dict[str, Any]:
    with Session(engine) as session:
        uri_of = dict(session.execute(select(OfferVersion.id, OfferVersion.offer_uri)).all())
        return {
            "versions": _rows(session, OfferVersion, uri_of, None),
            "coverage": _rows(session, VersionCoverage, uri_of, "version_pk"),
            "terms": _rows(session, VersionTerm, uri_of, "version_pk"),
            "ingested": _rows(session, IngestedOffer, uri_of, None),
        }


@pytest.fixture
def federation(node_database_factory, tmp_path) -> Iterator[Federation]:  # type: ignore[no-untyped-def]
    federation = Federation(node_database_factory, tmp_path)
    yield federation
    federation.close()


def test_bulk_path_gives_the_state_of_the_real_path(
    federation,
    search_database_factory,
    reporting_database_factory,
) -> None:
    drawn = national.generate(OFFERS, seed=SEED)
    specs = list(drawn.offers())
    used = {spec.provider: drawn.providers[spec.provider] for spec in specs}
    assert {p.kind for p in used.values()} == {"municipality", "county", "region", "state",
                                                "voluntary"}  # fmt: skip
    node = federation.node(
        "nasjonal",
        {k: (p.organisation_number, p.name, p.kind, p.home_area) for k, p in used.items()},
    )
    with node.builder() as builder:
        for spec in specs:
            builder.publish(spec.provider, **spec.content)

    search = new_search_index(search_database_factory, federation.client())
    history = new_history(reporting_database_factory, federation.client())
    search.trust_and_harvest(federation)
    history.trust_and_harvest(federation)

    events = node.events()
    assert len(events) == OFFERS
    publications = [
        national.Publication(node.id, e, load_offer_version(canonical_json(e["data"])))
        for e in events
    ]
    bulk_search = create_engine(search_database_factory())
    bulk_history = create_engine(reporting_database_factory())
    try:
        assert bulk.load(publications, bulk_search, bulk_history, batch_size=10) == OFFERS
        real, loaded = search_state(search.engine), search_state(bulk_search)
        assert len(real["offers"]) == OFFERS
        assert len(real["coverage"]) >= OFFERS and real["terms"]
        assert len(real["places"]) == OFFERS  # every generated offer has one place with a point
        for part in real:
            assert loaded[part] == real[part], part
        real, loaded = history_state(history.engine), history_state(bulk_history)
        assert len(real["versions"]) == OFFERS
        for part in real:
            assert loaded[part] == real[part], part
    finally:
        for engine in (bulk_search, bulk_history, search.engine, history.engine):
            engine.dispose()

    # The generator's documents are the registry's for the same offers.
    for spec, event in zip(specs, events, strict=True):
        written = event["data"]
        ours = national.version_data(
            drawn,
            spec,
            uri=written["uri"],
            id=written["id"],
            agency=(written["agency"]["id"], written["agency"]["name"]),
            published_at=load_offer_version(canonical_json(written))["published_at"],
        )
        assert canonical_json(ours) == canonical_json(written)
        assert national.loaded(ours) == load_offer_version(canonical_json(ours))


def test_the_bulk_path_refuses_what_it_cannot_load(search_database_factory) -> None:
    publication = next(national.published_events(national.generate(1)))
    engine = create_engine(search_database_factory())
    try:
        with pytest.raises(ValueError, match="each offer once"):
            bulk.load([publication, publication], engine)
        with Session(engine) as session:
            assert session.scalar(select(IndexedOffer.id)) is None  # nothing half-written
    finally:
        engine.dispose()


def test_generation_is_deterministic_and_national() -> None:
    first, again = national.generate(3000, seed=1), national.generate(3000, seed=1)
    assert [s.content for s in first.offers()] == [s.content for s in again.offers()]
    assert list(first.offers())[:50] == list(national.generate(50, seed=1).offers())
    assert [s.content for s in national.generate(50, seed=2).offers()] != [
        s.content for s in list(first.offers())[:50]
    ]
    kinds = {p.kind for p in first.providers.values()}
    assert kinds == {"municipality", "county", "region", "state", "voluntary"}
    municipalities = [p for p in first.providers.values() if p.kind == "municipality"]
    assert len(municipalities) == 357
    assert len([p for p in first.providers.values() if p.kind == "county"]) == 15
    seen = national.describe(first)
    assert seen["levels"][1] > seen["levels"][2] > seen["levels"][3]
    assert seen["kinds"].most_common(1)[0][0] == "municipality"
    assert seen["municipalities"]["0301"] > 50 * max(1, seen["municipalities"]["1151"])
