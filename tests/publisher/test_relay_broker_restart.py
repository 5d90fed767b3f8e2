"""RabbitMQ stops while the relay runs and offers are published; nothing is lost.

Runs only against a real broker (TEST_BROKER_URL, as in CI's second pass), which it stops and
starts with NETTUNGEN_TEST_RABBITMQCTL (``rabbitmqctl`` by default). The outage lasts
NETTUNGEN_TEST_OUTAGE_SECONDS (5 by default; the issue's acceptance run used 60).
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

import pytest

from services.publisher.relay import Relay, RelaySettings
from shared.bus import open_publisher
from tests.conftest import TEST_BROKER_URL
from tests.publisher.bus import declare, drain, log_ids, publish, rabbitmqctl

pytestmark = pytest.mark.skipif(not TEST_BROKER_URL, reason="needs RabbitMQ (TEST_BROKER_URL)")
OUTAGE_SECONDS = float(os.environ.get("NETTUNGEN_TEST_OUTAGE_SECONDS", "5"))


def wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_broker_restart_mid_relay_loses_no_event(node, queue_name):
    assert TEST_BROKER_URL
    declare(TEST_BROKER_URL, queue_name)
    publish(node, 100)
    relay = Relay(
        node,
        open_publisher(TEST_BROKER_URL),
        RelaySettings(batch_size=10, idle_seconds=0.1, min_backoff=0.2, max_backoff=2.0),
    )
    stop = threading.Event()
    worker = threading.Thread(target=relay.run, args=(stop,))
    worker.start()
    try:
        wait_for(lambda: relay.cursor() > 0, timeout=60)
        rabbitmqctl("stop_app")
        try:
            publish(node, 200)  # while the broker is down: the registry never needs the bus
            time.sleep(OUTAGE_SECONDS)
            assert relay.cursor() < 300, "nothing can be confirmed while the broker is down"
        finally:
            rabbitmqctl("start_app")
        wait_for(lambda: relay.cursor() == 300, timeout=180)
    finally:
        stop.set()
        worker.join(timeout=60)

    received = [m.message_id for m in drain(TEST_BROKER_URL, queue_name)]
    expected = log_ids(node)
    assert len(expected) == 300
    assert set(received) == set(expected)
    copies = Counter(received)
    # Duplicates can only come from batches in flight when the broker went away.
    assert sum(n - 1 for n in copies.values()) <= 10
    print(f"received {len(received)} messages, {len(copies)} distinct, of {len(expected)} events")
