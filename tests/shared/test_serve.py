"""One set of server settings for ``nettungen <service> serve`` and the gunicorn config files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from shared.serve import PORTS, gunicorn_settings, on_starting, serve_options


def test_defaults() -> None:
    settings = gunicorn_settings("publisher", environ={})
    assert settings["bind"] == "127.0.0.1:8011"
    assert (settings["workers"], settings["timeout"], settings["graceful_timeout"]) == (2, 30, 20)
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (2000, 200)
    assert settings["proc_name"] == "nettungen-publisher"
    assert settings["loglevel"] == "info"
    assert settings.get("control_socket_disable", True) is True


def test_environment_overrides() -> None:
    settings = gunicorn_settings(
        "search",
        environ={"WEB_HOST": "0.0.0.0", "WEB_PORT": "9020", "WEB_CONCURRENCY": "4"},  # noqa: S104
    )
    assert settings["bind"] == "0.0.0.0:9020" and settings["workers"] == 4


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY: must be at least 1"),
        ("WEB_PORT", "http", "WEB_PORT: invalid literal"),
        ("WEB_MAX_REQUESTS", "-1", "WEB_MAX_REQUESTS: must be 0 or more"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL: must be DEBUG"),
    ],
)
def test_bad_settings_fail_before_serving(name: str, value: str, problem: str) -> None:
    with pytest.raises(click.ClickException, match=problem):
        gunicorn_settings("registry", environ={name: value})


def test_serve_options_default_to_the_same_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    @click.command()
    @serve_options("registry")
    def serve(host: str, port: int, workers: int) -> None:
        click.echo(f"{host} {port} {workers}")

    runner = CliRunner()
    for name in ("WEB_HOST", "WEB_PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    assert runner.invoke(serve, []).output == f"127.0.0.1 {PORTS['registry']} 2\n"
    monkeypatch.setenv("WEB_PORT", "9010")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert runner.invoke(serve, []).output == "127.0.0.1 9010 3\n"
    assert runner.invoke(serve, ["--port", "9011", "--workers", "1"]).output == "127.0.0.1 9011 1\n"
    assert "$WEB_PORT, else 8010" in runner.invoke(serve, ["--help"]).output


def test_server_start_empties_the_metrics_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_123.db").write_bytes(b"old")
    (folder / "keep.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    on_starting(server=None)
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt"]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "new"))
    on_starting(server=None)
    assert (tmp_path / "new").is_dir()


def test_inherited_engines_get_fresh_pools(tmp_path: Path) -> None:
    # In a process of its own: the reset reaches every engine of the process it runs in.
    script = f"""
from sqlalchemy import text
from shared.db import create_engine, dispose_inherited_engines
engine = create_engine("sqlite:///{tmp_path / "db.sqlite"}")
with engine.connect() as connection:
    connection.execute(text("SELECT 1"))
before = engine.pool.checkedin()
reset = dispose_inherited_engines()
after = engine.pool.checkedin()
with engine.connect() as connection:
    works = connection.execute(text("SELECT 1")).scalar()
print(before, reset, after, works)
"""
    result = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.split() == ["1", "1", "0", "1"]
