"""``nettungen demo``, as a newcomer runs it: the whole federation comes up, ``--ready-file``
says where, search shows offers from all three nodes for a demo municipality, reporting
counts them, and Ctrl-C stops every process.

Runs on the embedded defaults, and on PostgreSQL and RabbitMQ when the suite does (the demo's
databases are then made beside a fresh one on the test server, and dropped afterwards).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import TEST_BROKER_URL, TEST_DATABASE_URL

READY_WITHIN = 240  # seconds; it takes about 20 on this machine


def _free_block(size: int) -> int:
    """The first of ``size`` consecutive free local ports."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + size < 65000 and all(_free(first + i) for i in range(size)):
            return first
    raise RuntimeError("no block of free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _demo_processes(root: Path) -> list[int]:
    """Our processes still running from ``root`` (the demo and its children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) == root:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture
def demo_environment(tmp_path):
    environment = {**os.environ, "LOG_FORMAT": "text"}
    for key in ("DATABASE_URL", "BROKER_URL", "INSTANCE_PATH"):
        environment.pop(key, None)
    base = None
    if TEST_DATABASE_URL:
        base = f"ntg_demo_{uuid.uuid4().hex[:8]}"
        environment["DATABASE_URL"] = (
            make_url(TEST_DATABASE_URL).set(database=base).render_as_string(hide_password=False)
        )
    if TEST_BROKER_URL:
        environment["BROKER_URL"] = TEST_BROKER_URL
    yield environment
    if base is not None:
        admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            names = conn.scalars(
                text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": f"{base}_%"}
            ).all()
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_the_demo_brings_up_the_federation_and_stops_cleanly(tmp_path, demo_environment):
    first = _free_block(6)
    national = _free_block(2)
    ready = tmp_path / "ready.json"
    log = (tmp_path / "demo.log").open("wb")
    demo = subprocess.Popen(  # noqa: S603 - our own console script
        [
            sys.executable,
            "-m",
            "services.cli",
            "demo",
            "--reset",
            "--port",
            str(first),
            "--search-port",
            str(national),
            "--reporting-port",
            str(national + 1),
            "--ready-file",
            str(ready),
        ],
        cwd=tmp_path,
        env=demo_environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a process group of its own, as a terminal gives it
    )
    try:
        deadline = time.monotonic() + READY_WITHIN
        while not ready.exists() and demo.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert ready.exists(), (tmp_path / "demo.log").read_text(errors="replace")[-4000:]
        where = json.loads(ready.read_text())
        assert [n["name"] for n in where["nodes"]] == ["drammen", "numedal", "fylke-stat"]
        assert where["nodes"][0] == {
            "name": "drammen",
            "registry": f"http://127.0.0.1:{first}",
            "publisher": f"http://127.0.0.1:{first + 1}",
        }
        offers = httpx.get(
            f"{where['search']}/api/v1/offers",
            params={"municipality": "3301", "per_page": 100, "facets": "false"},
            timeout=10,
        ).json()
        by_node = Counter(item["node"] for item in offers["items"])
        assert set(by_node) == {"drammen", "numedal", "fylke-stat"}, by_node
        page = httpx.get(f"{where['search']}/sok?municipality=3301", timeout=10)
        assert page.status_code == 200 and "Drammen" in page.text
        pyramid = httpx.get(
            f"{where['reporting']}/api/v1/reports/pyramid", params={"area": "3301"}, timeout=10
        ).json()
        assert pyramid["summary"]["offers"] == offers["total"]
        for node in where["nodes"]:
            assert httpx.get(f"{node['publisher']}/healthz", timeout=10).status_code == 200
            login = httpx.get(f"{node['registry']}/login", timeout=10)
            assert login.status_code == 200
    finally:
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C
        try:
            demo.wait(timeout=60)
        finally:
            log.close()
    console = (tmp_path / "demo.log").read_text(errors="replace")
    assert "The password of every demo login" in console
    # Quiet by default: no access line for the feed polls (nor for the requests above).
    assert "nettungen.access" not in console, console[-4000:]
    deadline = time.monotonic() + 30
    while _demo_processes(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _demo_processes(tmp_path) == []
    assert not ready.exists()  # the URLs are gone with the federation
