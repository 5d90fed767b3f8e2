"""Running a service's Flask app under gunicorn, with one set of server settings.

``nettungen <service> serve`` and ``gunicorn -c deploy/gunicorn/<service>.conf.py`` both take
their settings from :func:`gunicorn_settings`: the environment (the keys in ``SERVER_CONFIG``)
over the defaults here, so the two never disagree. Logs go to stdout as :mod:`shared.logs` says;
workers are recycled after a jittered number of requests; every worker builds its own app (no
preloading), and any engine a worker inherits anyway is given a fresh pool after the fork.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.config import KNOWN_SETTINGS

from shared.config import ConfigError, ConfigKey, load_config, non_negative_int, positive_int
from shared.db import dispose_inherited_engines
from shared.logs import logging_config

# Where each service listens unless WEB_PORT or --port says otherwise.
PORTS = {"registry": 8010, "publisher": 8011, "search": 8020, "reporting": 8030}


SERVER_CONFIG = [
    ConfigKey(
        "WEB_HOST",
        "Address the web server listens on (0.0.0.0 in a container or behind a proxy on "
        "another host).",
        str,
        "127.0.0.1",
    ),
    ConfigKey(
        "WEB_PORT",
        "Port the web server listens on. Default: the service's own (registry 8010, publisher "
        "8011, search 8020, reporting 8030).",
        positive_int,
        None,
    ),
    ConfigKey(
        "WEB_CONCURRENCY",
        "gunicorn worker processes (gunicorn's own name for it); about 2 x CPU cores + 1.",
        positive_int,
        2,
    ),
    ConfigKey(
        "WEB_TIMEOUT",
        "Seconds a worker may spend on one request before gunicorn replaces it.",
        positive_int,
        30,
    ),
    ConfigKey(
        "WEB_GRACEFUL_TIMEOUT",
        "Seconds workers get to finish their requests when stopped or reloaded.",
        positive_int,
        20,
    ),
    ConfigKey(
        "WEB_MAX_REQUESTS",
        "Requests after which a worker is replaced, bounding slow leaks (0: never).",
        non_negative_int,
        2000,
    ),
    ConfigKey(
        "WEB_MAX_REQUESTS_JITTER",
        "Up to this many more requests, random per worker, so workers are not all replaced "
        "at once.",
        non_negative_int,
        200,
    ),
    ConfigKey(
        "PROMETHEUS_MULTIPROC_DIR",
        "A folder private to this server where the workers keep their metrics, so /metrics "
        "sums every worker; emptied when the server starts. Needed with more than one worker.",
        str,
        None,
    ),
]


# gunicorn 25.1 and later open a control socket at one path per user ($HOME/.gunicorn), which
# two services run by the same user would fight over; signals (HUP, TTIN, TTOU) do its job.
_NO_CONTROL_SOCKET = (
    {"control_socket_disable": True}
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)
    else {}
)


def server_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``SERVER_CONFIG`` keys from the environment, or a readable error."""
    try:
        return load_config(SERVER_CONFIG, environ=environ)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def default_bind(service: str, environ: Mapping[str, str] | None = None) -> tuple[str, int]:
    settings = server_settings(environ)
    return settings["WEB_HOST"], settings["WEB_PORT"] or PORTS[service]


def gunicorn_settings(service: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every gunicorn setting of ``service``'s web server (what its config file sets)."""
    settings = server_settings(environ)
    host, port = default_bind(service, environ)
    try:
        logs = logging_config(service, environ)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    return {
        "bind": f"{host}:{port}",
        "workers": settings["WEB_CONCURRENCY"],
        "worker_class": "sync",
        "timeout": settings["WEB_TIMEOUT"],
        "graceful_timeout": settings["WEB_GRACEFUL_TIMEOUT"],
        "max_requests": settings["WEB_MAX_REQUESTS"],
        "max_requests_jitter": settings["WEB_MAX_REQUESTS_JITTER"],
        # Not preloaded: every worker builds its own app, so no engine crosses a fork.
        "preload_app": False,
        "proc_name": f"nettungen-{service}",
        # Workers' heartbeat files in memory: a container's disk-backed /tmp can stall them.
        "worker_tmp_dir": "/dev/shm" if Path("/dev/shm").is_dir() else None,  # noqa: S108
        "errorlog": "-",
        "accesslog": None,
        "loglevel": logs["root"]["level"].lower(),
        "logconfig_dict": logs,
        "on_starting": on_starting,
        "post_fork": post_fork,
        "child_exit": child_exit,
        **_NO_CONTROL_SOCKET,
    }


def on_starting(server: Any) -> None:
    """Before the first worker: empty the Prometheus folder of a previous run's files."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def post_fork(server: Any, worker: Any) -> None:
    """In a new worker: drop the database pools it inherited (if the app was preloaded)."""
    disposed = dispose_inherited_engines()
    if disposed:
        server.log.info("worker %s: reset %d inherited database pool(s)", worker.pid, disposed)


def child_exit(server: Any, worker: Any) -> None:
    """A worker is gone: its live gauges stop counting in the summed metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


class _Gunicorn(BaseApplication):
    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.factory()


def run_gunicorn(factory: Callable[[], Flask], bind: str, workers: int, **options: Any) -> None:
    """Serve ``factory``'s app (``services.<name>.create_app``) with gunicorn, as the service's
    config file would, on ``bind`` with ``workers`` workers."""
    service = factory.__module__.split(".")[1]
    settings = {**gunicorn_settings(service), "bind": bind, "workers": workers, **options}
    _Gunicorn(factory, settings).run()


Command = TypeVar("Command", bound=Callable[..., Any])


def serve_options(service: str) -> Callable[[Command], Command]:
    """``--host``, ``--port`` and ``--workers`` of ``nettungen <service> serve``, defaulting to
    the same environment keys and defaults as the service's gunicorn config file."""

    def decorate(command: Command) -> Command:
        options = [
            click.option(
                "--host",
                default=lambda: default_bind(service)[0],
                show_default="$WEB_HOST, else 127.0.0.1",
            ),
            click.option(
                "--port",
                type=click.IntRange(1, 65535),
                default=lambda: default_bind(service)[1],
                show_default=f"$WEB_PORT, else {PORTS[service]}",
            ),
            click.option(
                "--workers",
                type=click.IntRange(min=1),
                default=lambda: server_settings()["WEB_CONCURRENCY"],
                show_default="$WEB_CONCURRENCY, else 2",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate
