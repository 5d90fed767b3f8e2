"""National reporting: every report for the country, a county, a region and a municipality,
through the reporting API beside the same SQL through the driver.

The history is the synthetic national federation of :mod:`bench.national`, loaded by the bulk
path, with a homogeneous block of :data:`BLOCK` offers added in Drammen (a large
municipality's real shape: one level, one category, one age range, alike names; see
:func:`bench.national.homogeneous_offers`), so the overlaps report compares millions of
candidate pairs there. See :mod:`bench.api` for how the API and its raw baseline are timed.
The overlaps report is timed for the municipalities (:data:`OVERLAP_SCOPES`).

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
    python -m bench.reports           # --smoke for the CI scale
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask, Response
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench import bulk, national
from bench.api import (
    Dataset,
    Query,
    RawDriver,
    Timing,
    app_config,
    captured_statements,
    cli_main,
    growth_results,
    load_result,
    national_dataset,
    time_queries,
    worker_rss,
)
from bench.common import Databases, Result, Scale, percentile
from shared.db import create_engine

BLOCK = 3_000
BLOCK_MUNICIPALITY = "3301"
P95_TARGET_MS = 300
SCOPES = (
    ("NO", "national"),
    ("33", "county Buskerud"),
    ("bufetat-sor", "region Bufetat sør"),
    (BLOCK_MUNICIPALITY, "Drammen"),
    ("0301", "Oslo"),
)
REPORTS = ("pyramid", "coverage", "duties", "overlaps", "quality", "trend")
# The overlaps of the municipalities only: over the country's, a county's or a region's
# offers, the comparison of near-identical descriptions takes minutes a request here (see
# docs/benchmarks.md), more than a run of the benchmarks can give it.
OVERLAP_SCOPES = (BLOCK_MUNICIPALITY, "0301")
QUERIES = (
    *(
        Query(f"{report} {label}", f"/api/v1/reports/{report}?area={area}")
        for report in REPORTS
        for area, label in SCOPES
        if report != "overlaps" or area in OVERLAP_SCOPES
    ),
    Query("comparison Drammen/Buskerud", "/api/v1/reports/comparison?area=3301&other=33"),
)
# Asked again with the ETag of the answer (If-None-Match): a 304 that reads the history's
# count of changes and draws nothing, beside the whole answer.
CONDITIONAL = (
    Query("pyramid national", "/api/v1/reports/pyramid?area=NO"),
    Query("coverage Drammen", f"/api/v1/reports/coverage?area={BLOCK_MUNICIPALITY}"),
    Query("pyramid.xlsx Oslo", "/api/v1/reports/pyramid.xlsx?area=0301"),
)
_BLOCKS: set[str] = set()


def make_app(url: str, folder: Path) -> Flask:
    from services.reporting import create_app

    return create_app({**app_config(url, folder), "PUBLIC_BASE_URL": "https://rapport.test"})


def with_block(dataset: Dataset) -> None:
    """Add the homogeneous block to the dataset's history (once)."""
    if dataset.reporting_url in _BLOCKS:
        return
    engine = create_engine(dataset.reporting_url)
    try:
        federation = national.generate(dataset.size)
        block = national.homogeneous_offers(federation, BLOCK, BLOCK_MUNICIPALITY)
        bulk.load(national.published_events(federation, block), reporting_engine=engine)
    finally:
        engine.dispose()
    _BLOCKS.add(dataset.reporting_url)


def latency_results(timings: list[Timing], size: int) -> list[Result]:
    results = []
    for t in timings:
        p95 = percentile(t.ours, 95) * 1000
        results.append(
            Result(
                benchmark=f"reporting: {t.query.name}, {size:,} offers",
                ours=t.ours_ms,
                raw=t.raw_ms,
                unit="ms",
                lower=True,
                target=f"p95 ≤ {P95_TARGET_MS} ms; median ≤ 1.5× the same SQL",
                met=p95 <= P95_TARGET_MS and t.ours_ms <= 1.5 * t.raw_ms,
                notes=f"median of {len(t.ours)}; p95 {p95:.1f} ms vs "
                f"{percentile(t.raw, 95) * 1000:.1f} ms; {t.statements} statements; "
                f"+{BLOCK:,} homogeneous offers in Drammen",
            )
        )
    return results


def _asked(client: FlaskClient, path: str, etag: str | None = None) -> tuple[float, Response]:
    headers = {"If-None-Match": etag} if etag else {}
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    return time.perf_counter() - started, response


def conditional_results(app: Flask, url: str, size: int, runs: int) -> list[Result]:
    """Each of :data:`CONDITIONAL` asked whole and asked again with its ETag, alternately,
    ``runs`` times after a warm-up; the 304's own SQL through the driver as its baseline."""
    engine = app.extensions["nettungen.db"].engine
    client = app.test_client()
    driver = RawDriver(url)
    results = []
    try:
        for query in CONDITIONAL:
            etag = _asked(client, query.path)[1].headers["ETag"]
            with captured_statements(engine) as statements:
                _, response = _asked(client, query.path, etag)
            if response.status_code != 304:
                raise SystemExit(f"{query.path} with its ETag answered {response.status_code}")
            whole, again, raw = [], [], []
            for _ in range(runs):
                whole.append(_asked(client, query.path)[0])
                again.append(_asked(client, query.path, etag)[0])
                raw.append(driver.run(statements))
            ms, whole_ms = statistics.median(again) * 1000, statistics.median(whole) * 1000
            results.append(
                Result(
                    benchmark=f"reporting: {query.name}, asked again (304), {size:,} offers",
                    ours=ms,
                    raw=statistics.median(raw) * 1000,
                    unit="ms",
                    lower=True,
                    target="a 304 reads the count of changes alone: one statement",
                    met=len(statements) == 1,
                    notes=f"median of {runs}; the whole answer {whole_ms:.1f} ms "
                    f"({whole_ms / ms:.0f}× the 304); {len(statements)} statement(s)",
                )
            )
    finally:
        driver.close()
    return results


def _offers(url: str) -> int:
    from services.reporting.history.models import OfferVersion

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            return int(session.scalar(select(func.count()).select_from(OfferVersion)) or 0)
    finally:
        engine.dispose()


def run(databases: Databases, scale: Scale) -> list[Result]:
    """Every report for every scope at every size, growth from the smallest to the largest,
    and the peak RSS of a reporting worker at the largest."""
    results: list[Result] = []
    by_size: dict[int, list[Timing]] = {}
    for size in scale.offers:
        dataset, fresh = national_dataset(databases, size)
        if fresh:
            results.append(load_result(dataset))
        with_block(dataset)
        versions = _offers(dataset.reporting_url)
        print(f"   {size:,}: {versions:,} versions in the history", flush=True)
        with tempfile.TemporaryDirectory() as folder:
            app = make_app(dataset.reporting_url, Path(folder))
            try:
                by_size[size] = time_queries(app, dataset.reporting_url, QUERIES, scale.runs)
                conditional = conditional_results(app, dataset.reporting_url, size, scale.runs)
            finally:
                app.extensions["nettungen.db"].engine.dispose()
        for row in [*latency_results(by_size[size], size), *conditional]:
            results.append(row)
            print(f"   {row.benchmark}: {row.ours:.1f} ms, raw {row.raw:.1f} ms", flush=True)
    results.extend(growth_results("reporting", by_size, None))
    dataset = national_dataset(databases, max(by_size))[0]
    results.append(worker_rss("reporting", dataset.reporting_url, QUERIES[:12], 2))
    return results


def main() -> None:
    cli_main(run, __doc__)


if __name__ == "__main__":
    main()
