"""docs/operations.md names only what exists: commands, settings and deploy files."""

from __future__ import annotations

import re
import shlex

import click
import pytest

from shared.logs import LOG_CONFIG
from shared.serve import SERVER_CONFIG
from tests.deploy.deployfiles import REPO

GUIDE = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
REPORTING_MISSING = not (REPO / "services" / "reporting" / "__init__.py").exists()
# `node ...` is the guide's shell function for `nettungen ...` as the service user.
COMMAND = re.compile(
    r"(?<![\w/-])(?:nettungen|node) ((?:registry|publisher|search|reporting) [^`\n;|&)]*)"
)


def _commands() -> list[str]:
    text = GUIDE.replace("\\\n", " ")
    return sorted({match.strip() for match in COMMAND.findall(text)})


COMMANDS = _commands()


def test_the_guide_shows_commands() -> None:
    assert len(COMMANDS) > 20


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_exists(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.cli import main

    # A command that asks for a password gets one, as from a person at a terminal.
    monkeypatch.setattr(click.termui, "hidden_prompt_func", lambda _prompt: "a password")

    args = shlex.split(command)
    if args[0] == "reporting" and REPORTING_MISSING:
        pytest.skip("services/reporting is not on this branch yet")
    group: click.Command = main
    while isinstance(group, click.Group):
        name = args.pop(0)
        assert name in group.commands, f"{command}: no {name!r}"
        group = group.commands[name]
    try:
        group.make_context(group.name or "", args)  # parses the options; runs nothing
    except click.MissingParameter:
        # Running text may name a command without the options it requires; a command line
        # in the guide must be complete.
        assert not args, command


def test_every_server_and_log_key_is_explained() -> None:
    for key in (*SERVER_CONFIG, *LOG_CONFIG):
        assert f"| `{key.name}` |" in GUIDE, key.name


def test_every_deploy_path_exists() -> None:
    # deploy/.env is the operator's own file of secrets, never in the repository.
    for path in set(re.findall(r"`(deploy/[\w./-]+)`", GUIDE)) - {"deploy/.env"}:
        assert (REPO / path).exists(), path
