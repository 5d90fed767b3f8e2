"""Search fixtures: a federation of real nodes and a search index over them.

``standard`` is built once per session and only read: three nodes (a municipality node hosting
Drammen and Kongsberg, a county/state node, a voluntary node) with offers of every kind,
harvested into an index, and the search app over it. Tests that change things make their own
federation and index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from tests.federation import (
    BUFETAT_SOR,
    KONGSBERG,
    OSLO,
    RED_CROSS,
    VESTLAND,
    Federation,
    migrated_copies,
    national_app,
)
from tests.publisher.node import ORGANISATIONS
from tests.search.federation import SearchIndex, new_search_index


def make_search_app(url: str, tmp_path: Any, **overrides: Any) -> Flask:
    from services.search import create_app

    # No address search unless a test serves one (tests never reach the network).
    overrides.setdefault("ADDRESS_SEARCH_URL", "")
    return national_app(create_app, url, tmp_path, "https://sok.test", **overrides)


@pytest.fixture(scope="session")
def search_database_factory(database_factory) -> Callable[[], str]:
    """Makes migrated search databases by copying one migrated template."""
    from services.search import db as search_db

    return migrated_copies(database_factory, search_db.upgrade)


@pytest.fixture
def federation(node_database_factory, tmp_path) -> Iterator[Federation]:
    federation = Federation(node_database_factory, tmp_path)
    yield federation
    federation.close()


@pytest.fixture
def index(search_database_factory, federation) -> Iterator[SearchIndex]:
    search_index = new_search_index(search_database_factory, federation.client())
    yield search_index
    search_index.engine.dispose()


@pytest.fixture
def search_app(index, tmp_path) -> Iterator[Flask]:
    """The search app over the test's own index."""
    app = make_search_app(index.url, tmp_path / "search")
    yield app
    app.extensions["nettungen.db"].engine.dispose()


@pytest.fixture
def index_api(search_app):  # type: ignore[no-untyped-def]
    """A client of the search app over the test's own ``index``."""
    return search_app.test_client()


@dataclass
class Standard:
    federation: Federation
    index: SearchIndex
    app: Flask
    ids: dict[str, str]


MUNICIPAL_NODE = {"municipality": ORGANISATIONS["municipality"], "kongsberg": KONGSBERG}
COUNTY_NODE = {
    "county": ORGANISATIONS["county"],
    "state": ORGANISATIONS["state"],
    "vestland": VESTLAND,
    "region": BUFETAT_SOR,
}
VOLUNTARY_NODE = {"voluntary": ORGANISATIONS["voluntary"], "redcross": RED_CROSS}
OSLO_NODE = {"oslo": OSLO}


def _build_standard(federation: Federation) -> dict[str, str]:
    ids: dict[str, str] = {}
    municipal = federation.node("kommune", MUNICIPAL_NODE, page_size=5)
    with municipal.builder() as node:
        ids["helsestasjon"] = node.publish(
            name="Helsestasjon for ungdom",
            description="Åpen helsestasjon for ungdom 13–20 år. Samtaler om kropp, "
            "psykisk helse og prevensjon, uten timeavtale.",
            statutory_duties=["hol-3-2-helsestasjon"],
        )
        ids["foreldrekurs"] = node.publish(
            name="Foreldrekurs: De utrolige årene",
            description="Kurs for foreldre med barn 3–8 år som strever med atferd.",
            level=2,
            category="parent_support",
            audiences=["parents"],
            age_min=3,
            age_max=8,
            free_of_charge=False,
            cost_description="500 kroner.",
            risk_groups=["peer_difficulties"],
            diagnosis_groups=["adhd"],
        )
        ids["sorggruppe"] = node.publish(
            name="Sorggruppe for barn",
            description="Gruppe for barn som har mistet en av foreldrene sine.",
            level=2,
            category="group",
            audiences=["children"],
            age_min=6,
            age_max=12,
            risk_groups=["trauma"],
        )
        ids["kongsberg_ppt"] = node.publish(
            "kongsberg",
            name="PP-tjenesten i Kongsberg",
            description="Pedagogisk-psykologisk tjeneste for barn med lærevansker.",
            level=3,
            category="guidance",
            access="referral",
            coverage=["3303"],
            age_min=0,
            age_max=19,
            risk_groups=["learning_difficulties"],
            diagnosis_groups=["adhd", "language_learning"],
            languages=["nob", "ara"],
        )
        ids["nedlagt"] = node.publish(name="Kurs som ble lagt ned")
        node.revise(ids["sorggruppe"], description="Samtalegruppe for barn i sorg etter dødsfall.")
        node.withdraw(ids["nedlagt"])
    county = federation.node("fylke", COUNTY_NODE, page_size=5)
    with county.builder() as node:
        ids["ungdomslos"] = node.publish(
            "county",
            name="Ungdomslos",
            description="Losen hjelper ungdom som står i fare for å slutte på skolen.",
            coverage=["33"],
            level=2,
            category="guidance",
            age_min=15,
            age_max=21,
            risk_groups=["school_absence"],
        )
        ids["familievern"] = node.publish(
            "region",
            name="Familievernkontoret",
            description="Familieterapi og mekling ved samlivsbrudd.",
            coverage=["bufetat-sor"],
            level=2,
            category="guidance",
            audiences=["families", "parents"],
            age_min=0,
            age_max=18,
            risk_groups=["parental_breakup"],
        )
        ids["bufetat"] = node.publish(
            "state",
            name="Barnevernets akuttberedskap",
            description="Akutt hjelp døgnet rundt når barn trenger det.",
            coverage=["NO"],
            level=3,
            category="public",
            age_min=0,
            age_max=18,
            risk_groups=["child_welfare", "violent_milieu"],
        )
        ids["vestland"] = node.publish(
            "vestland",
            name="Skolehelsetjenesten i Vestland",
            description="Tilbud til elever i videregående skole i Vestland.",
            coverage=["46"],
            age_min=15,
            age_max=19,
        )
    voluntary = federation.node("frivillig", VOLUNTARY_NODE, page_size=5)
    with voluntary.builder() as node:
        ids["leksehjelp"] = node.publish(
            "voluntary",
            name="Leksehjelp for alle",
            description="Gratis leksehjelp på biblioteket for elever i grunnskolen.",
            category="voluntary_association",
            coverage=["NO"],
            age_min=6,
            age_max=16,
            audiences=["children", "youth"],
        )
        ids["besokshjem"] = node.publish(
            "redcross",
            name="Besøkshjem for barn",
            description="Frivillige familier som gir barn en ekstra voksen å være hos.",
            category="voluntary_club",
            coverage=["3301", "3303"],
            age_min=6,
            age_max=15,
            audiences=["children"],
        )
    return ids


@pytest.fixture(scope="session")
def standard(
    node_database_factory, search_database_factory, tmp_path_factory
) -> Iterator[Standard]:
    tmp_path = tmp_path_factory.mktemp("standard")
    federation = Federation(node_database_factory, tmp_path)
    registry_ids = _build_standard(federation)
    # National services know offers by their service ids (bound to the URI at the node).
    ids = {
        name: node.public_id(offer_id)
        for name, offer_id in registry_ids.items()
        for node in federation.nodes.values()
        if any(e["subject"].endswith(f"/offers/{offer_id}") for e in node.events())
    }
    index = new_search_index(search_database_factory, federation.client())
    index.trust_and_harvest(federation)
    app = make_search_app(index.url, tmp_path / "search")
    yield Standard(federation, index, app, ids)
    app.extensions["nettungen.db"].engine.dispose()
    index.engine.dispose()
    federation.close()


@pytest.fixture
def api(standard):  # type: ignore[no-untyped-def]
    return standard.app.test_client()


# An offer name that tries to end the map's JSON block and run a script.
MAP_TRICKY_NAME = "Kurs </script><script>alert('x')</script> & \"mer\""


def _map_place(name: str, latitude: float, longitude: float) -> dict[str, Any]:
    return {"name": name, "latitude": latitude, "longitude": longitude}


@pytest.fixture
def mapped(federation, index, tmp_path):
    """Offers with points in Drammen, in Oslo and Hokksund (one offer), one whose name tries to
    end the JSON block, and one with a place but no point; harvested. A function making
    the search app with settings, and the offers' public ids."""
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        ids = {
            "drammen": b.publish(
                name="Helsestasjon i Drammen", locations=[_map_place("Bragernes", 59.7441, 10.2045)]
            ),
            "two": b.publish(
                name="Familiesenter i to byer",
                locations=[
                    _map_place("Oslo", 59.9133, 10.7389),
                    _map_place("Hokksund", 59.7706, 9.9106),
                ],
            ),
            "tricky": b.publish(
                name=MAP_TRICKY_NAME, locations=[_map_place("<b>Torget</b>", 59.75, 10.2)]
            ),
            "no_point": b.publish(name="Tilbud uten punkt", locations=[{"name": "Et sted"}]),
        }
    index.trust_and_harvest(federation)
    apps = []

    def app(**settings: Any) -> Flask:
        made = make_search_app(index.url, tmp_path / f"search{len(apps)}", **settings)
        apps.append(made)
        return made

    yield app, {name: node.public_id(i) for name, i in ids.items()}
    for made in apps:
        made.extensions["nettungen.db"].engine.dispose()
