"""What every benchmark needs: fresh databases and a bus, percentiles, a printed table.

``BENCH_DATABASE_URL`` (a PostgreSQL server) and ``BENCH_BROKER_URL`` (RabbitMQ) choose the
real backends; without them the embedded defaults run in a temporary folder.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from shared.db import create_engine

# The registry's service layer as the tests drive it signs with the test passphrase.
from tests.conftest import TEST_PASSPHRASE


@dataclass
class Databases:
    server: str | None
    broker: str
    folder: Path
    created: list[str] = field(default_factory=list)
    engines: list[Engine] = field(default_factory=list)

    @classmethod
    def from_environment(cls) -> Databases:
        folder = Path(tempfile.mkdtemp(prefix="nettungen-bench-"))
        broker = os.environ.get("BENCH_BROKER_URL") or f"embedded://{folder / 'bus.sqlite'}"
        return cls(os.environ.get("BENCH_DATABASE_URL"), broker, folder)

    def _new(self, name: str) -> str:
        database = f"ntg_bench_{name}_{uuid.uuid4().hex[:8]}"
        if self.server is None:  # each its own file: a run may make several of one kind
            return f"sqlite:///{self.folder / (database + '.sqlite')}"
        admin = sa_create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        admin.dispose()
        self.created.append(database)
        return make_url(self.server).set(database=database).render_as_string(hide_password=False)

    def _engine(self, url: str) -> Engine:
        engine = create_engine(url, sqlite_begin="IMMEDIATE")
        self.engines.append(engine)
        return engine

    def node(self) -> tuple[Engine, str]:
        """A migrated node database with its signing key."""
        from services.registry import db as registry_db
        from services.registry.accounts.permissions import Actor
        from services.registry.duties import services as duties
        from shared.publication import keys

        url = self._new("node")
        registry_db.upgrade(url)
        engine = self._engine(url)
        with Session(engine) as session, session.begin():
            duties.seed_catalogue(session, Actor.operator(), duties.load_catalogue_file())
            keys.generate_key(session, keys.Signer(TEST_PASSPHRASE))
        return engine, url

    def search(self) -> Engine:
        return self.search_with_url()[0]

    def search_with_url(self) -> tuple[Engine, str]:
        """A migrated search database, and its URL for processes of its own."""
        from services.search import db as search_db

        url = self._new("search")
        search_db.upgrade(url)
        return self._engine(url), url

    def reporting(self) -> Engine:
        from services.reporting import db as reporting_db

        url = self._new("reporting")
        reporting_db.upgrade(url)
        return self._engine(url)

    def drop_queue(self, broker: str, queue: str) -> None:
        if broker.startswith("amqp"):
            from kombu import Connection

            with Connection(broker) as conn:
                channel = conn.channel()
                for name in (queue, f"{queue}.dead"):
                    channel.queue_delete(name)

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if self.server and self.created:
            admin = sa_create_engine(self.server, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for database in self.created:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            admin.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


class Unsupported(Exception):  # noqa: N818 - a verdict on the backends, not a failure
    """A benchmark that cannot run on the configured backends (the message says what it needs)."""


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print(" | ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))


@dataclass
class Result:
    """One row of docs/benchmarks.md: our figure beside the raw baseline measured in the same run.

    ``ours`` and ``raw`` are medians (of at least five runs at full scale) in ``unit``; ``lower``
    says whether a lower figure is better (latencies, memory) or a higher one (throughputs).
    ``ratio`` is ours/raw for latencies and ours/raw for throughputs alike; ``target`` says in
    words what the issue asks and ``met`` whether this run met it. ``notes`` carries what a reader
    needs to judge the figure (scale, runs, p95 beside p50 ...).
    """

    benchmark: str
    ours: float
    raw: float | None
    unit: str
    lower: bool
    target: str
    met: bool
    notes: str = ""

    @property
    def ratio(self) -> float | None:
        return None if not self.raw else self.ours / self.raw


@dataclass(frozen=True)
class Scale:
    """How big one run of the benchmarks is: the full issue-8 scale, or the CI smoke."""

    offers: tuple[int, ...] = (5_000, 50_000, 500_000)  # national sizes for search and reports
    runs: int = 5  # every figure is the median of this many runs
    publications: int = 1_000  # publish → searchable
    harvest_versions: int = 100_000  # one node's LDES log, harvested in full
    ingest_events: int = 20_000  # events through search's ingest
    smoke: bool = False


SMOKE = Scale(
    offers=(500, 2_000),
    runs=2,
    publications=50,
    harvest_versions=2_000,
    ingest_events=1_000,
    smoke=True,
)

# Every benchmark module exposes ``run(databases: Databases, scale: Scale) -> list[Result]``;
# ``python -m bench`` runs them all and writes docs/benchmarks.md.

RSS_TARGET_MB = 200  # peak resident memory of any one service process


def rss_result(process: str, megabytes: float, load: str) -> Result:
    """A peak-memory row: there is no raw baseline for a process's own footprint."""
    return Result(
        f"peak RSS: {process}",
        megabytes,
        None,
        "MB",
        lower=True,
        target=f"≤ {RSS_TARGET_MB} MB",
        met=megabytes <= RSS_TARGET_MB,
        notes=load,
    )


def _figure(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


TABLE_HEADER = ("benchmark", "ours", "raw", "unit", "ratio", "target", "met", "notes")


def table_rows(results: Sequence[Result]) -> list[tuple[str, ...]]:
    """The rows of the results table: absolute figures, raw baseline, ours/raw, the target."""
    rows: list[tuple[str, ...]] = []
    for result in results:
        ratio = result.ratio
        rows.append(
            (
                result.benchmark,
                _figure(result.ours),
                _figure(result.raw),
                result.unit,
                "–" if ratio is None else f"{ratio:.2f}",
                result.target or "–",
                ("yes" if result.met else "NO") if result.target else "–",
                result.notes,
            )
        )
    return rows


def run_module(run: Callable[[Databases, Scale], list[Result]]) -> list[Result]:
    """``python -m bench.<module> [--smoke]``: one benchmark on the configured backends."""
    import argparse

    parser = argparse.ArgumentParser(description=(run.__module__ or "").rpartition(".")[2])
    parser.add_argument("--smoke", action="store_true", help="the small CI scale")
    args = parser.parse_args()
    databases = Databases.from_environment()
    try:
        results = run(databases, SMOKE if args.smoke else Scale())
    finally:
        databases.close()
    print_table(TABLE_HEADER, table_rows(results))
    return results
