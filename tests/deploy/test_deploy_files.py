"""The deploy files against the code: every command they run exists, every environment variable
they set is a declared key, every port is the service's own, every probe asks /healthz, and no
secret is written into them."""

from __future__ import annotations

import importlib
import runpy
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest

from shared.logs import LOG_CONFIG
from shared.serve import PORTS, SERVER_CONFIG
from tests.deploy.deployfiles import (
    DEPLOY,
    REPO,
    SERVICES,
    Entry,
    compose,
    entries,
    gunicorn_config_file,
    gunicorn_target,
    procfile,
)

ENTRIES = entries()
REPORTING_MISSING = not (REPO / "services" / "reporting" / "__init__.py").exists()
# Keys every process reads besides its service's own: how it logs, and, for web servers, how
# gunicorn serves (shared/logs.py and shared/serve.py declare them).
LOG_KEYS = {key.name for key in LOG_CONFIG}
SERVER_KEYS = {key.name for key in SERVER_CONFIG}
# Besides the keys a service marks secret, its database URL carries a password.
ALWAYS_SECRET = {"DATABASE_URL"}


def _skip_missing_service(entry: Entry) -> None:
    if entry.service == "reporting" and REPORTING_MISSING:
        pytest.skip(
            "services/reporting is not on this branch yet (it is built on its own branch and "
            "merged beside this one); its deploy entries are checked once it is"
        )


def _config(service: str) -> list[Any]:
    config: list[Any] = importlib.import_module(f"services.{service}.config").CONFIG
    return config


@pytest.fixture(params=ENTRIES, ids=[entry.source for entry in ENTRIES])
def entry(request: pytest.FixtureRequest) -> Entry:
    entry: Entry = request.param
    assert entry.service in SERVICES, f"{entry.source}: no such service {entry.service!r}"
    _skip_missing_service(entry)
    return entry


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing from the test runner's environment changes a default."""
    for name in SERVER_KEYS | LOG_KEYS:
        monkeypatch.delenv(name, raising=False)


def test_every_process_is_deployed_everywhere() -> None:
    running = {f"{service} web" for service in SERVICES} | {
        "publisher relay",
        "registry mail send",
        "search ingest",
        "reporting ingest",
    }
    migrations = {"registry db upgrade", "search db upgrade", "reporting db upgrade"}
    # Started by a timer, a CronJob or the host's scheduler (the Procfile lists processes only).
    periodic = {"registry notify", "registry retention"}
    # Search's further consumers of the bus, as many as the operator starts (docs/operations.md);
    # the Procfile's processes share the embedded bus of one machine, where one is enough.
    scaled = {"search ingest --no-feeds"}
    for kind, expected in (
        ("Procfile", running),
        ("systemd", running | migrations | periodic | scaled),
        ("compose", running | migrations | periodic | scaled),
        ("k8s", running | migrations | periodic | scaled),
    ):
        found = [entry.process for entry in ENTRIES if entry.source.startswith(kind)]
        assert sorted(found) == sorted(expected), kind


def test_commands_exist(entry: Entry) -> None:
    if entry.program == "gunicorn":
        module, _, factory = gunicorn_target(entry.command).partition(":")
        assert factory == "create_app()", entry.source
        assert callable(importlib.import_module(module).create_app)
        config_file = gunicorn_config_file(entry.command)
        assert config_file == DEPLOY / "gunicorn" / f"{entry.service}.conf.py", entry.source
        return
    from services.cli import main

    assert entry.program == "nettungen", entry.source
    command: click.Command = main
    args = entry.command[1:]
    while isinstance(command, click.Group):
        assert args, f"{entry.source}: {entry.command} stops at a group"
        name = args.pop(0)
        assert name in command.commands, f"{entry.source}: no command {name!r}"
        command = command.commands[name]
    command.make_context(command.name or "", list(args))  # parses options; runs nothing


def test_environment_variables_are_declared(entry: Entry) -> None:
    declared = {key.name for key in _config(entry.service)} | LOG_KEYS
    if entry.web:
        declared |= SERVER_KEYS
    unknown = set(entry.environment) - declared
    assert not unknown, f"{entry.source} sets keys {entry.service} does not declare"


def test_secrets_are_references(entry: Entry) -> None:
    secret = {key.name for key in _config(entry.service) if key.secret} | ALWAYS_SECRET
    for name in secret & set(entry.environment):
        value = entry.environment[name]
        if entry.source.startswith("systemd"):
            pytest.fail(f"{entry.source}: {name} belongs in its EnvironmentFile")
        elif entry.source.startswith("k8s"):
            assert isinstance(value, dict) and "secretKeyRef" in value, (entry.source, name)
        else:
            # compose: the secret (the password, in a URL) comes from deploy/.env.
            assert "${" in str(value).split("@")[0], (entry.source, name)


def test_ports_are_the_services_own(entry: Entry, clean_environment: None) -> None:
    from services.cli import main

    if not entry.web:
        assert not entry.ports, entry.source
        return
    serve = main.commands[entry.service].commands["serve"]  # type: ignore[attr-defined]
    [port_option] = [p for p in serve.params if p.name == "port"]
    default = port_option.get_default(click.Context(serve))
    assert default == PORTS[entry.service]
    assert entry.ports or entry.source.startswith("Procfile"), entry.source
    for claim, port in entry.ports.items():
        assert port == default, f"{entry.source}: {claim} is {port}, not {default}"


def test_health_probes_ask_healthz(entry: Entry) -> None:
    if not entry.web or entry.source.startswith(("Procfile", "systemd")):
        assert not entry.health
        return
    assert entry.health, f"{entry.source} has no health probe"
    for path, port in entry.health:
        assert (path, port) == ("/healthz", PORTS[entry.service]), entry.source


@pytest.mark.parametrize("service", SERVICES)
def test_gunicorn_config_files(service: str, clean_environment: None) -> None:
    from shared import serve

    path = DEPLOY / "gunicorn" / f"{service}.conf.py"
    settings = runpy.run_path(str(path))
    assert settings["bind"] == f"127.0.0.1:{PORTS[service]}"
    assert settings["workers"] == 2 and settings["worker_class"] == "sync"
    assert settings["timeout"] == 30 and settings["graceful_timeout"] == 20
    assert (
        settings["max_requests"] > 0
        and 0 < settings["max_requests_jitter"] < settings["max_requests"]
    )
    assert settings["preload_app"] is False
    assert settings["post_fork"] is serve.post_fork
    assert settings["on_starting"] is serve.on_starting
    assert settings["child_exit"] is serve.child_exit
    # Logs: everything to stdout as JSON, one access line per request from the app itself.
    assert settings["errorlog"] == "-" and settings["accesslog"] is None
    logs = settings["logconfig_dict"]
    assert logs["handlers"]["stdout"]["stream"] == "ext://sys.stdout"
    assert logs["formatters"]["default"]["service"] == service
    assert logs["loggers"]["gunicorn.access"]["propagate"] is False


def test_gunicorn_config_files_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    environment = {
        "WEB_HOST": "0.0.0.0",  # noqa: S104 - what a container sets
        "WEB_PORT": "9000",
        "WEB_CONCURRENCY": "5",
        "WEB_TIMEOUT": "60",
        "WEB_MAX_REQUESTS": "500",
        "WEB_MAX_REQUESTS_JITTER": "50",
        "LOG_FORMAT": "text",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = runpy.run_path(str(DEPLOY / "gunicorn" / "search.conf.py"))
    assert settings["bind"] == "0.0.0.0:9000"
    assert (settings["workers"], settings["timeout"]) == (5, 60)
    assert (settings["max_requests"], settings["max_requests_jitter"]) == (500, 50)
    assert "format" in settings["logconfig_dict"]["formatters"]["default"]


def test_no_gunicorn_config_without_a_service() -> None:
    configured = {path.name.removesuffix(".conf.py") for path in (DEPLOY / "gunicorn").iterdir()}
    assert configured == set(SERVICES)


def test_procfile_runs_from_the_repository_root() -> None:
    for name, command in procfile().items():
        if command[0] == "gunicorn":
            assert (REPO / command[command.index("-c") + 1]).is_file(), name


def test_compose_migrations_run_before_their_services() -> None:
    services = compose()["services"]
    database_of = {
        "registry": "node",
        "publisher": "node",
        "search": "search",
        "reporting": "reporting",
    }
    for entry in (e for e in ENTRIES if e.source.startswith("compose:")):
        name = entry.source.removeprefix("compose:")
        migration = f"{database_of[entry.service]}-migrate"
        if name == migration:
            assert services[name]["restart"] == "no"
            assert entry.command[-2:] == ["db", "upgrade"]
        else:
            condition = services[name]["depends_on"][migration]
            assert condition == {"condition": "service_completed_successfully"}, name


def test_compose_publishes_web_servers_on_loopback_only() -> None:
    for name, service in compose()["services"].items():
        for published in service.get("ports", []):
            assert str(published).startswith("127.0.0.1:"), name
    # deploy/.env holds the secrets compose.yaml reads: git must never take it.
    ignored = subprocess.run(  # noqa: S603 - git's own answer about our tree
        ["git", "check-ignore", "--quiet", "--no-index", "deploy/.env"],  # noqa: S607
        cwd=REPO,
        check=False,
    )
    assert ignored.returncode == 0


def test_dockerfile_sets_only_declared_keys() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    final_stage = text.rsplit("\nFROM ", 1)[1]
    names = set()
    for block in final_stage.split("\nENV ")[1:]:
        statement = block.split("\n#")[0]
        statement = statement.replace("\\\n", " ").split("\n")[0]
        names |= {pair.split("=", 1)[0] for pair in statement.split()}
    python_runtime = {"PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"}
    assert names - python_runtime <= SERVER_KEYS | LOG_KEYS, names
    assert "COPY deploy/gunicorn /app/deploy/gunicorn" in final_stage
    assert "WORKDIR /app" in final_stage  # where the commands' deploy/gunicorn/... paths start
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").split()
    for copied in ("!pyproject.toml", "!constraints.txt", "!README.md", "!services/", "!shared/"):
        assert copied in ignored
    assert Path(REPO / "README.md").is_file()  # pyproject's readme, needed to build the package
