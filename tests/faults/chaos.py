"""Faults on demand: the federation's long-running commands killed with SIGKILL and started
again, the broker stopped and started, each written down on a timeline.

A :class:`Plan` is drawn from a seeded random generator, so a failing run can be repeated with
its seed. Each fault waits for the workload to reach its change number; the faults of one
target happen in order, those of different targets independently (a consumer may be killed
while the broker is down).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy.processes import Running
from tests.publisher.bus import rabbitmqctl

BROKER = "broker"


class Timeline:
    """What happened when: seconds since the start, and how many changes were made by then."""

    def __init__(self, progress: Callable[[], int]) -> None:
        self.progress = progress
        self.started = time.monotonic()
        self.entries: list[tuple[float, int, str]] = []
        self._lock = threading.Lock()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def note(self, what: str) -> None:
        with self._lock:
            self.entries.append((self.elapsed(), self.progress(), what))

    def lines(self) -> list[str]:
        return [f"{at:8.2f} s  {done:5d} changes  {what}" for at, done, what in self.entries]


class Service:
    """One long-running ``nettungen`` command, started from the repository as an operator
    would start it; each start writes its output to a file of its own."""

    def __init__(self, name: str, args: list[str], env: Mapping[str, str], folder: Path) -> None:
        self.name, self.args, self.env, self.folder = name, args, dict(env), folder
        self.starts = 0
        self.current: Running | None = None

    def start(self) -> None:
        self.starts += 1
        self.current = Running.python(
            "services.cli",
            *self.args,
            env=self.env,
            output=self.folder / f"{self.name}.{self.starts}.log",
        )

    def kill(self) -> None:
        """SIGKILL: no handler runs, no transaction commits, nothing is acknowledged."""
        assert self.current is not None, f"{self.name} was never started"
        self.current.process.kill()
        self.current.wait()

    def exited(self) -> int | None:
        """The exit code if the process ended by itself, else ``None``."""
        return None if self.current is None else self.current.process.poll()

    def stop(self) -> None:
        if self.current is not None and self.current.process.poll() is None:
            self.current.stop()

    def output(self) -> str:
        """Everything every start of it wrote."""
        return "".join(
            (self.folder / f"{self.name}.{n}.log").read_text(encoding="utf-8", errors="replace")
            for n in range(1, self.starts + 1)
        )


@dataclass(frozen=True)
class Fault:
    at_change: int
    target: str  # a service's name, or BROKER
    pause: float  # seconds it stays down


@dataclass
class Plan:
    seed: int
    faults: list[Fault] = field(default_factory=list)

    @classmethod
    def draw(cls, seed: int, changes: int, kills: Mapping[str, int], broker_restarts: int) -> Plan:
        """``kills[name]`` kills of each service and ``broker_restarts`` broker restarts, at
        changes drawn between 5 % and 85 % of the workload; a service stays down for 0.5 to 3
        seconds, the broker for 2 to 6."""
        rng = random.Random(seed)  # noqa: S311 - a repeatable test plan, not a secret
        plan = cls(seed)
        targets = [name for name, n in kills.items() for _ in range(n)]
        targets += [BROKER] * broker_restarts
        for target in targets:
            at = rng.randint(changes // 20, changes * 17 // 20)
            low, high = (2.0, 6.0) if target == BROKER else (0.5, 3.0)
            plan.faults.append(Fault(at, target, round(rng.uniform(low, high), 2)))
        plan.faults.sort(key=lambda f: f.at_change)
        return plan

    def of(self, target: str) -> list[Fault]:
        return [f for f in self.faults if f.target == target]


class Chaos:
    """Carries out a plan against running services while the workload goes on."""

    def __init__(
        self,
        plan: Plan,
        services: Mapping[str, Service],
        timeline: Timeline,
    ) -> None:
        self.plan, self.services, self.timeline = plan, services, timeline
        self.errors: list[BaseException] = []
        self._abort = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(target,), name=f"chaos-{target}")
            for target in {f.target for f in plan.faults}
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in self._threads), "faults still under way"
        if self.errors:
            raise self.errors[0]

    def abort(self) -> None:
        self._abort.set()

    def _wait_for(self, change: int) -> bool:
        while self.timeline.progress() < change:
            if self._abort.wait(0.01):
                return False
        return True

    def _run(self, target: str) -> None:
        try:
            for fault in self.plan.of(target):
                if not self._wait_for(fault.at_change):
                    return
                if target == BROKER:
                    self._restart_broker(fault)
                else:
                    self._kill(self.services[target], fault)
        except BaseException as exc:  # noqa: BLE001 - reported by join() in the test's thread
            self.errors.append(exc)

    def _kill(self, service: Service, fault: Fault) -> None:
        code = service.exited()
        assert code is None, f"{service.name} had exited by itself with {code}"
        service.kill()
        self.timeline.note(f"killed {service.name} (SIGKILL), down for {fault.pause} s")
        time.sleep(fault.pause)
        service.start()
        self.timeline.note(f"started {service.name} again")

    def _restart_broker(self, fault: Fault) -> None:
        self.timeline.note("stopping the broker")
        rabbitmqctl("stop_app")
        self.timeline.note(f"broker stopped, down for {fault.pause} s")
        time.sleep(fault.pause)
        rabbitmqctl("start_app")
        self.timeline.note("broker started again")
