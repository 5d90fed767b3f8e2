"""Running the deployed commands for real in tests: a process, its environment, its JSON lines."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shared.logs import LOG_CONFIG
from shared.serve import SERVER_CONFIG
from tests.deploy.deployfiles import REPO

# The runner's own settings of these must not leak into a process under test.
_OURS = {key.name for key in (*SERVER_CONFIG, *LOG_CONFIG)} | {
    "DATABASE_URL",
    "BROKER_URL",
    "INSTANCE_PATH",
    "NODE_BASE_URL",
    "PUBLIC_BASE_URL",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment(**settings: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in _OURS}
    return {**base, "LOG_FORMAT": "json", **settings}


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


class Running:
    """A process started from the repository root with its output in a file."""

    def __init__(self, args: list[str], env: Mapping[str, str], output: Path) -> None:
        self.output = output
        self._file = output.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own commands, fixed arguments
            args, cwd=REPO, env=dict(env), stdout=self._file, stderr=subprocess.STDOUT
        )

    @classmethod
    def python(cls, *args: str, env: Mapping[str, str], output: Path) -> Running:
        return cls([sys.executable, "-m", *args], env, output)

    def stop(self, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._file.close()
        return code

    def wait(self, timeout: float = 60.0) -> int:
        code = self.process.wait(timeout=timeout)
        self._file.close()
        return code

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8")

    def json_lines(self) -> list[dict[str, Any]]:
        """Every line of output, each of which must be one JSON object."""
        lines = []
        for line in self.text().splitlines():
            try:
                lines.append(json.loads(line))
            except json.JSONDecodeError:
                raise AssertionError(f"not a JSON line: {line!r}") from None
        return lines
