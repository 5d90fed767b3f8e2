"""The relay's signature-check worker processes end with the relay: a SIGTERM ends them, and
a relay killed outright (SIGKILL, the OOM killer) leaves none behind."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from services.publisher.relay_checks import POOL_FROM, SignatureChecks

# A job whose signature cannot verify (an all-zero key): the worker's verdict is position 0.
FORGED = (b"\0" * 32, b"x", "AA")
ROOT = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (not gone, not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def test_a_worker_ends_on_sigterm_though_the_relay_handles_it():
    handler = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda *_: None)  # as the relay's command does
    checks = SignatureChecks(1)
    try:
        assert checks.result(checks.submit([FORGED] * POOL_FROM), []) == 0
        assert checks._pool is not None
        (worker,) = checks._pool._processes
        os.kill(worker, signal.SIGTERM)
        assert gone_within(worker, 10)
    finally:
        checks.close()
        signal.signal(signal.SIGTERM, handler)


def test_a_relay_killed_outright_leaves_no_worker_behind():
    script = (
        "import os, sys, time\n"
        "from services.publisher.relay_checks import POOL_FROM, SignatureChecks\n"
        "checks = SignatureChecks(1)\n"
        f"checks.result(checks.submit([{FORGED!r}] * POOL_FROM), [])\n"
        "print(*checks._pool._processes, flush=True)\n"
        "time.sleep(120)\n"
    )
    with subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as relay:
        assert relay.stdout is not None
        worker = int(relay.stdout.readline())
        relay.kill()
        relay.wait()
    try:
        assert gone_within(worker, 10)
    finally:
        if alive(worker):
            os.kill(worker, signal.SIGKILL)


def _stuck_in_a_worker(jobs: list[tuple[bytes, bytes, str]]) -> int | None:
    """Never answers in a worker; in the relay, the verdict on ``FORGED`` jobs."""
    if multiprocessing.parent_process() is not None:
        time.sleep(600)
    return 0


def test_a_worker_that_gives_no_verdict_is_stopped_and_the_batch_verified_in_the_relay(
    monkeypatch,
):
    monkeypatch.setattr("services.publisher.relay_checks.CHECK_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr("services.publisher.relay_checks.first_forged", _stuck_in_a_worker)
    checks = SignatureChecks(1)
    try:
        jobs = [FORGED] * POOL_FROM
        verdict = checks.submit(jobs)
        assert checks._pool is not None
        (worker,) = checks._pool._processes
        started = time.monotonic()
        assert checks.result(verdict, jobs) == 0
        assert time.monotonic() - started < 30
        assert checks._pool is None
        assert gone_within(worker, 10)
    finally:
        checks.close()
