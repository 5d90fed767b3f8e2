"""bench.processes: a worker's peak memory is its own, not its parent's."""

from __future__ import annotations

import sys

import pytest

from bench.processes import in_process, own_peak_rss_mb


def _nothing() -> int:
    return 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_spawned_workers_peak_is_its_own():
    ballast = bytearray(400 * 1024 * 1024)  # the benchmark holding its messages and rows
    ballast[::4096] = b"\x01" * len(range(0, len(ballast), 4096))
    assert own_peak_rss_mb() > 400
    value, peak = in_process(_nothing)
    assert value == 1
    # A bare interpreter that imported the benchmark's modules: far below the parent's 400 MB
    # (ru_maxrss, which Linux keeps across execve, reported the parent's).
    assert peak < 200
    del ballast
