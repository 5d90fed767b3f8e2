"""The embedded bus when a consumer dies: what it held is delivered again at once.

RabbitMQ hands a consumer's unacknowledged messages to the others as soon as its connection
drops. The embedded bus must do the same for a consumer process killed with SIGKILL while it
handles a message, rather than hide the message until its claim runs out (a minute).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from shared.bus import (
    CLAIM_SECONDS,
    IncomingMessage,
    OutgoingMessage,
    open_consumer,
    open_publisher,
)
from tests.deploy.deployfiles import REPO
from tests.publisher.bus import declare

# A consumer that takes one message and never finishes handling it.
HANGING_CONSUMER = """
import sys, time
from shared.bus import open_consumer
consumer = open_consumer(sys.argv[1], "faults.hang", ["#"])
consumer.connect()
def handle(message):
    print(message.message_id, flush=True)
    time.sleep(600)
consumer.drain(handle, timeout=60)
"""


def received_by_another(url: str, timeout: float) -> list[IncomingMessage]:
    received: list[IncomingMessage] = []
    consumer = open_consumer(url, "faults.hang", ["#"])
    consumer.connect()
    consumer.drain(received.append, timeout=timeout)
    consumer.close()
    return received


def test_a_killed_consumers_message_is_delivered_again_at_once(tmp_path: Path) -> None:
    url = f"embedded://{tmp_path / 'bus.sqlite'}"
    declare(url, "faults.hang")
    publisher = open_publisher(url)
    publisher.publish_batch([OutgoingMessage("m-1", ["offer.published"], b"{}")], timeout=5)
    publisher.close()
    child = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", HANGING_CONSUMER, url], cwd=REPO, stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"m-1"
        # While its consumer lives, the message is its own.
        assert received_by_another(url, timeout=0.5) == []
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    started = time.monotonic()
    received = received_by_another(url, timeout=0.5)
    assert [(m.message_id, m.redelivered) for m in received] == [("m-1", True)]
    assert time.monotonic() - started < CLAIM_SECONDS / 10
