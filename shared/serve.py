"""Running a service's Flask app under gunicorn from the ``nettungen`` command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        # Not preloaded: every worker builds its own app, so no engine crosses a fork.
        return self.factory()


def run_gunicorn(factory: Callable[[], Flask], bind: str, workers: int, **options: Any) -> None:
    settings = {
        "bind": bind,
        "workers": workers,
        "accesslog": "-",
        "errorlog": "-",
        "timeout": 30,
        "graceful_timeout": 20,
        "max_requests": 2000,
        "max_requests_jitter": 200,
        **options,
    }
    _Gunicorn(factory, settings).run()
