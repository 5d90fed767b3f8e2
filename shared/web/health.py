"""``GET /healthz``: liveness and readiness of a service, for load balancers and monitoring."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from typing import Any

import flask_smorest
from flask.views import MethodView
from marshmallow import Schema, fields

from shared.web.context import RequestDatabase

log = logging.getLogger(__name__)

Checks = Mapping[str, Callable[[], None]]


class HealthSchema(Schema):
    status = fields.String(required=True, metadata={"description": "ok, degraded or failing"})
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


def health_blueprint(
    checks: Checks,
    degrading: Collection[str] = (),
    description: str = "Liveness and readiness.",
) -> flask_smorest.Blueprint:
    """``GET /healthz``: every check's result, and whether the service can do its job.

    200 ``ok`` when every check passes; 503 ``failing`` when one fails that the service cannot
    answer without (its database). A check named in ``degrading`` guards something the service
    can answer without for a while, such as the bus beside a service whose readers never touch
    it: when only those fail the answer is 200 ``degraded``, naming them, so a load balancer
    keeps serving the feeds and the API while monitoring sees the fault.
    """
    unknown = set(degrading) - set(checks)
    if unknown:
        raise ValueError(f"degrading names checks that do not exist: {sorted(unknown)}")
    bp = flask_smorest.Blueprint("health", __name__, description=description)

    @bp.route("/healthz")
    class Health(MethodView):
        @bp.doc(security=[])  # open to the load balancer, whatever the API's own scheme
        @bp.response(
            200, HealthSchema, description="Every check passes, or only degrading ones fail."
        )
        @bp.alt_response(503, schema=HealthSchema, description="A dependency is failing.")
        def get(self) -> tuple[dict[str, Any], int]:
            results = _run(checks)
            return _verdict(results, degrading)

    return bp


def _run(checks: Checks) -> dict[str, str]:
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - a health check reports every failure
            log.warning("health check %s failed: %s", name, exc)
            results[name] = "failing"
    return results


def _verdict(results: dict[str, str], degrading: Collection[str]) -> tuple[dict[str, Any], int]:
    failing = {name for name, result in results.items() if result != "ok"}
    if not failing:
        return {"status": "ok", "checks": results}, 200
    if failing <= set(degrading):
        return {"status": "degraded", "checks": results}, 200
    return {"status": "failing", "checks": results}, 503


def database_and_bus_health(
    database: RequestDatabase, broker_url: str, description: str
) -> flask_smorest.Blueprint:
    """``GET /healthz`` of a service that answers from its database and has the bus beside it
    (the publisher's relay, an ingest): failing without the database, degraded without the
    bus."""
    from shared.bus import ping

    return health_blueprint(
        {"database": database.ping, "bus": lambda: ping(broker_url)},
        degrading={"bus"},
        description=description,
    )
