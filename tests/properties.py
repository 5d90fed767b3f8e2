"""Settings of the property-based tests (hypothesis): the same examples on every run, none
remembered between runs, and few enough that each property takes a few seconds in CI."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def examples(count: int) -> settings:
    return settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        # The fixtures a property reads (a federation, an index) are built once per test on
        # purpose; each example leaves them as valid as it found them.
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
