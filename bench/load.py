"""National search through gunicorn over loopback HTTP: the public site's search page one request
at a time, and a mix of site pages and API searches under 16 concurrent clients (``wrk``).

Each size of ``scale.offers`` is the national dataset of :mod:`bench.search` (loaded by the
bulk path). Two rows per size:

- *site page over HTTP*: the site's search page (HTML, facets always) for Oslo and for Utsira
  with a word, one request at a time from one client to gunicorn with one sync worker; p95 of
  the requests. Raw: the same SQL the page sent, replayed through the bare driver.
- *load*: gunicorn with ``LOAD_WORKERS`` sync workers, ``wrk`` with 16 connections on 2
  threads for ``LOAD_SECONDS``, each connection going round ``MIX`` (site pages and API
  searches, with and without words and facets); requests/s, p95 from wrk's latency histogram,
  and errors (sockets, timeouts and statuses ≥ 400). Raw: the same wrk against the same
  gunicorn serving a fixed answer of the size of a search's (:func:`static_app`), which is what
  the web server, the loopback and the load generator allow on this machine without the
  application.

``wrk`` is the Debian package of that name (.ci/run installs it). Without it the CI smoke run
skips this module and says why; a full run fails.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
    python -m bench.load            # --smoke for the CI scale
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench.api import (
    RawDriver,
    _free_port,
    _wait_until_up,
    app_config,
    captured,
    national_dataset,
)
from bench.common import Databases, Result, Scale, Unsupported, percentile
from bench.search import OSLO, UTSIRA, make_app

SITE_PAGES = (
    ("site page over HTTP: Oslo", f"/sok?municipality={OSLO}"),
    ("site page over HTTP: Utsira + words", f"/sok?municipality={UTSIRA}&q=barn"),
)
# What 16 clients ask, in turn: the site's pages and the API, words or none, facets or none.
MIX = (
    f"/sok?municipality={OSLO}",
    f"/sok?municipality={UTSIRA}&q=barn",
    "/sok?q=foreldre&level=2",
    f"/api/v1/offers?municipality={OSLO}&facets=false",
    f"/api/v1/offers?municipality={UTSIRA}&q=barn",
    "/api/v1/offers?q=mestring&risk_group=bullying",
    "/api/v1/offers",
    f"/api/v1/offers?municipality={OSLO}&q=foreldre&level=2&level=3&free=true&facets=false",
    "/api/v1/offers?county=33&page=3&facets=false",
    "/api/v1/offers?region=bufetat-sor&category=parent_support",
)
CLIENTS = 16
LOAD_WORKERS = 3  # as the measurement of 20 requests/s at 50,000 offers
LOAD_SECONDS = 30
SMOKE_SECONDS = 2
SITE_REQUESTS = 20
SITE_TARGET_MS = 250
LOAD_TARGET_RPS = 100
LOAD_TARGET_P95_MS = 500
# The fixed answer of the raw baseline: about the size of a 20-offer search answer.
STATIC_BODY = json.dumps({"items": [{"name": "x" * 600}] * 20}).encode()

_WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%%d,"duration_us":%%d,"p50":%%d,"p95":%%d,' ..
    '"p99":%%d,"errors":%%d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def static_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The raw baseline's application: the same fixed JSON answer to every request."""
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(STATIC_BODY)))]
    )
    return [STATIC_BODY]


@contextlib.contextmanager
def serving(app: str, url: str, workers: int) -> Iterator[str]:
    """gunicorn with ``workers`` sync workers serving ``app`` on the database ``url``; yields
    its base address."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        environment = {**os.environ, **app_config(url, Path(folder))}
        environment["PUBLIC_BASE_URL"] = "https://sok.test"
        master = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--timeout",
                "300",
                "--backlog",
                "256",
                app,
            ],  # fmt: skip
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=300) as client:
                if app == "bench.load:static_app":
                    _wait_for(client, "/")
                else:
                    _wait_until_up(client)
            yield base
        finally:
            master.terminate()
            try:
                master.wait(timeout=30)
            except subprocess.TimeoutExpired:  # never leave a server behind
                master.kill()
                master.wait()


def _wait_for(client: httpx.Client, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if client.get(path).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def _load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def site_pages(url: str, size: int, requests: int) -> list[Result]:
    """The site's search page through gunicorn (one worker) over loopback, one request at a
    time, beside the same SQL replayed through the bare driver."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(url, Path(folder))
        statements = {path: captured(app, path)[1] for _, path in SITE_PAGES}
        app.extensions["nettungen.db"].engine.dispose()
    driver = RawDriver(url)
    try:
        with (
            serving("services.search:create_app()", url, 1) as base,
            httpx.Client(base_url=base, timeout=300) as client,
        ):
            for name, path in SITE_PAGES:
                client.get(path).raise_for_status()
                driver.run(statements[path])
                ours, raw = [], []
                load = _load_average()
                for _ in range(requests):
                    started = time.perf_counter()
                    client.get(path).raise_for_status()
                    ours.append(time.perf_counter() - started)
                    raw.append(driver.run(statements[path]))
                p95, raw95 = percentile(ours, 95) * 1000, percentile(raw, 95) * 1000
                results.append(
                    Result(
                        benchmark=f"{name}, {size:,} offers (p95)",
                        ours=p95,
                        raw=raw95,
                        unit="ms",
                        lower=True,
                        target=f"p95 ≤ {SITE_TARGET_MS} ms (at 500,000 offers)",
                        met=p95 <= SITE_TARGET_MS,
                        notes=f"{requests} requests, gunicorn 1 sync worker, loopback HTTP; "
                        f"median {statistics.median(ours) * 1000:.1f} ms vs raw "
                        f"{statistics.median(raw) * 1000:.1f} ms; raw: the page's "
                        f"{len(statements[path])} statements through the driver; "
                        f"load average {load}",
                    )
                )
    finally:
        driver.close()
    return results


def wrk(base: str, paths: Sequence[str], seconds: int) -> dict[str, float]:
    """One wrk run: 16 connections on 2 threads going round ``paths``; requests/s, p50/p95/p99
    in ms and errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    try:
        output = subprocess.run(  # noqa: S603 - the load generator, our arguments
            [
                shutil.which("wrk") or "wrk",
                "-t2",
                f"-c{CLIENTS}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base,
            ],  # fmt: skip
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 120,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in output.splitlines() if x.startswith("WRK_JSON "))
    figures = json.loads(line.removeprefix("WRK_JSON "))
    return {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "requests": figures["requests"],
        "p50": figures["p50"] / 1000,
        "p95": figures["p95"] / 1000,
        "p99": figures["p99"] / 1000,
        "errors": figures["errors"],
    }


def under_load(url: str, size: int, seconds: int, warm: int = LOAD_WORKERS) -> list[Result]:
    """Requests/s and p95 of the mix under 16 clients, beside gunicorn's fixed answer."""
    with serving("services.search:create_app()", url, LOAD_WORKERS) as base:
        with httpx.Client(base_url=base, timeout=300) as client:
            for path in MIX:  # every path answering 200 (and every worker warm: ``warm``)
                for _ in range(warm):
                    client.get(path).raise_for_status()
        before = _load_average()
        ours = wrk(base, MIX, seconds)
        after = _load_average()
    with serving("bench.load:static_app", url, LOAD_WORKERS) as base:
        raw = wrk(base, ["/"], seconds)
    met = (
        ours["rps"] >= LOAD_TARGET_RPS and ours["p95"] <= LOAD_TARGET_P95_MS and ours["errors"] == 0
    )
    common = (
        f"wrk, {CLIENTS} connections on 2 threads, {seconds} s, gunicorn {LOAD_WORKERS} sync "
        f"workers, {len(MIX)} site and API searches in turn; {ours['requests']:,.0f} requests, "
        f"{ours['errors']:,.0f} errors; p50 {ours['p50']:.0f} ms, p99 {ours['p99']:.0f} ms; "
        f"raw: the same wrk against gunicorn answering a fixed {len(STATIC_BODY):,}-byte JSON "
        f"({raw['rps']:,.0f} requests/s, p95 {raw['p95']:.1f} ms, {raw['errors']:,.0f} errors); "
        f"load average {before} before, {after} after"
    )
    target = (
        f"≥ {LOAD_TARGET_RPS} requests/s, p95 ≤ {LOAD_TARGET_P95_MS} ms, no errors "
        "(at 500,000 offers)"
    )
    return [
        Result(
            f"load: {CLIENTS} clients, site + API mix, {size:,} offers (requests/s)",
            ours["rps"], raw["rps"], "requests/s", lower=False, target=target, met=met,
            notes=common,
        ),
        Result(
            f"load: {CLIENTS} clients, site + API mix, {size:,} offers (p95)",
            ours["p95"], raw["p95"], "ms", lower=True, target=target, met=met,
            notes="the same run",
        ),
    ]  # fmt: skip


def measure(url: str, size: int, scale: Scale) -> list[Result]:
    """Both benchmarks on the search index at ``url`` holding ``size`` offers."""
    if scale.smoke:  # that they run and answer, in seconds: CI's whole run has 30 minutes
        return [*site_pages(url, size, 3), *under_load(url, size, SMOKE_SECONDS, warm=1)]
    return [*site_pages(url, size, SITE_REQUESTS), *under_load(url, size, LOAD_SECONDS)]


def run(databases: Databases, scale: Scale) -> list[Result]:
    if shutil.which("wrk") is None:
        if scale.smoke:
            raise Unsupported("the load generator wrk is not installed (Debian package wrk)")
        raise SystemExit("bench.load needs wrk (apt-get install wrk)")
    results: list[Result] = []
    # The smoke run at its smallest size only: each size costs three gunicorn starts.
    for size in scale.offers[:1] if scale.smoke else scale.offers:
        dataset, _ = national_dataset(databases, size)
        results.extend(measure(dataset.search_url, size, scale))
    return results


def main() -> None:
    from bench.api import cli_main

    cli_main(run, __doc__)


if __name__ == "__main__":
    main()
