"""tools/dependency_audit.py: audits every pin where the advisory source answers, and says
plainly that it skipped where it does not."""

from __future__ import annotations

import importlib.util
import subprocess
from pathlib import Path
from types import ModuleType

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "dependency_audit", ROOT / "tools" / "dependency_audit.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def constraints(tmp_path: Path) -> Path:
    path = tmp_path / "constraints.txt"
    path.write_text("# pinned\nalembic==1.20.1\nFlask==3.1.3  # web\n\n", encoding="utf-8")
    return path


def test_every_pin_is_read(tool, constraints):
    pinned = {name.lower(): version for name, version in tool.pins(ROOT / "constraints.txt")}
    assert pinned["flask"].startswith("3.1.")
    assert "pip_audit" in pinned and "detect-secrets" in pinned
    assert tool.pins(constraints) == [("alembic", "1.20.1"), ("Flask", "3.1.3")]


def _answer(status: int, body: dict) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("GET", "https://pypi.test"))


@pytest.mark.parametrize(
    "answer",
    [
        httpx.ConnectError("name resolution failed"),
        _answer(404, {"message": "Not Found"}),
        _answer(200, {"info": {}}),
    ],
)
def test_an_unreachable_source_skips_the_audit_and_says_so(
    tool, constraints, monkeypatch, capsys, answer
):
    def get(url: str, **_kwargs: object) -> httpx.Response:
        assert url == "https://pypi.org/pypi/alembic/1.20.1/json"
        if isinstance(answer, Exception):
            raise answer
        return answer

    def never(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("pip-audit must not run without its source")

    monkeypatch.setattr(tool.httpx, "get", get)
    monkeypatch.setattr(tool.subprocess, "run", never)
    assert tool.audit(constraints) == 0
    assert capsys.readouterr().out.startswith("advisory source unreachable, audit skipped (")


@pytest.mark.parametrize("returncode", [0, 1])
def test_a_reachable_source_runs_pip_audit_strictly_over_the_pins(
    tool, constraints, monkeypatch, returncode
):
    ran = []

    def run(command: list[str], check: bool) -> subprocess.CompletedProcess:
        ran.append(command)
        return subprocess.CompletedProcess(command, returncode)

    monkeypatch.setattr(tool.httpx, "get", lambda *_a, **_k: _answer(200, {"vulnerabilities": []}))
    monkeypatch.setattr(tool.subprocess, "run", run)
    assert tool.audit(constraints) == returncode
    (command,) = ran
    assert command[1:4] == ["-m", "pip_audit", "--requirement"]
    assert command[4] == str(constraints)
    assert {"--no-deps", "--disable-pip", "--strict"} <= set(command)
