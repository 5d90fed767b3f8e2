"""``GET /metrics`` in the Prometheus text format, for every service.

Each service gets request counts and latencies by endpoint, plus gauges it computes at scrape
time (``collect``), such as how far a relay lags behind the log. Run under gunicorn with several
workers, set ``PROMETHEUS_MULTIPROC_DIR`` so the workers' counters are summed.
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

Gauges = Callable[[], Iterable[tuple[str, str, float]]]


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


def init_metrics(app: Flask, service: str, gauges: Gauges | None = None) -> None:
    registry = CollectorRegistry(auto_describe=True)
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
    if gauges is not None:
        registry.register(_ScrapeTimeGauges(gauges))

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

    @app.get("/metrics")
    def metrics() -> Response:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            scrape = CollectorRegistry()
            multiprocess.MultiProcessCollector(scrape)
            if gauges is not None:
                scrape.register(_ScrapeTimeGauges(gauges))
            body = generate_latest(scrape)
        else:
            body = generate_latest(registry)
        return Response(body, content_type=CONTENT_TYPE_LATEST)
