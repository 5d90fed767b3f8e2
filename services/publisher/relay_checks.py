"""The relay's checks of its log rows: the envelope in the relay, the signatures beside it.

Verifying an Ed25519 signature is most of what the relay spends on a row, and it holds the
interpreter while it runs. A batch of at least ``POOL_FROM`` rows is therefore verified in a
process of its own (``processes`` of them), while the relay sends the batch before it; a
smaller one (a publication or two, where waiting for another process would only add latency)
is verified in the relay. A worker that dies, or gives no verdict within
``CHECK_TIMEOUT_SECONDS``, is replaced, and the batch verified in the relay.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import orjson

from shared.forked import forked_pool
from shared.publication.events import signing_input
from shared.signing import verify

log = logging.getLogger(__name__)

# Batches this large or larger go to the worker processes.
POOL_FROM = 32

# (public key, signing input, signature) of one row.
Job = tuple[bytes, bytes, str]
# How long the relay waits for a worker's verdict on a batch (a few milliseconds' work).
CHECK_TIMEOUT_SECONDS = 60.0


def first_forged(jobs: Sequence[Job]) -> int | None:
    """The position of the first job whose signature does not verify (``None``: all do)."""
    for position, (public, signed, signature) in enumerate(jobs):
        if not verify(public, signed, signature):
            return position
    return None


def signed_and_body(event: dict[str, Any], snapshot: str) -> tuple[bytes, bytes]:
    """The signing input (canonical JSON of the event without its signature) and the message
    body (compact JSON in the event's own order) of a log row's event, whose ``data`` was read
    from the row's ``snapshot``; each exactly as
    :func:`~shared.publication.events.signing_input` and :func:`~shared.bus.event_body` write
    it.

    The snapshot is canonical JSON, so read back it is in sorted order and both encoders
    would write it as it is: when orjson writes the data back byte for byte as the snapshot,
    the data is that text in both, and the envelope (strings only) is written by orjson as
    the standard library writes it. Anything else takes the defining encoders.
    """
    try:
        data: bytes | None = orjson.dumps(event["data"], option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # an integer past 64 bits, a lone surrogate
        data = None
    if (
        data is not None
        and data == snapshot.encode("utf-8")
        and all(type(value) is str for key, value in event.items() if key != "data")
    ):
        fragment = orjson.Fragment(data)
        unsigned = {k: v for k, v in event.items() if k != "signature"}
        return (
            orjson.dumps({**unsigned, "data": fragment}, option=orjson.OPT_SORT_KEYS),
            orjson.dumps({**event, "data": fragment}),
        )
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return signing_input(event), body


class SignatureChecks:
    """Verifies batches of jobs, in worker processes when a batch is large enough."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, jobs: Sequence[Job]) -> Future[int | None]:
        """Start verifying ``jobs``; the future's result is :func:`first_forged`'s."""
        if self.processes > 0 and len(jobs) >= POOL_FROM:
            if self._pool is None:
                # Forked: started in an instant, with nothing to import (a spawned worker
                # would import the relay's whole command first). The worker only verifies:
                # it never touches the connections it inherits, and it ends when the relay
                # closes the checks, on SIGTERM, or when the relay is gone.
                self._pool = forked_pool(self.processes)
            try:
                return self._pool.submit(first_forged, list(jobs))
            except (BrokenProcessPool, RuntimeError):
                self.close()
        done: Future[int | None] = Future()
        done.set_result(first_forged(jobs))
        return done

    def result(self, future: Future[int | None], jobs: Sequence[Job]) -> int | None:
        """The verdict of ``future``; verified here if its worker died or gave no answer."""
        try:
            return future.result(timeout=CHECK_TIMEOUT_SECONDS)
        except BrokenProcessPool:
            self.close()
        except FutureTimeout:
            log.warning(
                "a signature-check worker gave no verdict in %g s: it is stopped and the batch "
                "verified in the relay",
                CHECK_TIMEOUT_SECONDS,
            )
            self.close(kill=True)
        return first_forged(jobs)

    def close(self, kill: bool = False) -> None:
        """Stop the workers; ``kill``: at once (one that does not answer would not stop)."""
        if self._pool is not None:
            if kill:
                for process in list(getattr(self._pool, "_processes", {}).values()):
                    process.kill()
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
