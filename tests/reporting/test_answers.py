"""The reports' answers, fixed: every report for the country, a county, a region, municipalities
and an organisation, on a fixed national data set with a homogeneous block, as the API gave them
before the reports were made faster (issue 21).

The data set is :mod:`bench.national`'s federation of :data:`OFFERS` offers (seed :data:`SEED`)
and a block of :data:`BLOCK` offers of Drammen's own provider, all on level 2, in one category,
for ages 6–12 and for everyone (no risk group), spread over its five agencies in turn
(:func:`bench.national.homogeneous_offers`), loaded by the bulk path
(tests/bench/test_national.py proves it gives the state the real ingest gives).

Two kinds of expectation:

- by hand, for the block: the drawn offers above level 1 all name a risk group, so a block
  offer overlaps exactly the other block offers of another agency. 40 offers over 5 agencies
  (8 each) make C(40, 2) − 5 · C(8, 2) = 780 − 140 = 640 overlapping pairs, in every area that
  holds Drammen;
- "the same as before": every answer, as JSON, equal to the one in ``answers.json`` beside
  this file (gzipped JSON), written by the code before the change (``NETTUNGEN_WRITE_ANSWERS=1``
  writes it again, for a change that means to change an answer). The same file holds for
  SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bench import bulk, national
from shared.db import create_engine
from tests.reporting.conftest import make_reporting_app

OFFERS = 160
SEED = 21
BLOCK = 40
AT = "2026-06-30"
ANSWERS = Path(__file__).with_name("answers.json.gz")
BLOCK_PREFIX = "https://c33-block.nasjonal.test/"
DRAMMEN_ORGNR = national.generate(OFFERS, SEED).providers["m3301"].organisation_number

SCOPES = {
    "national": "area=NO",
    "county": "area=33",
    "region": "area=bufetat-sor",
    "municipality": "area=3301",
    "small municipality": "area=1151",
    "organisation": f"organisation={DRAMMEN_ORGNR}",
}
REPORTS = ("pyramid", "coverage", "duties", "overlaps", "quality", "trend")
# Overlaps list 25 pairs of each kind (the totals count all) but for Drammen, listed as by default.
PATHS = [
    *(
        f"/api/v1/reports/{report}?{scope}&at={AT}" + ("&limit=25" if report == "overlaps" else "")
        for report, scope in itertools.product(REPORTS, SCOPES.values())
    ),
    f"/api/v1/reports/trend?area=33&at={AT}&months=36",
    f"/api/v1/reports/overlaps?area=3301&at={AT}",
    f"/api/v1/reports/comparison?area=3301&other=33&at={AT}",
    f"/api/v1/reports/comparison?area=NO&other=bufetat-sor&at={AT}",
    f"/api/v1/reports/offers?area=3301&at={AT}&level=2&per_page=500",
    f"/api/v1/reports/offers?area=NO&at={AT}&overdue=true&page=2&per_page=20",
    f"/api/v1/reports/pyramid/agencies.csv?area=33&at={AT}",
    f"/api/v1/reports/coverage/resources_duties.csv?area=NO&at={AT}",
]


@pytest.fixture(scope="module")
def answers_app(reporting_database_factory, tmp_path_factory) -> Iterator[Flask]:
    url = reporting_database_factory()
    engine = create_engine(url)
    federation = national.generate(OFFERS, SEED)
    block = national.homogeneous_offers(federation, BLOCK)
    bulk.load(
        itertools.chain(
            national.published_events(federation),
            national.published_events(federation, block),
        ),
        reporting_engine=engine,
    )
    engine.dispose()
    app = make_reporting_app(url, tmp_path_factory.mktemp("answers"))
    yield app
    app.extensions["nettungen.db"].engine.dispose()


def _answer(app: Flask, path: str) -> Any:
    response = app.test_client().get(path)
    assert response.status_code == 200, (path, response.get_data()[:500])
    if response.is_json:
        return response.get_json()
    return response.get_data(as_text=True)


def test_block_pairs_overlap_by_hand(answers_app: Flask) -> None:
    for scope in ("area=3301", "area=33", "area=bufetat-sor", "area=NO"):
        report = _answer(answers_app, f"/api/v1/reports/overlaps?{scope}&at={AT}&limit=1000")
        assert report["summary"]["overlapping"] < 1000  # so every pair is listed
        rows = report["tables"][0]["rows"]
        offers = ((r["cells"][2], r["cells"][5]) for r in rows)  # the pair's two names
        block = [
            r
            for r, pair in zip(rows, offers, strict=True)
            if all(c.get("link", "").startswith(BLOCK_PREFIX) for c in pair)
        ]
        assert len(block) == 640, scope
        assert {r["cells"][0]["value"] for r in block} == {2}


def test_answers_are_as_before(answers_app: Flask) -> None:
    found = {path: _answer(answers_app, path) for path in PATHS}
    if os.environ.get("NETTUNGEN_WRITE_ANSWERS"):
        text = json.dumps(found, ensure_ascii=False, sort_keys=True, indent=0) + "\n"
        # mtime=0: the same answers give the same bytes
        ANSWERS.write_bytes(gzip.compress(text.encode(), mtime=0))
    expected = json.loads(gzip.decompress(ANSWERS.read_bytes()))
    assert sorted(found) == sorted(expected)
    for path in PATHS:
        assert found[path] == expected[path], path
