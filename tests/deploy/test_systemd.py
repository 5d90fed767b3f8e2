"""The systemd units: sandboxed, restarted, secrets in root-owned files, migrations first; and,
where systemd-analyze is installed, what systemd itself says of them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.deployfiles import (
    DEPLOY,
    INSTALLED_APP,
    INSTALLED_VENV_BIN,
    REPO,
    read_unit,
    unit_values,
)
from tests.deploy.tools import require

UNITS = DEPLOY / "systemd"
SERVICES = sorted(UNITS.glob("*.service"))
HARDENING = read_unit(UNITS / "nettungen-.service.d" / "hardening.conf")


def _names(value: str) -> list[str]:
    return value.split()


def test_every_unit_gets_the_hardening_drop_in() -> None:
    # systemd reads nettungen-.service.d/ for every service whose name starts "nettungen-".
    assert SERVICES and all(path.name.startswith("nettungen-") for path in SERVICES)
    sandbox = dict(HARDENING["Service"])
    for key, value in {
        "User": "nettungen",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
        "RestrictSUIDSGID": "yes",
        "SystemCallFilter": "@system-service",
    }.items():
        assert sandbox[key] == value, key


@pytest.mark.parametrize("path", SERVICES, ids=[path.name for path in SERVICES])
def test_service_unit(path: Path) -> None:
    unit = read_unit(path)
    service = dict(unit["Service"])
    files = [value.lstrip("-") for value in unit_values(unit, "Service", "EnvironmentFile")]
    assert files and all(file.startswith("/etc/nettungen/") for file in files)
    # The registry's secrets reach the registry (and its migrations) only.
    reads_registry_secrets = "/etc/nettungen/registry.env" in files
    assert reads_registry_secrets == (path.stem in {"nettungen-registry", "nettungen-node-migrate"})
    environment = dict(item.split("=", 1) for item in unit_values(unit, "Service", "Environment"))
    state = service["StateDirectory"]
    assert environment["INSTANCE_PATH"] == f"/var/lib/{state}" == service["WorkingDirectory"]
    if service["Type"] == "oneshot":
        assert "Restart" not in service  # a failed migration stops the services needing it
        # A oneshot is a migration, or a periodic job its timer of the same name starts.
        periodic = (UNITS / f"{path.stem}.timer").is_file()
        assert periodic or service["ExecStart"].endswith("db upgrade")
        return
    assert service["Restart"] == "on-failure"
    assert service["KillMode"] == "mixed" and int(service["TimeoutStopSec"]) >= 30
    [migration] = [
        n for n in _names(dict(unit["Unit"])["Requires"]) if n.endswith("-migrate.service")
    ]
    assert migration in _names(dict(unit["Unit"])["After"])
    if service["ExecStart"].startswith(INSTALLED_VENV_BIN + "gunicorn"):
        # gunicorn tells systemd when it is ready; reload is gunicorn's graceful HUP.
        assert service["Type"] == "notify" and service["ExecReload"] == "/bin/kill -s HUP $MAINPID"
        assert service["RuntimeDirectory"] in environment["PROMETHEUS_MULTIPROC_DIR"]


def test_units_name_only_units_that_exist() -> None:
    known = {path.name for path in UNITS.iterdir() if path.is_file()}
    for path in UNITS.iterdir():
        if not path.is_file():
            continue
        unit = read_unit(path)
        for key in ("Wants", "Requires", "After", "PartOf", "WantedBy"):
            for section in ("Unit", "Install"):
                for value in unit_values(unit, section, key):
                    for name in _names(value):
                        assert not name.startswith("nettungen-") or name in known, (path.name, name)


def test_targets_start_each_role_whole() -> None:
    for target in sorted(UNITS.glob("*.target")):
        wanted = set(_names(dict(read_unit(target)["Unit"])["Wants"]))
        members = {
            path.name
            for path in SERVICES
            if f"PartOf={target.name}" in path.read_text(encoding="utf-8")
        }
        # A template's instances are the operator's to enable, each wanted by its [Install].
        templates = {name for name in members if name.endswith("@.service")}
        for name in templates:
            assert unit_values(read_unit(UNITS / name), "Install", "WantedBy") == [target.name]
        migrations = {name for name in wanted if name.endswith("-migrate.service")}
        assert members and wanted == (members - templates) | migrations, target.name


@pytest.fixture
def installed_units(tmp_path: Path) -> Path:
    """The units as installed, with the release checkout and its environment being this one."""
    require("systemd-analyze")
    copy = tmp_path / "units"
    shutil.copytree(UNITS, copy)
    venv_bin = str(Path(sys.executable).parent) + "/"
    for path in copy.glob("*.service"):
        text = path.read_text(encoding="utf-8")
        text = text.replace(INSTALLED_VENV_BIN, venv_bin).replace(INSTALLED_APP, f"{REPO}/")
        path.write_text(text, encoding="utf-8")
    return copy


def _analyze(units: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - a fixed tool on our own files
        ["systemd-analyze", *args],  # noqa: S607
        env={"SYSTEMD_UNIT_PATH": f"{units}:", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_systemd_accepts_the_units(installed_units: Path) -> None:
    units = sorted(str(p) for p in installed_units.iterdir() if p.is_file())
    result = _analyze(installed_units, "verify", *units)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_systemd_rates_the_sandbox_safe(installed_units: Path) -> None:
    # Exposure 2.0 of 10 at most ("OK"); without the drop-in a unit rates about 9.6 ("UNSAFE").
    for path in sorted(installed_units.glob("*.service")):
        result = _analyze(installed_units, "security", "--offline=yes", "--threshold=20", str(path))
        assert result.returncode == 0, (path.name, result.stdout[-300:])
