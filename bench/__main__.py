"""``python -m bench``: every benchmark, the table, and docs/benchmarks.md.

The full run needs PostgreSQL and RabbitMQ (``BENCH_DATABASE_URL``, ``BENCH_BROKER_URL``), as
issue 8 asks, and rewrites docs/benchmarks.md (or ``--output``). ``--smoke`` runs the small
scale on whatever backends are set (CI: PostgreSQL and RabbitMQ), writes nothing unless given
``--output``, and fails unless every benchmark ran and gave sane rows; it does not judge the
targets, which are too noisy for a shared CI machine at that scale.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import (
    SMOKE,
    TABLE_HEADER,
    Databases,
    Result,
    Scale,
    Unsupported,
    print_table,
    table_rows,
)
from bench.report import command, kept_notes, machine, render

# Each module's run(databases, scale) -> list[Result]; search and reports come from issue 8's
# other half and are skipped, saying so, until they exist.
MODULES = ("propagation", "relay", "harvest", "ingest", "scaleout", "search", "reports")
DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def insane(result: Result) -> str | None:
    """Why a row cannot be a measurement (``None`` when it can)."""
    for name, value in (("ours", result.ours), ("raw", result.raw)):
        if value is not None and (not math.isfinite(value) or value <= 0):
            return f"{result.benchmark}: {name} is {value}"
    if not result.benchmark or not result.unit:
        return f"a row without a name or a unit: {result}"
    return None


def run_all(modules: Sequence[str], scale: Scale) -> tuple[list[Result], list[str], list[str]]:
    """Run the modules in turn: (rows, what was skipped and why, what failed and why)."""
    results: list[Result] = []
    skipped: list[str] = []
    failed: list[str] = []
    for name in modules:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            skipped.append(f"bench.{name} does not exist yet")
            print(f"== bench.{name}: skipped, the module does not exist yet", flush=True)
            continue
        print(f"== bench.{name}", flush=True)
        started = time.monotonic()
        databases = Databases.from_environment()
        try:
            rows = module.run(databases, scale)
        except Unsupported as exc:
            skipped.append(f"bench.{name}: {exc}")
            print(f"== bench.{name}: skipped: {exc}", flush=True)
            continue
        except Exception as exc:  # noqa: BLE001 - one benchmark failing must not hide the rest
            failed.append(f"bench.{name}: {type(exc).__name__}: {exc}")
            print(f"== bench.{name} FAILED: {exc}", flush=True)
            continue
        finally:
            databases.close()
        if not rows:
            failed.append(f"bench.{name} returned no rows")
        failed += [reason for reason in map(insane, rows) if reason]
        results += rows
        print(f"== bench.{name}: {time.monotonic() - started:.0f} s", flush=True)
    return results, skipped, failed


def _flag(value: object) -> str:
    return " ".join(map(str, value)) if isinstance(value, tuple) else str(value)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="the small scale CI runs")
    parser.add_argument("--output", type=Path, help=f"where to write (default {DOCUMENT})")
    parser.add_argument("--only", nargs="+", choices=MODULES, help="run only these")
    for field in ("runs", "publications", "harvest_versions", "ingest_events"):
        parser.add_argument(
            f"--{field.replace('_', '-')}", type=int, help="override the scale (say so with it)"
        )
    parser.add_argument(
        "--offers", type=int, nargs="+", help="national sizes for search and reports (say so)"
    )
    args = parser.parse_args(argv)
    databases = Databases.from_environment()
    databases.close()
    if not args.smoke and (databases.server is None or not databases.broker.startswith("amqp")):
        print(
            "The full run measures PostgreSQL and RabbitMQ: set BENCH_DATABASE_URL "
            "(postgresql+psycopg://...) and BENCH_BROKER_URL (amqp://...). "
            "--smoke runs on the embedded defaults too.",
            file=sys.stderr,
        )
        return 2
    scale = SMOKE if args.smoke else Scale()
    overrides = {
        field: getattr(args, field)
        for field in ("runs", "publications", "harvest_versions", "ingest_events")
        if getattr(args, field) is not None
    }
    if args.offers:
        overrides["offers"] = tuple(args.offers)
    scale = dataclasses.replace(scale, **overrides)
    results, skipped, failed = run_all(args.only or MODULES, scale)
    print_table(TABLE_HEADER, table_rows(results))
    output = args.output or (None if args.smoke else DOCUMENT)
    if output is not None:
        facts = machine(databases.server, databases.broker)
        run_command = command(databases.server, databases.broker, args.smoke)
        run_command += "".join(
            f" --{field.replace('_', '-')} {_flag(value)}" for field, value in overrides.items()
        )
        if args.only:
            run_command += " --only " + " ".join(args.only)
        now = dt.datetime.now(dt.UTC)
        text = render(results, run_command, facts, scale, now, skipped, kept_notes(output))
        output.write_text(text)
        print(f"wrote {output}")
    for reason in skipped:
        print(f"skipped: {reason}")
    for reason in failed:
        print(f"FAILED: {reason}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
