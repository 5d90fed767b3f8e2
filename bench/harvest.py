"""A full LDES harvest of a big node by our harvester, beside reading the same rows directly.

The node's log holds ``scale.harvest_versions`` signed versions (built in bulk, see
:mod:`bench.nodes`). The real publisher app serves it under gunicorn (one sync worker, the
service's own config file) over HTTP on loopback. ``shared.ingest.harvester`` harvests it in
full, in its own process, into a fresh search index: every page fetched as signed CloudEvents,
every event verified and applied through search's sink, round after round with the default
bounds until the node has nothing new. The raw baseline reads the same log rows straight from
the node's database. Each run starts from an empty index; the publisher keeps its page cache
between runs, as it would between harvesters.

    BENCH_DATABASE_URL=... python -m bench.harvest
"""

from __future__ import annotations

import statistics
import time

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bench.common import Databases, Result, Scale, rss_result, run_module
from bench.nodes import NODE_ID, build_node, forget_index, log_size, trust
from bench.processes import free_port, gunicorn, in_process
from shared.publication.models import LogEntry

TARGET = 9_000  # members/s


def harvest_in_full(search_url: str) -> tuple[int, float]:
    """In the harvester's own process: harvest the benchmark node until it has nothing new;
    (versions applied, seconds)."""
    from services.search.index.sink import SearchSink
    from shared.db import create_engine
    from shared.ingest.directory import DirectoryCache
    from shared.ingest.harvester import Harvester
    from shared.ingest.http import new_client
    from shared.ingest.verifier import Verifier

    engine = create_engine(search_url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    client = new_client()
    cache = DirectoryCache(sessions)
    harvester = Harvester(sessions, SearchSink(), Verifier(sessions, cache, client), client)
    node = cache.current().get(NODE_ID)
    assert node is not None  # noqa: S101 - trusted before the process started
    applied = 0
    started = time.perf_counter()
    while True:
        report = harvester.harvest(node)
        if report.error or report.rejected:
            raise RuntimeError(f"the harvest failed: {report}")
        applied += report.applied
        if report.pages == 0:
            break
    seconds = time.perf_counter() - started
    harvester.close()
    client.close()
    engine.dispose()
    return applied, seconds


def read_directly(engine: Engine, expected: int) -> float:
    """Every log row, in order, straight from the node's database: rows per second."""
    started = time.perf_counter()
    count = 0
    with Session(engine) as session:
        result = session.execute(
            select(LogEntry).order_by(LogEntry.seq).execution_options(yield_per=2_000)
        )
        for _ in result.scalars():
            count += 1
    seconds = time.perf_counter() - started
    if count != expected:
        raise RuntimeError(f"read {count} log rows, expected {expected}")
    return count / seconds


def run(databases: Databases, scale: Scale) -> list[Result]:
    port = free_port()
    node_engine, node_url = databases.node()
    built = time.perf_counter()
    node = build_node(node_engine, node_url, f"http://127.0.0.1:{port}", scale.harvest_versions)
    build_seconds = time.perf_counter() - built
    versions = log_size(node_engine)
    search_engine, search_url = databases.search_with_url()
    trust(search_engine, node)
    ours, raw, harvester_rss = [], [], []
    environment = {
        "DATABASE_URL": node_url,
        "NODE_BASE_URL": node.base_url,
        "INSTANCE_PATH": str(databases.folder / "publisher"),
        "BROKER_URL": databases.broker,
    }
    with gunicorn("publisher", port, environment) as publisher:
        for _ in range(scale.runs):
            forget_index(search_engine)
            (applied, seconds), rss = in_process(harvest_in_full, search_url)
            if applied != versions:
                raise RuntimeError(f"the harvester applied {applied} of {versions} versions")
            ours.append(applied / seconds)
            harvester_rss.append(rss)
            raw.append(read_directly(node_engine, versions))
        publisher_rss = publisher.worker_peak_rss_mb()
    median = statistics.median(ours)
    notes = (
        f"{versions:,} versions, {scale.runs} runs (min {min(ours):,.0f}, max {max(ours):,.0f}); "
        f"publisher: gunicorn, 1 sync worker, loopback HTTP; node built in {build_seconds:.0f} s"
    )
    return [
        Result(
            "LDES harvest, full (members/s)",
            median,
            statistics.median(raw),
            "members/s",
            lower=False,
            target=f"≥ {TARGET:,} members/s",
            met=median >= TARGET,
            notes=notes + "; raw: the same rows read from the node's database",
        ),
        rss_result("harvester", max(harvester_rss), f"harvesting {versions:,} versions"),
        rss_result("publisher web worker", publisher_rss, f"serving {versions:,} versions"),
    ]


def main() -> None:
    run_module(run)


if __name__ == "__main__":
    main()
