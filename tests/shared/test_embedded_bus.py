"""What only the embedded bus must do: share one SQLite file safely between processes.

What every bus must do, the embedded one included, is in :mod:`tests.shared.test_bus_contract`.
"""

from __future__ import annotations

import pytest

from shared.bus import BusUnavailable, OutgoingMessage, open_consumer, open_publisher


def test_an_embedded_bus_error_never_leaves_the_file_locked(tmp_path):
    bus_url = f"embedded://{tmp_path / 'bus.sqlite'}"
    consumer = open_consumer(bus_url, "q", ["#", "#"])  # duplicates are folded, not an error
    consumer.connect()
    broken = open_consumer(bus_url, "q2", ["#"])
    broken.connect()
    broken.db.execute("DROP TABLE messages")  # the next claim fails inside its transaction
    with pytest.raises(BusUnavailable):
        broken.drain(lambda m: None, timeout=0.1)
    assert not broken.db.in_transaction
    # Another process can still write (it recreates the table), with the broken one still open.
    publisher = open_publisher(bus_url)
    result = publisher.publish_batch([OutgoingMessage("m", ["published.all.all"], b"{}")], 5)
    assert result.confirmed == 1 and result.unroutable == ()
    publisher.close()
    broken.close()
    consumer.close()
