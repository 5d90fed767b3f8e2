"""``GET /metrics`` in the Prometheus text format, for every service.

Each service gets request counts and latencies by endpoint, plus gauges it computes at scrape
time (``collect``), such as how far a relay lags behind the log. Run under gunicorn with several
workers, set ``PROMETHEUS_MULTIPROC_DIR`` so the workers' counters are summed.

``/metrics`` is for operators, not the public: ``guard`` (in a service,
:func:`shared.web.guards.refuse_metrics_scraper`) refuses everyone else.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

Gauge = tuple[str, str, float]  # name, documentation, value
Gauges = Callable[[], Iterable[Gauge]]


class _ScrapeTimeGauges(Collector):
    def __init__(self, gauges: Gauges) -> None:
        self.gauges = gauges

    def describe(self) -> list[GaugeMetricFamily]:
        # Registering a collector asks it for its metrics; without this the registry would
        # collect, querying the database, and a service could not start while it is down (and
        # so could not answer /healthz with 503).
        return []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for name, documentation, value in self.gauges():
            yield GaugeMetricFamily(name, documentation, value=value)


def init_metrics(
    app: Flask,
    service: str,
    gauges: Gauges | None = None,
    guard: Callable[[], Response | None] | None = None,
) -> None:
    """Count and time every request of ``app`` under ``service``, and serve ``/metrics`` with
    those and the ``gauges`` to whom ``guard`` does not refuse (it returns the refusal)."""
    registry = CollectorRegistry(auto_describe=True)
    _count_requests(app, service, registry)
    if gauges is not None:
        registry.register(_ScrapeTimeGauges(gauges))

    @app.get("/metrics")
    def metrics() -> Response:
        refusal = guard() if guard is not None else None
        if refusal is not None:
            return refusal
        return Response(_scrape(registry, gauges), content_type=CONTENT_TYPE_LATEST)


def _count_requests(app: Flask, service: str, registry: CollectorRegistry) -> None:
    requests = Counter(
        "nettungen_http_requests",
        "HTTP requests answered, by endpoint, method and status.",
        ["service", "endpoint", "method", "status"],
        registry=registry,
    )
    latency = Histogram(
        "nettungen_http_request_duration_seconds",
        "Time to answer HTTP requests, by endpoint.",
        ["service", "endpoint"],
        registry=registry,
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    )

    @app.before_request
    def _start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        requests.labels(service, endpoint, request.method, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            latency.labels(service, endpoint).observe(time.perf_counter() - started)
        return response


def _scrape(registry: CollectorRegistry, gauges: Gauges | None) -> bytes:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(registry)
    # Under several workers each writes its counters to files; sum them for this scrape.
    scrape = CollectorRegistry()
    multiprocess.MultiProcessCollector(scrape)
    if gauges is not None:
        scrape.register(_ScrapeTimeGauges(gauges))
    return generate_latest(scrape)
