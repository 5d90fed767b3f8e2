"""Each organisation's name and kind as the national directory has them: search shows those,
not what the node's events say (a node may not rename or reclassify who provides an offer)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.cli import main
from services.search.index.models import IndexedOffer
from shared.errors import InvalidInput, NotFound
from shared.ingest import directory
from tests.publisher.node import ORGANISATIONS

DRAMMEN = ORGANISATIONS["municipality"][0]


@pytest.fixture
def node(federation):
    # The node calls Drammen a voluntary body, under another name.
    return federation.node(
        "kommune", {"municipality": (DRAMMEN, "Drammen frivilligsentral", "voluntary", "3301")}
    )


def _providers(index) -> list[tuple[str, str]]:
    with Session(index.engine) as session:
        return list(session.execute(select(IndexedOffer.provider_name, IndexedOffer.provider_kind)))


def test_search_shows_the_directorys_name_and_kind(node, index, monkeypatch, tmp_path):
    index.trust(node)
    monkeypatch.setenv("DATABASE_URL", index.url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(
        main,
        ["search", "nodes", "set", node.id, "--org", f"{DRAMMEN}:Drammen kommune:municipality"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    with node.builder() as b:
        b.publish()
    index.apply(node.events())
    assert _providers(index) == [("Drammen kommune", "municipality")]


def test_without_a_canonical_name_the_nodes_stands(node, index):
    index.trust(node)
    with node.builder() as b:
        b.publish()
    index.apply(node.events())
    assert _providers(index) == [("Drammen frivilligsentral", "voluntary")]


def test_a_canonical_name_needs_a_known_kind_and_an_organisation_of_the_node(node, index):
    index.trust(node)
    with index.sessions.begin() as session:
        with pytest.raises(InvalidInput):
            directory.name_organisation(session, node.id, DRAMMEN, "Drammen", "church")
        with pytest.raises(NotFound):
            directory.name_organisation(
                session, node.id, ORGANISATIONS["county"][0], "Buskerud", "county"
            )


def test_org_values_of_nodes_add_and_set():
    import click

    from shared.ingest.report_cli import split_orgs

    assert split_orgs(["910000012", "910000020:Buskerud: fylke:county"]) == (
        ["910000012", "910000020"],
        [("910000020", "Buskerud: fylke", "county")],
    )
    with pytest.raises(click.BadParameter):
        split_orgs(["910000012:Drammen"])
