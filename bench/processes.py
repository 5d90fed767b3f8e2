"""The services under test as processes of their own, as in production, and their peak memory.

Workers (the relay, search's bus consumer, the harvester) run in a spawned interpreter, not a
fork of the benchmark, so their peak RSS is theirs alone. Web services run under gunicorn with
the service's own config file (one sync worker) on a loopback port; a worker's peak RSS is
read from ``/proc/<pid>/status`` (``VmHWM``) before it stops.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def own_peak_rss_mb() -> float:
    """This process's peak resident set size: ``VmHWM``, not ``ru_maxrss``, which Linux keeps
    across ``execve``, so a spawned worker's would start at its parent's (the benchmark's, with
    every message and row it holds) and report that instead of its own."""
    status = Path("/proc/self/status")
    if status.exists():
        return peak_rss_mb(os.getpid())
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def peak_rss_mb(pid: int) -> float:
    """Another process's peak resident set size, from ``VmHWM``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"process {pid} reports no VmHWM")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _child(target: Callable[..., Any], args: tuple[Any, ...], results: Any) -> None:
    try:
        value = target(*args)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
        results.put(("error", f"{type(exc).__name__}: {exc}"))
        return
    results.put(("ok", (value, own_peak_rss_mb())))


def in_process(target: Callable[..., Any], *args: Any, timeout: float = 600) -> tuple[Any, float]:
    """Run ``target(*args)`` in a fresh interpreter; its return value and its peak RSS in MB.

    ``args`` are URLs and numbers (never engines or sockets), so the child opens its own.
    """
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_child, args=(target, args, results))
    process.start()
    try:
        status, value = results.get(timeout=timeout)
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.kill()
    if status != "ok":
        raise RuntimeError(f"{target.__name__} failed in its process: {value}")
    return value


def _service(target: Callable[..., Any], args: tuple[Any, ...], stop: Any, results: Any) -> None:
    try:
        target(stop, *args)
    finally:
        results.put(own_peak_rss_mb())


class Running:
    """A worker running in its own process until the ``with`` block ends."""

    peak_rss_mb: float = 0.0


@contextmanager
def running(target: Callable[..., Any], *args: Any) -> Iterator[Running]:
    """Run ``target(stop, *args)`` in a fresh interpreter until the block ends; then stop it
    (``stop`` is a multiprocessing event) and record its peak RSS."""
    context = multiprocessing.get_context("spawn")
    stop, results = context.Event(), context.Queue()
    process = context.Process(target=_service, args=(target, args, stop, results))
    process.start()
    handle = Running()
    try:
        yield handle
    finally:
        stop.set()
        handle.peak_rss_mb = results.get(timeout=120)
        process.join(timeout=30)
        if process.is_alive():
            process.kill()


class Server:
    """A gunicorn master with one worker, serving ``service`` on ``base_url``."""

    def __init__(self, process: subprocess.Popen[bytes], base_url: str) -> None:
        self.process = process
        self.base_url = base_url

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def worker_peak_rss_mb(self) -> float:
        return max(peak_rss_mb(pid) for pid in self.worker_pids())


@contextmanager
def gunicorn(service: str, port: int, environment: dict[str, str]) -> Iterator[Server]:
    """``gunicorn -c deploy/gunicorn/<service>.conf.py 'services.<service>:create_app()'``."""
    env = {
        **os.environ,
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "WEB_MAX_REQUESTS": "0",
        "LOG_LEVEL": "WARNING",
        **environment,
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and config
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "deploy" / "gunicorn" / f"{service}.conf.py"),
            f"services.{service}:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn for {server.base_url} exited at start")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn for {server.base_url} did not answer in {seconds:.0f} s")
