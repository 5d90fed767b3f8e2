"""docs/benchmarks.md: the results table, the machine it was measured on, the command, the date.

Everything above the notes marker is written by ``python -m bench``; everything below it (the
closing notes: profiles, what limits a missed target) is kept from the file as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.common import TABLE_HEADER, Result, Scale, table_rows

NOTES_MARKER = "<!-- Closing notes: kept as they are when python -m bench rewrites the file. -->"


def command(database_url: str | None, broker_url: str, smoke: bool = False) -> str:
    """The command line that reproduces a run, passwords left out."""
    from urllib.parse import urlsplit

    def hidden(url: str) -> str:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()

    settings = []
    if database_url:
        settings.append(f"BENCH_DATABASE_URL={hidden(database_url)}")
    if broker_url.startswith("amqp"):
        settings.append(f"BENCH_BROKER_URL={hidden(broker_url)}")
    return " ".join([*settings, ".venv/bin/python -m bench", *(["--smoke"] if smoke else [])])


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    memory_gb: float
    os: str
    python: str
    database: str
    broker: str


def _first(path: str, key: str) -> str | None:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        name, sep, value = line.partition(":" if ":" in line else "=")
        if sep and name.strip() == key:
            return value.strip().strip('"')
    return None


def cpu_model() -> str:
    return _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown"


def memory_gb() -> float:
    total = _first("/proc/meminfo", "MemTotal")  # "16318412 kB"
    return int(total.split()[0]) / 1024 / 1024 if total else 0.0


def os_name() -> str:
    pretty = _first("/etc/os-release", "PRETTY_NAME") or platform.system()
    return f"{pretty}, kernel {platform.release()}"


def database_version(url: str | None) -> str:
    if url is None:
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (embedded)"
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return f"PostgreSQL {connection.execute(text('SHOW server_version')).scalar_one()}"
    finally:
        engine.dispose()


def broker_version(url: str) -> str:
    if not url.startswith("amqp"):
        return "embedded bus (SQLite)"
    from kombu import Connection

    with Connection(url, connect_timeout=5) as connection:
        connection.connect()
        properties = connection.connection.server_properties
    version = properties.get("version", "?")
    return f"{properties.get('product', 'RabbitMQ')} {version}"


def machine(database_url: str | None, broker_url: str) -> Machine:
    """The facts of this machine and its backends, read now."""
    return Machine(
        cpu=cpu_model(),
        cores=os.cpu_count() or 0,
        memory_gb=memory_gb(),
        os=os_name(),
        python=platform.python_version(),
        database=database_version(database_url),
        broker=broker_version(broker_url),
    )


def markdown_table(results: Sequence[Result]) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    rows = [line(TABLE_HEADER), line(["---"] * len(TABLE_HEADER))]
    rows += [line(row) for row in table_rows(results)]
    return "\n".join(rows)


def render(
    results: Sequence[Result],
    run_command: str,
    facts: Machine,
    scale: Scale,
    when: dt.datetime,
    skipped: Sequence[str],
    notes: str,
) -> str:
    """The whole of docs/benchmarks.md."""
    missed = [r.benchmark for r in results if r.target and not r.met]
    summary = (
        f"Targets met: {sum(1 for r in results if r.target and r.met)} of "
        f"{sum(1 for r in results if r.target)}"
    )
    missed_text = "; missed: " + ", ".join(missed) if missed else ""
    skipped_text = "".join(
        f"\n\n- skipped: {reason}" if i == 0 else f"\n- skipped: {reason}"
        for i, reason in enumerate(skipped)
    )
    return f"""# Benchmarks

Produced by one command on the machine below ({when:%Y-%m-%d %H:%M} UTC):

```sh
{run_command}
```

`--smoke` runs the same benchmarks at a small scale (CI runs it after the tests);
`python -m bench.<module>` runs one. Every figure is the median of {scale.runs} runs, measured
beside its raw baseline in the same run: *ratio* is ours/raw. Shared machines are noisy, so
read a figure with its baseline.

{markdown_table(results)}

{summary}{missed_text}.{skipped_text}

## Machine

- CPU: {facts.cpu}, {facts.cores} cores
- memory: {facts.memory_gb:.1f} GB
- OS: {facts.os}
- Python {facts.python}
- database: {facts.database}
- bus: {facts.broker}
- scale: {scale.publications:,} publications; a {scale.harvest_versions:,}-version log
  harvested; {scale.ingest_events:,} events relayed and ingested; national sizes of
  {", ".join(f"{n:,}" for n in scale.offers)} offers

{NOTES_MARKER}
{notes}"""


def kept_notes(path: Path) -> str:
    """The closing notes of the file as it is (empty if there is none yet)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return ""
    _, sep, notes = text.partition(NOTES_MARKER)
    return notes.lstrip("\n") if sep else ""
