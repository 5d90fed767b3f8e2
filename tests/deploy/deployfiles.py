"""Reading deploy/: every process the deploy files start, with what they say about it.

Each file format gets a small reader (systemd units, the Procfile, nginx, compose and Kubernetes
YAML); :func:`entries` turns them into :class:`Entry` records (the command, the environment it
sets, the ports and health probes it names), which the tests hold against the code.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SERVICES = ("registry", "publisher", "search", "reporting")
# Where the systemd units expect the release checkout and its virtual environment.
INSTALLED_APP = "/opt/nettungen/app/"
INSTALLED_VENV_BIN = "/opt/nettungen/venv/bin/"


@dataclass
class Entry:
    """One process a deploy file starts."""

    source: str
    command: list[str]
    environment: dict[str, Any] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    health: list[tuple[str, int]] = field(default_factory=list)

    @property
    def program(self) -> str:
        return Path(self.command[0]).name

    @property
    def service(self) -> str:
        if self.program == "gunicorn":
            return gunicorn_target(self.command).split(".")[1].split(":")[0]
        return self.command[1]

    @property
    def web(self) -> bool:
        return self.program == "gunicorn"

    @property
    def process(self) -> str:
        """What runs: ``search web``, ``publisher relay``, ``search ingest --no-feeds``."""
        if self.web:
            return f"{self.service} web"
        return " ".join(self.command[1:])


def gunicorn_target(command: list[str]) -> str:
    """The ``module:factory()`` argument of a gunicorn command line."""
    [target] = [arg for arg in command[1:] if ":" in arg and not arg.startswith("-")]
    return target


def gunicorn_config_file(command: list[str]) -> Path:
    """The repository file a gunicorn command's ``-c`` names, wherever it is installed."""
    path = command[command.index("-c") + 1]
    return REPO / path.removeprefix(INSTALLED_APP)


# systemd ------------------------------------------------------------------------------------


def read_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit file as sections of (key, value) pairs, repeated keys kept in order."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif "=" in line and current is not None and not line.endswith("\\"):
            key, value = line.split("=", 1)
            current.append((key.strip(), value.strip()))
        else:
            raise ValueError(f"{path.name}:{number}: cannot read {raw!r}")
    return sections


def unit_values(unit: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [value for k, value in unit.get(section, []) if k == key]


def unit_entries() -> Iterator[Entry]:
    for path in sorted((DEPLOY / "systemd").glob("*.service")):
        unit = read_unit(path)
        environment = dict(
            item.split("=", 1) for item in unit_values(unit, "Service", "Environment")
        )
        [exec_start] = unit_values(unit, "Service", "ExecStart")
        command = shlex.split(exec_start)
        command[0] = command[0].removeprefix(INSTALLED_VENV_BIN)
        ports = (
            {"Environment=WEB_PORT": int(environment["WEB_PORT"])}
            if "WEB_PORT" in environment
            else {}
        )
        yield Entry(f"systemd:{path.name}", command, environment, ports)


# Procfile -----------------------------------------------------------------------------------


def procfile() -> dict[str, list[str]]:
    processes = {}
    for line in (DEPLOY / "Procfile").read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_-]+):\s*(.+)", line)
        if match:
            processes[match[1]] = shlex.split(match[2])
    return processes


def procfile_entries() -> Iterator[Entry]:
    for name, command in procfile().items():
        yield Entry(f"Procfile:{name}", command)


# compose ------------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    return document


def is_nettungen_image(image: str) -> bool:
    return image.split(":")[0].rsplit("/", 1)[-1] == "nettungen"


def compose_entries() -> Iterator[Entry]:
    for name, service in compose()["services"].items():
        if not is_nettungen_image(service["image"]):
            continue
        environment = dict(service.get("environment") or {})
        ports = {}
        if "WEB_PORT" in environment:
            ports["environment WEB_PORT"] = int(environment["WEB_PORT"])
        for published in service.get("ports", []):
            ports[f"ports {published}"] = int(str(published).rsplit(":", 1)[1])
        health = []
        if "healthcheck" in service:
            test = " ".join(service["healthcheck"]["test"])
            for port, path in re.findall(r"http://127\.0\.0\.1:(\d+)(/\w*)", test):
                health.append((path, int(port)))
                ports["healthcheck"] = int(port)
        yield Entry(f"compose:{name}", list(service["command"]), environment, ports, health)


# Kubernetes ---------------------------------------------------------------------------------


def k8s_files() -> list[Path]:
    return sorted(
        path for path in (DEPLOY / "k8s").rglob("*.yaml") if path.name != "kustomization.yaml"
    )


def k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (path, document)
        for path in k8s_files()
        for document in yaml.safe_load_all(path.read_text("utf-8"))
        if document
    ]


def config_maps() -> dict[str, dict[str, str]]:
    return {
        document["metadata"]["name"]: document.get("data", {})
        for _, document in k8s_documents()
        if document["kind"] == "ConfigMap"
    }


def _pod_spec(document: dict[str, Any]) -> dict[str, Any] | None:
    if document["kind"] in {"Deployment", "Job", "StatefulSet", "DaemonSet"}:
        spec: dict[str, Any] = document["spec"]["template"]["spec"]
        return spec
    if document["kind"] == "CronJob":
        job: dict[str, Any] = document["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        return job
    return None


def _container_port(container: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    [number] = [p["containerPort"] for p in container.get("ports", []) if p["name"] == port]
    return int(number)


def k8s_entries() -> Iterator[Entry]:
    maps = config_maps()
    for path, document in k8s_documents():
        spec = _pod_spec(document)
        if spec is None:
            continue
        for container in spec["containers"]:
            if not is_nettungen_image(container["image"]):
                continue
            environment: dict[str, Any] = {}
            for source in container.get("envFrom", []):
                environment.update(maps[source["configMapRef"]["name"]])
            for variable in container.get("env", []):
                environment[variable["name"]] = variable.get("value", variable.get("valueFrom"))
            ports = {
                f"containerPort {p['name']}": p["containerPort"] for p in container.get("ports", [])
            }
            if "WEB_PORT" in environment:
                ports["env WEB_PORT"] = int(environment["WEB_PORT"])
            health = []
            for probe in ("startupProbe", "readinessProbe"):
                if "httpGet" in container.get(probe, {}):
                    get = container[probe]["httpGet"]
                    health.append((get["path"], _container_port(container, get["port"])))
            name = f"k8s:{path.relative_to(DEPLOY / 'k8s')}/{document['metadata']['name']}"
            yield Entry(name, list(container["command"]), environment, ports, health)


def entries() -> list[Entry]:
    return [*procfile_entries(), *unit_entries(), *compose_entries(), *k8s_entries()]


# nginx --------------------------------------------------------------------------------------


@dataclass
class Directive:
    name: str
    args: list[str]
    block: list[Directive] | None = None

    def all(self, name: str) -> list[Directive]:
        return [d for d in self.block or [] if d.name == name]

    def one(self, name: str) -> Directive:
        [directive] = self.all(name)
        return directive


_NGINX_TOKEN = re.compile(
    r"""\s+|#[^\n]*|"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|([{};])|([^\s{};"'#]+)"""
)


def _nginx_tokens(text: str) -> Iterator[tuple[str, str]]:
    position = 0
    while position < len(text):
        match = _NGINX_TOKEN.match(text, position)
        if match is None:
            raise ValueError(
                f"cannot read nginx configuration at {text[position : position + 40]!r}"
            )
        position = match.end()
        double, single, punctuation, word = match.groups()
        if punctuation:
            yield "punctuation", punctuation
        elif double is not None or single is not None:
            yield "word", double if double is not None else single
        elif word:
            yield "word", word


def read_nginx(path: Path) -> Directive:
    """The configuration as a tree of directives (a root whose block is the file)."""
    root = Directive("root", [], [])
    stack = [root]
    words: list[str] = []
    for kind, token in _nginx_tokens(path.read_text(encoding="utf-8")):
        if kind == "word":
            words.append(token)
        elif token == ";":
            stack[-1].block.append(Directive(words[0], words[1:]))  # type: ignore[union-attr]
            words = []
        elif token == "{":
            directive = Directive(words[0], words[1:], [])
            stack[-1].block.append(directive)  # type: ignore[union-attr]
            stack.append(directive)
            words = []
        else:
            if words or len(stack) == 1:
                raise ValueError(f"{path.name}: unbalanced block")
            stack.pop()
    if words or len(stack) != 1:
        raise ValueError(f"{path.name}: ends inside a directive or block")
    return root
