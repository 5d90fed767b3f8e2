"""Timing a national service's API beside the same SQL through the driver alone.

The API is timed through Flask's test client, in this process: a request goes through the
whole service (routing, argument parsing, one session and transaction, the queries, building
and serialising the answer) but not through a socket or gunicorn, which would add a
constant the raw baseline has no counterpart for. The baseline is the very SQL the request
ran, captured from the engine as it was sent (statement and parameters), executed again on a
connection of the bare driver (psycopg, or sqlite3) with every row fetched. What the API costs
beyond that is our code.

Peak memory is measured on a real gunicorn worker (one worker, the service's own app) that
serves the same requests; its ``VmHWM`` is the peak resident set.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from flask import Flask
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from bench import bulk, national
from bench.common import Databases, Result, Scale, percentile

RSS_TARGET_MB = 200


@dataclass(frozen=True)
class Dataset:
    """A national federation of ``size`` offers loaded into a search index and a history."""

    size: int
    search_url: str
    reporting_url: str
    load_seconds: float


_LOADED: dict[tuple[int, int], Dataset] = {}


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def national_dataset(databases: Databases, size: int) -> tuple[Dataset, bool]:
    """The dataset of ``size`` offers, loaded once per run for every module that needs it;
    the flag says whether this call loaded it."""
    key = (id(databases), size)
    if key in _LOADED:
        return _LOADED[key], False
    search, reporting = databases.search(), databases.reporting()
    started = time.monotonic()
    bulk.load(national.published_events(national.generate(size)), search, reporting)
    dataset = Dataset(size, _url(search), _url(reporting), time.monotonic() - started)
    _LOADED[key] = dataset
    return dataset, True


def load_result(dataset: Dataset) -> Result:
    return Result(
        benchmark=f"national bulk load, {dataset.size:,} offers (search index + history)",
        ours=dataset.load_seconds,
        raw=None,
        unit="s",
        lower=True,
        target="aim: under 3 minutes for 500,000 on PostgreSQL",
        met=dataset.load_seconds <= 180 or dataset.size < 500_000,
        notes="generation, row building and COPY/executemany, indexes built at the end",
    )


Statements = list[tuple[str, Any]]


@contextmanager
def captured_statements(engine: Engine) -> Iterator[Statements]:
    """The SQL (and its parameters) ``engine`` sends inside the block."""
    statements: Statements = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", keep)


def captured(app: Flask, path: str) -> tuple[float, Statements]:
    """One request to ``path``: its time (seconds) and the SQL it sent."""
    with captured_statements(app.extensions["nettungen.db"].engine) as statements:
        seconds, _ = timed_request(app, path)
    return seconds, statements


def timed_request(app: Flask, path: str) -> tuple[float, int]:
    client = app.test_client()
    started = time.perf_counter()
    response = client.get(path)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}: {response.get_data()[:300]!r}")
    return seconds, len(response.get_data())


class RawDriver:
    """A connection of the bare driver, replaying captured statements."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.connection: Any
        if parsed.get_backend_name() == "postgresql":
            import psycopg

            self.connection = psycopg.connect(
                parsed.set(drivername="postgresql").render_as_string(hide_password=False)
            )
        else:
            self.connection = sqlite3.connect(parsed.database or "")

    def run(self, statements: Statements) -> float:
        started = time.perf_counter()
        cursor = self.connection.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        self.connection.rollback()
        return time.perf_counter() - started

    def close(self) -> None:
        self.connection.close()


@dataclass(frozen=True)
class Query:
    name: str
    path: str


@dataclass
class Timing:
    query: Query
    size: int
    ours: list[float]
    raw: list[float]
    statements: int

    @property
    def ours_ms(self) -> float:
        return statistics.median(self.ours) * 1000

    @property
    def raw_ms(self) -> float:
        return statistics.median(self.raw) * 1000


def time_queries(app: Flask, url: str, queries: Sequence[Query], runs: int) -> list[Timing]:
    """Each query through the API and as raw SQL, alternately, ``runs`` times after one
    warm-up of each."""
    driver = RawDriver(url)
    timings = []
    try:
        for query in queries:
            _, statements = captured(app, query.path)
            driver.run(statements)
            ours, raw = [], []
            for _ in range(runs):
                ours.append(timed_request(app, query.path)[0])
                raw.append(driver.run(statements))
            timings.append(Timing(query, 0, ours, raw, len(statements)))
    finally:
        driver.close()
    return timings


def latency_results(service: str, timings: Sequence[Timing], size: int) -> list[Result]:
    return [
        Result(
            benchmark=f"{service}: {t.query.name}, {size:,} offers",
            ours=t.ours_ms,
            raw=t.raw_ms,
            unit="ms",
            lower=True,
            target="median ≤ 1.5× the same SQL through the driver",
            met=t.ours_ms <= 1.5 * t.raw_ms,
            notes=f"median of {len(t.ours)}; p95 {percentile(t.ours, 95) * 1000:.1f} ms "
            f"vs {percentile(t.raw, 95) * 1000:.1f} ms; {t.statements} statements",
        )
        for t in timings
    ]


def growth_results(
    service: str, by_size: dict[int, list[Timing]], limit: float | None
) -> list[Result]:
    """The API's median at the largest size against the smallest, per query."""
    smallest, largest = min(by_size), max(by_size)
    if smallest == largest:
        return []
    results = []
    for first, last in zip(by_size[smallest], by_size[largest], strict=True):
        growth = last.ours_ms / first.ours_ms
        results.append(
            Result(
                benchmark=f"{service} growth: {first.query.name}, "
                f"{largest:,} vs {smallest:,} offers",
                ours=last.ours_ms,
                raw=first.ours_ms,
                unit="ms",
                lower=True,
                target=f"≤ {limit:g}× slower at {largest:,} than at {smallest:,}"
                if limit
                else "reported, no target",
                met=limit is None or growth <= limit,
                notes=f"raw = the API at {smallest:,} offers; ratio is the growth; raw SQL "
                f"grew {last.raw_ms / first.raw_ms:.2f}×",
            )
        )
    return results


def run_service(
    service: str,
    make_app: Callable[[str, Path], Flask],
    url_of: Callable[[Dataset], str],
    queries: Sequence[Query],
    databases: Databases,
    scale: Scale,
    growth_limit: float | None,
) -> list[Result]:
    """Load (or reuse) each size's dataset, time every query, and the worker's peak RSS at
    the largest size."""
    results: list[Result] = []
    by_size: dict[int, list[Timing]] = {}
    for size in scale.offers:
        dataset, fresh = national_dataset(databases, size)
        if fresh:
            results.append(load_result(dataset))
        with tempfile.TemporaryDirectory() as folder:
            app = make_app(url_of(dataset), Path(folder))
            try:
                by_size[size] = time_queries(app, url_of(dataset), queries, scale.runs)
            finally:
                app.extensions["nettungen.db"].engine.dispose()
        results.extend(latency_results(service, by_size[size], size))
    results.extend(growth_results(service, by_size, growth_limit))
    largest = national_dataset(databases, max(scale.offers))[0]
    results.append(worker_rss(service, url_of(largest), queries, max(2, scale.runs)))
    return results


def app_config(url: str, folder: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(folder),
        "BROKER_URL": f"embedded://{folder / 'bus.sqlite'}",
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_rss(service: str, url: str, queries: Sequence[Query], rounds: int) -> Result:
    """Peak RSS of one gunicorn worker of ``service`` serving every query ``rounds`` times."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, **app_config(url, Path(folder))}
        master = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "1",
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "300",
                f"services.{service}:create_app()",
            ],  # fmt: skip
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=300) as client:
                _wait_until_up(client)
                booted = _worker_memory(master.pid)[1]
                for _ in range(rounds):
                    for query in queries:
                        client.get(query.path).raise_for_status()
                peak, _ = _worker_memory(master.pid)
        finally:
            master.terminate()
            master.wait(timeout=30)
    return Result(
        benchmark=f"{service}: peak RSS of one API worker",
        ours=peak,
        raw=None,
        unit="MB",
        lower=True,
        target=f"≤ {RSS_TARGET_MB} MB per worker",
        met=peak <= RSS_TARGET_MB,
        notes=f"gunicorn worker serving every query {rounds}× on the largest dataset; "
        f"{booted:.0f} MB after boot",
    )


def _wait_until_up(client: httpx.Client) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if client.get("/openapi.json").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("the gunicorn worker did not start")


def _worker_memory(master: int) -> tuple[float, float]:
    """(peak, current) resident memory of the master's worker, in MB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text().splitlines()
    values = {line.split(":")[0]: line.split()[1] for line in status if line.startswith("Vm")}
    return int(values["VmHWM"]) / 1024, int(values["VmRSS"]) / 1024


def cli_main(run: Callable[[Databases, Scale], list[Result]], doc: str | None) -> None:
    """``python -m bench.<module> [--smoke]``: run at full scale (or the CI smoke's) on the
    backends the environment names, print the table, drop the databases."""
    import argparse

    from bench.common import SMOKE, print_table

    parser = argparse.ArgumentParser(description=(doc or "").split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="the CI smoke scale")
    args = parser.parse_args()
    databases = Databases.from_environment()
    started = time.monotonic()
    try:
        results = run(databases, SMOKE if args.smoke else Scale())
    finally:
        databases.close()
    print_table(
        ["benchmark", "ours", "raw", "unit", "ratio", "target", "met", "notes"],
        [
            [
                r.benchmark,
                f"{r.ours:.1f}",
                "" if r.raw is None else f"{r.raw:.1f}",
                r.unit,
                "" if r.ratio is None else f"{r.ratio:.2f}",
                r.target,
                "yes" if r.met else "NO",
                r.notes,
            ]  # fmt: skip
            for r in results
        ],
    )
    print(f"\n{len(results)} rows in {time.monotonic() - started:.0f} s")
