"""The pure parts of the benchmarks: rows, ratios, percentiles, the table, the machine facts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bench.__main__ import insane, main
from bench.common import SMOKE, Result, percentile, rss_result, table_rows
from bench.report import (
    NOTES_MARKER,
    Machine,
    broker_version,
    command,
    database_version,
    kept_notes,
    machine,
    markdown_table,
    render,
)
from tests.conftest import TEST_BROKER_URL, TEST_DATABASE_URL

HARVEST = Result(
    "LDES harvest", 4_500.0, 90_000.0, "members/s", lower=False, target="≥ 9,000", met=False
)
LATENCY = Result("p95", 250.0, 5.0, "ms", lower=True, target="≤ 1,000 ms", met=True)
MEDIAN = Result("p50", 120.0, None, "ms", lower=True, target="", met=True, notes="a | b")


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]
    assert percentile(values, 95) == 95.0
    assert percentile(values, 50) == 50.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([1.0, 2.0], 0) == 1.0


def test_ratio_is_ours_over_raw_and_absent_without_a_baseline() -> None:
    assert HARVEST.ratio == pytest.approx(0.05)
    assert LATENCY.ratio == pytest.approx(50.0)
    assert MEDIAN.ratio is None
    assert Result("x", 1.0, 0.0, "s", lower=True, target="", met=True).ratio is None


def test_rss_rows_are_judged_against_200_mb() -> None:
    assert rss_result("relay", 150.0, "load").met
    below, above = rss_result("relay", 200.0, "load"), rss_result("relay", 200.5, "load")
    assert below.met and not above.met
    assert above.benchmark == "peak RSS: relay" and above.unit == "MB" and above.raw is None


def test_table_rows_show_absolute_raw_ratio_target_and_verdict() -> None:
    rows = table_rows([HARVEST, LATENCY, MEDIAN])
    assert rows[0] == ("LDES harvest", "4,500", "90,000", "members/s", "0.05", "≥ 9,000", "NO", "")
    assert rows[1][1:7] == ("250", "5", "ms", "50.00", "≤ 1,000 ms", "yes")
    # No target, no verdict; no baseline, no ratio.
    assert rows[2][2] == "–" and rows[2][4] == "–" and rows[2][5:7] == ("–", "–")


def test_markdown_table_has_a_header_and_escapes_pipes() -> None:
    lines = markdown_table([HARVEST, MEDIAN]).splitlines()
    assert lines[0].startswith("| benchmark | ours | raw | unit | ratio | target | met |")
    assert set(lines[1].replace("|", "").split()) == {"---"}
    assert len(lines) == 4
    assert lines[3].endswith("| a \\| b |")
    assert all(line.count(" | ") == lines[0].count(" | ") for line in lines[2:3])


def test_insane_rows_are_named() -> None:
    assert insane(HARVEST) is None and insane(MEDIAN) is None
    assert "ours" in str(insane(Result("x", float("nan"), None, "s", True, "", True)))
    assert "raw" in str(insane(Result("x", 1.0, -2.0, "s", True, "", True)))
    assert insane(Result("x", 0.0, None, "s", True, "", True)) is not None


def test_command_hides_passwords() -> None:
    line = command("postgresql+psycopg://bench:secret@db:5432/postgres", "amqp://u:pw@mq:5672/v")
    assert "secret" not in line and "pw@" not in line
    assert line == (
        "BENCH_DATABASE_URL=postgresql+psycopg://bench:***@db:5432/postgres "
        "BENCH_BROKER_URL=amqp://u:***@mq:5672/v .venv/bin/python -m bench"
    )
    assert command(None, "embedded:///tmp/bus.sqlite", smoke=True) == (
        ".venv/bin/python -m bench --smoke"
    )


def test_machine_facts_are_read_at_run_time() -> None:
    facts = machine(TEST_DATABASE_URL, TEST_BROKER_URL or "embedded:///unused/bus.sqlite")
    assert facts.cores >= 1 and facts.memory_gb > 0
    assert facts.cpu and facts.cpu != "unknown"
    assert re.fullmatch(r"3\.11\.\d+", facts.python)
    assert "kernel" in facts.os
    if TEST_DATABASE_URL:
        assert re.match(r"PostgreSQL \d+", facts.database)
    else:
        assert re.match(r"SQLite 3\.\d+", facts.database)
    if TEST_BROKER_URL:
        assert re.match(r"RabbitMQ \d+\.\d+", facts.broker)
    else:
        assert facts.broker == "embedded bus (SQLite)"


def test_versions_of_the_embedded_backends() -> None:
    assert database_version(None).endswith("(embedded)")
    assert broker_version("embedded:///unused/bus.sqlite") == "embedded bus (SQLite)"


def test_render_keeps_the_closing_notes(tmp_path: Path) -> None:
    facts = Machine("Test CPU", 2, 8.0, "Debian, kernel 6", "3.11.7", "PostgreSQL 16", "RabbitMQ 4")
    when = dt.datetime(2026, 11, 30, 13, 0, tzinfo=dt.UTC)
    path = tmp_path / "benchmarks.md"
    first = render([HARVEST, LATENCY], "python -m bench", facts, SMOKE, when, [], "")
    path.write_text(first + "## Notes\n\nThe harvest is bound by verification.\n")
    again = render([LATENCY], "python -m bench", facts, SMOKE, when, ["x"], kept_notes(path))
    assert again.endswith("## Notes\n\nThe harvest is bound by verification.\n")
    assert again.count(NOTES_MARKER) == 1
    assert "Test CPU, 2 cores" in again and "RabbitMQ 4" in again and "2026-11-30 13:00" in again
    assert "Targets met: 1 of 1." in again and "- skipped: x" in again
    assert "missed: LDES harvest" in first
    assert kept_notes(tmp_path / "absent.md") == ""


def test_full_run_refuses_without_postgresql_and_rabbitmq(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    monkeypatch.delenv("BENCH_BROKER_URL", raising=False)
    assert main([]) == 2
    assert "BENCH_DATABASE_URL" in capsys.readouterr().err
