"""National reporting: report latency, for the whole country and per municipality, through
the reporting API beside the same aggregate SQL through the driver.

The history is the synthetic national federation of :mod:`bench.national`, loaded by the bulk
path; see :mod:`bench.api` for how the API and its raw baseline are timed.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
    python -m bench.reports           # --smoke for the CI scale
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from bench.api import Query, app_config, cli_main, run_service
from bench.common import Databases, Result, Scale

QUERIES = tuple(
    Query(f"{report} {label}", f"/api/v1/reports/{report}?area={area}")
    for report in ("pyramid", "coverage", "quality")
    for area, label in (("NO", "national"), ("0301", "Oslo"), ("1151", "Utsira"))
)


def make_app(url: str, folder: Path) -> Flask:
    from services.reporting import create_app

    return create_app({**app_config(url, folder), "PUBLIC_BASE_URL": "https://rapport.test"})


def run(databases: Databases, scale: Scale) -> list[Result]:
    """Every report for the country, Oslo and Utsira at every size, and the peak RSS of a
    reporting worker at the largest."""
    return run_service(
        "reporting", make_app, lambda d: d.reporting_url, QUERIES, databases, scale, None
    )


def main() -> None:
    cli_main(run, __doc__)


if __name__ == "__main__":
    main()
