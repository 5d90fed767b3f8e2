"""Test fixtures: one migrated database per test session, each test in a rolled-back transaction.

By default the database is SQLite in a temporary folder. ``TEST_DATABASE_URL`` (a PostgreSQL
server URL) makes every database a fresh PostgreSQL database on that server instead, and
``TEST_BROKER_URL`` names the RabbitMQ broker; when either is set but unreachable the run fails
at once rather than skipping anything.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_BROKER_URL = os.environ.get("TEST_BROKER_URL")
TEST_PASSPHRASE = "test-signing-passphrase"
# The official schemas and shapes live beside the repository, in the team's shared folder.
STANDARDS_DIR = Path(
    os.environ.get("NETTUNGEN_STANDARDS_DIR")
    or Path(__file__).resolve().parents[2] / "shared" / "standards"
)


def pytest_sessionstart(session: pytest.Session) -> None:
    problems = []
    if TEST_DATABASE_URL:
        try:
            engine = create_engine(TEST_DATABASE_URL)
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
        except Exception as exc:  # noqa: BLE001 - any failure to connect stops the run
            problems.append(f"TEST_DATABASE_URL is unreachable: {exc}")
    if TEST_BROKER_URL:
        from kombu import Connection as BrokerConnection

        try:
            with BrokerConnection(TEST_BROKER_URL, connect_timeout=5) as conn:
                conn.ensure_connection(max_retries=2)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"TEST_BROKER_URL is unreachable: {exc}")
    if problems:
        pytest.exit("\n".join(problems), returncode=3)


def pytest_report_header(config: pytest.Config) -> str:
    database = make_url(TEST_DATABASE_URL).render_as_string() if TEST_DATABASE_URL else "SQLite"
    return f"nettungen: database {database}; broker {TEST_BROKER_URL or 'embedded'}"


@pytest.fixture(scope="session")
def database_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., str]]:
    """Makes databases of the configured kind, empty or as copies of ``template`` (a database
    made here that nobody is connected to); drops them after the session."""
    created: list[str] = []
    admin: Engine | None = (
        create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        if TEST_DATABASE_URL
        else None
    )

    def make(template: str | None = None) -> str:
        name = f"ntg_test_{uuid.uuid4().hex[:12]}"
        if admin is None:
            path = tmp_path_factory.mktemp("db") / (name + ".sqlite")
            if template is not None:
                with (
                    sqlite3.connect(make_url(template).database or "") as source,
                    sqlite3.connect(path) as copy,
                ):
                    source.backup(copy)
            return f"sqlite:///{path}"
        clone = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clone}'))
        created.append(name)
        return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_database(url: str) -> None:
    """Run the registry's migrations, seed the duty catalogue (as `db upgrade` does) and give
    the node its signing key (as `key generate` does)."""
    from services.registry import db as registry_db
    from services.registry.accounts.permissions import Actor
    from services.registry.duties import services as duties
    from shared.db import create_engine as make_engine
    from shared.publication import keys

    registry_db.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        duties.seed_catalogue(session, Actor.operator(), duties.load_catalogue_file())
        keys.generate_key(session, keys.Signer(TEST_PASSPHRASE))
    engine.dispose()


@pytest.fixture(scope="session")
def node_database_factory(database_factory: Callable[..., str]) -> Callable[[], str]:
    """Makes node databases as ``migrated_database`` leaves them, each with its own key,
    quickly: the migrations run once, into a template that is then copied."""
    from services.registry import db as registry_db
    from services.registry.accounts.permissions import Actor
    from services.registry.duties import services as duties
    from shared.db import create_engine as make_engine
    from shared.publication import keys

    template = database_factory()
    registry_db.upgrade(template)
    engine = make_engine(template)
    with Session(engine) as session, session.begin():
        duties.seed_catalogue(session, Actor.operator(), duties.load_catalogue_file())
    engine.dispose()

    def make() -> str:
        url = database_factory(template=template)
        engine = make_engine(url)
        with Session(engine) as session, session.begin():
            keys.generate_key(session, keys.Signer(TEST_PASSPHRASE))
        engine.dispose()
        return url

    return make


@pytest.fixture(scope="session")
def node_database_url(database_factory: Callable[[], str]) -> str:
    url = database_factory()
    migrated_database(url)
    return url


@pytest.fixture(scope="session")
def app(node_database_url: str, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]  # noqa: E501
    from services.registry import create_app

    app = create_app(
        {
            "DATABASE_URL": node_database_url,
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
            "SECRET_KEY": "test-secret-key",
            "SIGNING_KEY_PASSPHRASE": TEST_PASSPHRASE,
            "NODE_BASE_URL": "https://node.test",
            "SESSION_COOKIE_SECURE": False,
            "TESTING": True,
        }
    )
    yield app
    app.extensions["nettungen.db"].engine.dispose()


@pytest.fixture
def connection(app) -> Iterator[Connection]:  # type: ignore[no-untyped-def]
    """The test's connection, inside a transaction that is rolled back afterwards.

    The app's request sessions join it through savepoints, so a request's commit or rollback
    behaves as in production while the test still leaves nothing behind.
    """
    database = app.extensions["nettungen.db"]
    conn = database.engine.connect()
    outer = conn.begin()
    saved = dict(database.sessionmaker.kw)
    database.sessionmaker.configure(bind=conn, join_transaction_mode="create_savepoint")
    try:
        yield conn
    finally:
        database.sessionmaker.kw.clear()
        database.sessionmaker.kw.update(saved)
        outer.rollback()
        conn.close()


@pytest.fixture
def db(connection: Connection) -> Iterator[Session]:
    """A session for arranging and checking data, in the test's transaction."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    yield session
    session.close()


@pytest.fixture
def client(app, connection):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def bus_url(tmp_path) -> str:
    return TEST_BROKER_URL or f"embedded://{tmp_path / 'bus.sqlite'}"


@pytest.fixture
def queue_name() -> Iterator[str]:
    name = f"test.relay.{uuid.uuid4().hex[:8]}"
    yield name
    if TEST_BROKER_URL:
        from kombu import Connection

        with Connection(TEST_BROKER_URL) as conn:
            channel = conn.channel()
            for queue in (name, f"{name}.dead"):
                channel.queue_delete(queue)
