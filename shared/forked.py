"""Worker processes forked beside a long-running process: the relay's signature checks
(:mod:`services.publisher.relay_checks`) and the harvester's verification
(:mod:`shared.ingest.verify_pool`).

Forked, a worker starts in an instant with what its parent already imported and compiled. It
only computes: it never touches the connections it inherits. It ends when its parent closes the
pool, on SIGTERM, or when the parent is gone.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

# How often a worker looks whether the process that started it is still there.
PARENT_CHECK_SECONDS = 1.0


def forked_pool(processes: int, *, freeze: bool = False) -> ProcessPoolExecutor:
    """``processes`` workers forked from this process; with ``freeze``, each keeps what it
    inherited out of its garbage collector (see :func:`_worker_started`)."""
    return ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_started,
        initargs=(os.getpid(), freeze),
    )


def _worker_started(parent: int, freeze: bool) -> None:
    """In a new worker: undo the signal handlers it was forked with (so a SIGTERM ends it, and
    a Ctrl-C to the process group leaves its stopping to the parent), and end it when the
    parent is gone: it holds both ends of its job pipe, so a parent killed outright would
    otherwise leave it waiting for jobs for ever. With ``freeze``, what it inherited is frozen
    out of its garbage collector: a connection the parent dropped but had not yet collected
    would otherwise be finalised here (a pooled SQLAlchemy connection returned to its pool,
    with a ROLLBACK on the socket the parent still shares)."""
    if freeze:
        gc.freeze()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
