"""What every service's operator commands share: settings and an engine made on demand, and one
transaction per command whose domain errors become readable messages."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shared.config import ConfigError, ConfigKey, load_config
from shared.db import create_engine
from shared.errors import DomainError
from shared.logs import configure_logging


def domain_error_message(exc: DomainError) -> str:
    details = "".join(f"\n  {k}: {'; '.join(map(str, v))}" for k, v in (exc.errors or {}).items())
    return exc.message + details


class ServiceContext:
    """Settings and an engine, made only when a command needs them."""

    def __init__(self, config: Sequence[ConfigKey], sqlite_begin: str = "IMMEDIATE") -> None:
        self.config = config
        self.sqlite_begin = sqlite_begin
        self._settings: dict[str, Any] | None = None
        self._engine: Engine | None = None

    @property
    def settings(self) -> dict[str, Any]:
        if self._settings is None:
            try:
                self._settings = load_config(self.config)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from None
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_engine(
                self.settings["DATABASE_URL"], sqlite_begin=self.sqlite_begin
            )
        return self._engine

    @property
    def sessions(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction; a domain error becomes a readable message and nothing is written."""
        try:
            with self.sessions.begin() as session:
                yield session
        except DomainError as exc:
            raise click.ClickException(domain_error_message(exc)) from None


def log_to_stdout(service: str) -> None:
    """Structured log lines on stdout for a long-running command (see :mod:`shared.logs`)."""
    try:
        configure_logging(service)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT, for loops that stop between steps."""
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger(__name__).info("signal %d: stopping after this step", signum)
        # The handler runs in the main thread, which may be inside stop.wait() holding the
        # event's lock; setting the event from here could deadlock, so another thread does.
        threading.Thread(target=stop.set, name="stop").start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return stop


# A click decorator passing a command its service's context (click.make_pass_decorator).
PassContext = Callable[[Callable[..., Any]], Callable[..., Any]]


def add_db_commands(
    group: click.Group,
    pass_context: PassContext,
    *,
    description: str,
    upgrade: Callable[[Any], str],
    upgrade_help: str,
    check: Callable[[str], None],
) -> click.Group:
    """Add the group ``db`` with ``upgrade`` (``upgrade`` migrates the database of the
    command's context and says how it went) and ``check`` (``check`` fails when the models
    and the migrations of the database at a URL disagree)."""

    @group.group("db", help=description)
    def db_group() -> None:
        pass

    @db_group.command("upgrade", help=upgrade_help)
    @pass_context
    def db_upgrade(ctx: ServiceContext) -> None:
        click.echo(upgrade(ctx))

    @db_group.command("check")
    @pass_context
    def db_check(ctx: ServiceContext) -> None:
        """Fail if the models and the migrations disagree."""
        check(ctx.settings["DATABASE_URL"])
        click.echo("Models and migrations agree.")

    return db_group
