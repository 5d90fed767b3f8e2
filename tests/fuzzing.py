"""API fuzzing with schemathesis: every operation of a service's OpenAPI document, in-process.

Each service's ``test_fuzz.py`` builds its app over a populated database (so real ids exist
and real paths run), hands it to :func:`wsgi_schema` in a fixture, and runs

* every operation, stateless: schema-valid and schema-invalid requests from the coverage and
  fuzzing phases, with every schemathesis check but one (below): no 5xx, a documented status
  code, content type, headers and body, invalid input refused, a 405 that says what is allowed;
* the operations chained by the links schemathesis infers from path parameters and response
  schemas (``GET /things`` → ``GET /things/{id}``), stateful.

Deterministic: Hypothesis is derandomized, keeps no example database and schemathesis has a
fixed seed, so a run either always passes or always fails. ``FUZZ_MAX_EXAMPLES`` sets the
examples per operation in the fuzzing phase (and steps of the stateful run); the default keeps
the whole suite's fuzzing within its CI budget. Run it long locally with, for instance,
``FUZZ_MAX_EXAMPLES=200 .venv/bin/python -m pytest tests -k test_fuzz``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.schemas import OpenApiSchema

CI_MAX_EXAMPLES = 10
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", CI_MAX_EXAMPLES))
# The coverage phase sends every boundary and every invalid value the document allows for each
# parameter: thousands of requests, most of the run. Within the CI budget it sends the valid
# ones and tries one undeclared method a path (invalid input still comes from the fuzzing
# phase); asked for more examples than CI runs, it sends them all.
FULL_COVERAGE = MAX_EXAMPLES > CI_MAX_EXAMPLES
SEED = 20261130
# How often a parameter with known values takes one of them rather than a generated value.
KNOWN_PROBABILITY = 0.8

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # Examples run against a real app and database: slow by unit-test standards, and many
    # generated inputs are refused by the strategies (filtering is how schemathesis works).
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
STATEFUL_SETTINGS = settings(
    FUZZ_SETTINGS, max_examples=max(1, MAX_EXAMPLES // 2), stateful_step_count=6
)

CONFIG: dict[str, Any] = {
    "seed": SEED,
    "phases": {
        "coverage": {}
        if FULL_COVERAGE
        else {"generation": {"mode": "positive"}, "unexpected-methods": ["trace"]}
    },
    "checks": {
        # Our APIs refuse some schema-valid input with a 422 on purpose, for rules OpenAPI 3.0
        # cannot state: a municipality number that is no longer in the classification, two
        # parameters that exclude each other, an age range the wrong way round. Every other
        # check stays on.
        "positive_data_acceptance": {"enabled": False},
    },
}


class Tally:
    """Requests sent per service and operation, stateless and in linked sequences; printed at
    the end of the session, so a run's figures are there to read."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str, str]] = Counter()

    def count(self, case: schemathesis.Case, kind: str) -> None:
        title = case.operation.schema.raw_schema["info"]["title"]
        self.requests[(title, kind, case.operation.label)] += 1

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.section("API fuzzing")
        for title in sorted({title for title, _, _ in self.requests}):
            ours = {key: n for key, n in self.requests.items() if key[0] == title}
            stateless = [n for (_, kind, _), n in ours.items() if kind == "stateless"]
            linked = sum(n for (_, kind, _), n in ours.items() if kind == "linked")
            terminalreporter.write_line(
                f"{title}: {len(stateless)} operations, {sum(stateless)} requests "
                f"(fewest for one operation: {min(stateless, default=0)}), "
                f"{linked} requests in linked sequences"
            )


TALLY = Tally()


def wsgi_schema(
    app: Any,
    request: pytest.FixtureRequest,
    known: Mapping[str, Sequence[Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> OpenApiSchema:
    """The OpenAPI document ``app`` serves at ``/openapi.json``, calling ``app`` in-process.

    ``known`` maps parameters (``path.offer_id``, ``query.municipality``) to values that exist
    in the test's data; schemathesis draws most values of those parameters from them, so real
    records are read and changed, and the rest as it likes, so missing ones are asked for too.
    ``headers`` go with every request (credentials).
    """
    # schemathesis 4 renames the test node through a private pytest attribute that pytest 9.2
    # renamed; give it the one it looks for (it only changes the report's label).
    request.node._nodeid = request.node.nodeid
    if not request.config.pluginmanager.is_registered(TALLY):
        request.config.pluginmanager.register(TALLY, "nettungen-fuzz-tally")
    merged: dict[str, Any] = {**CONFIG, "headers": dict(headers or {})}
    if known:
        names = {parameter: parameter.replace(".", "_") for parameter in known}
        merged["dictionaries"] = {
            names[parameter]: {"values": list(values)} for parameter, values in known.items()
        }
        merged["parameters"] = {
            parameter: {"dictionary": names[parameter], "probability": KNOWN_PROBABILITY}
            for parameter in known
        }
    return schemathesis.openapi.from_wsgi(
        "/openapi.json", app, config=schemathesis.Config.from_dict(merged)
    )


def call_and_validate(case: schemathesis.Case) -> None:
    """Send ``case`` and run every configured check on the response; count it."""
    TALLY.count(case, "stateless")
    case.call_and_validate()


def run_linked_operations(schema: OpenApiSchema) -> None:
    """Run sequences of operations chained by the links schemathesis infers or the document
    declares, every response checked as in the stateless run."""

    class Counted(schema.as_state_machine()):  # type: ignore[misc]
        def after_call(self, response: Any, case: schemathesis.Case) -> None:
            TALLY.count(case, "linked")
            super().after_call(response, case)

    Counted.run(settings=STATEFUL_SETTINGS)
