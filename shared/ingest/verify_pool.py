"""Verifying a feed page's events in worker processes.

Verifying an event (its canonical signing input, the Ed25519 signature, the compiled contract)
is Python that holds the interpreter: one process verifies a few thousand events a second. A
:class:`VerifyPool` hands runs of a page's events to ``processes`` forked workers, each with
the node's directory entry as the harvester holds it when the run is handed over (its keys
pinned: a worker never reads the directory or a JWKS), and gives back one :class:`Verdict` per
event, in the page's order. The harvester still decides everything in order in its own
process: it takes key rotations and redactions itself (the events after one are handed over
only then, with the keys it brought), reads a node's JWKS again for an event signed by a key it
does not hold, and records each refusal event by event, exactly as one at a time. A part of a
run that cannot be handed over (an event nested too deep to pickle) is verified in the
harvester.

A worker that dies, or a part not verified within ``timeout`` seconds, raises
:class:`VerifyPoolError`: the page is not applied (its cursor does not move) and the next round
reads it again with new workers; nothing waits for ever.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from shared.forked import forked_pool
from shared.ingest.apply import VerifiedEvent, verify
from shared.ingest.directory import Directory, TrustedNode
from shared.ingest.redaction import is_redaction
from shared.ingest.rotation import is_rotation
from shared.ingest.verifier import Verifier
from shared.publication.events import EventRejected, UnknownKey

# A run shorter than this is verified in the harvester: handing it over would cost more.
POOL_FROM = 32
# A run is handed over in parts of at least this many events, a few parts per worker.
PART_LEAST = 16
PARTS_PER_WORKER = 4
# How long the harvester waits for one part's verdicts before it gives the workers up.
TIMEOUT_SECONDS = 120.0


class VerifyPoolError(RuntimeError):
    """A worker died or did not answer in time; the page was not applied."""


@dataclass(frozen=True)
class Verdict:
    """One event's verification in a worker: what it loaded, or why it was refused."""

    document: dict[str, Any] | None = None  # None: refused
    sequence: int = 0
    authority_lapsed: bool = False
    stored: str | None = None
    refused: str | None = None  # the refusal's message
    unknown_key: bool = False  # refused for a key the worker was not given

    def taken(self, node: TrustedNode, event: Mapping[str, Any]) -> VerifiedEvent:
        """The verified event (raises the refusal, as :func:`verify` would have)."""
        if self.document is None:
            error = UnknownKey if self.unknown_key else EventRejected
            raise error(self.refused)
        return VerifiedEvent(
            node,
            event,
            self.document,
            self.sequence,
            authority_lapsed=self.authority_lapsed,
            stored=self.stored,
        )


def verdicts(events: Sequence[Any], node: TrustedNode, max_future: dt.timedelta) -> list[Verdict]:
    """Each event of ``node``'s feed verified with :func:`~shared.ingest.apply.verify`."""
    directory = Directory([node])
    found: list[Verdict] = []
    for event in events:
        try:
            verified = verify(event, directory, node, max_future)
        except EventRejected as exc:
            found.append(Verdict(refused=str(exc), unknown_key=isinstance(exc, UnknownKey)))
            continue
        found.append(
            Verdict(
                verified.document,
                verified.sequence,
                verified.authority_lapsed,
                verified.stored,
            )
        )
    return found


class Pending:
    """The verdicts of a run of events, as they come back from the workers."""

    def __init__(self, pool: VerifyPool, node: TrustedNode) -> None:
        self._pool, self._node = pool, node
        self._parts: list[tuple[list[Any], Future[list[Verdict]]]] = []  # in order
        self._verdicts: list[Verdict] = []
        self._taken = 0

    def add(self, events: list[Any], part: Future[list[Verdict]]) -> None:
        """The next part of the run: its events and their verdicts to come."""
        self._parts.append((events, part))

    def __getitem__(self, position: int) -> Verdict:
        """The verdict on the run's event at ``position`` (waits for its part)."""
        while position >= len(self._verdicts):
            events, part = self._parts[self._taken]
            self._taken += 1
            found = self._pool.result(part)
            if found is None:  # it could not be handed over: verified here, as it would be
                found = verdicts(events, self._node, self._pool.max_future)
            self._verdicts.extend(found)
        return self._verdicts[position]


class VerifyPool:
    """``processes`` forked workers verifying runs of events (0 or 1: in the harvester)."""

    def __init__(
        self,
        processes: int,
        max_future: dt.timedelta,
        pool_from: int = POOL_FROM,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.processes = processes
        self.max_future = max_future
        self.pool_from = pool_from
        self.timeout = timeout
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def used_for(self, count: int) -> bool:
        """Whether a run of ``count`` events goes to the workers."""
        return self.processes > 1 and count >= self.pool_from

    def submit(self, events: Sequence[Any], node: TrustedNode) -> Pending:
        """Start verifying ``events`` of ``node``'s feed, in a few parts per worker (the
        harvester takes the first verdicts while the workers verify the rest)."""
        size = max(PART_LEAST, -(-len(events) // (self.processes * PARTS_PER_WORKER)))
        pool = self._executor()
        pending = Pending(self, node)
        for first in range(0, len(events), size):
            part = list(events[first : first + size])
            try:
                pending.add(part, pool.submit(verdicts, part, node, self.max_future))
            except (BrokenProcessPool, RuntimeError) as exc:
                self.close()
                raise VerifyPoolError(f"the verification workers are gone: {exc}") from exc
        return pending

    def result(self, future: Future[list[Verdict]]) -> list[Verdict] | None:
        """The verdicts of one part; None when it could not be handed over or back (an event
        nested too deep to pickle: a few hundred levels)."""
        try:
            return future.result(timeout=self.timeout)
        except (BrokenProcessPool, CancelledError) as exc:
            self.close()
            raise VerifyPoolError(
                f"a verification worker died ({exc}); the page is read again next round"
            ) from exc
        except FutureTimeout:
            self.close(kill=True)
            raise VerifyPoolError(
                f"the verification workers gave no answer in {self.timeout:g} s; they were "
                "stopped and the page is read again next round"
            ) from None
        except Exception:  # noqa: BLE001 - the part is verified in the harvester instead
            return None

    def start(self) -> None:
        """Fork the workers now, if they will be used. A process forked while only one thread
        runs inherits no lock another thread holds, so a command starts them before its
        threads (they are otherwise forked when first needed)."""
        if self.processes > 1:
            future = self._executor().submit(os.getpid)  # every worker is forked at once
            try:
                future.result(timeout=self.timeout)
            except Exception as exc:
                self.close(kill=True)
                raise VerifyPoolError(f"the verification workers did not start: {exc}") from exc

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # Forked: started in an instant with the contract already compiled. A worker
                # only verifies: it never touches the connections it inherits.
                self._pool = forked_pool(self.processes, freeze=True)
            return self._pool

    def close(self, kill: bool = False) -> None:
        """Stop the workers: let them end, or (``kill``) end them at once."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:  # a worker that does not answer would not stop for a shutdown
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
        pool.shutdown(wait=not kill, cancel_futures=True)


class HandedOver:
    """A page's events as the harvester takes them in order: each run between two key
    rotations or redactions handed to the pool's workers when it reaches the run's first
    event (with the node's keys held then), each verdict taken as it is needed."""

    def __init__(
        self,
        pool: VerifyPool,
        verifier: Verifier,
        node_id: str,
        events: Sequence[Any],
        sequences: Sequence[int | None],
    ) -> None:
        self.pool, self.verifier, self.node_id = pool, verifier, node_id
        self.events, self.sequences = events, sequences
        # By event: its run's verdicts, its place in the run and the node as handed over
        # (None: verified here).
        self._at: dict[int, tuple[Pending, int, TrustedNode] | None] = {}

    def verified(self, index: int) -> VerifiedEvent:
        """The page's event at ``index`` (neither a rotation nor a redaction), verified: by
        a worker when it was handed over, else here. One signed by a key the worker was not
        given is verified again here, which reads the node's JWKS when due, as one at a
        time."""
        if index not in self._at:
            self._hand_over(index)
        event, ahead = self.events[index], self._at[index]
        if ahead is not None:
            pending, position, node = ahead
            verdict = pending[position]
            if not verdict.unknown_key and self._still_held(node):
                return verdict.taken(node, event)
        return self.verifier.verify(event, self.node_id)

    def _still_held(self, node: TrustedNode) -> bool:
        """Whether the harvester holds the node's entry as it was handed over. One changed
        since (a JWKS read here that retired a key, the operator's change read from the
        database) verifies the rest of the run here, as one at a time would have."""
        now = self.verifier.directory.current().get(self.node_id)
        return now is node or now == node

    def _hand_over(self, index: int) -> None:
        """Hand the run from ``index`` up to the next rotation or redaction to the workers,
        when it is long enough."""
        run = []
        for later in range(index, len(self.sequences)):
            event = self.events[later]
            if is_rotation(event) or is_redaction(event):
                break
            if self.sequences[later] is not None:
                run.append(later)
        node = self.verifier.directory.current().get(self.node_id)
        if node is None or not self.pool.used_for(len(run)):
            self._at.update(dict.fromkeys(run))
            return
        pending = self.pool.submit([self.events[later] for later in run], node)
        self._at.update({later: (pending, place, node) for place, later in enumerate(run)})
