"""Metrics through OpenTelemetry, scraped by Prometheus at `/metrics` on every process.

APIs serve `/metrics` on their own port (answered by the ASGI layer in front of the app, so it works
for the gateway too); workers serve `/metrics`, `/healthz` and `/readyz` on a small listener of their
own (`METRICS_PORT`, which the launcher assigns). Instruments are created once per process; the hot
path only increments counters and records histogram samples (no I/O). Gauges whose value needs a query
(outbox backlog, consumer lag, dead-letter depth) are refreshed by the worker every few seconds and read
from memory when scraped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 200, 500, 1000)

_lock = threading.Lock()
_state: dict[str, Any] = {}


class GaugeTable:
    """Last known values of a gauge, keyed by label tuples; read by an observable gauge when scraped."""

    def __init__(self, labels: tuple[str, ...]) -> None:
        self.labels = labels
        self._values: dict[tuple[str, ...], float] = {}

    def set(self, key: tuple[str, ...], value: float) -> None:
        self._values[key] = value

    def replace(self, values: dict[tuple[str, ...], float]) -> None:
        self._values = dict(values)

    def get(self, key: tuple[str, ...]) -> float | None:
        return self._values.get(key)

    def observe(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(v, dict(zip(self.labels, k, strict=True))) for k, v in list(self._values.items())]


class Metrics:
    """Every instrument of the platform (one set per process; unused ones export nothing)."""

    def __init__(self, provider: MeterProvider) -> None:
        meter = provider.get_meter("improvenet")
        self.provider = provider
        self.http_requests = meter.create_counter(
            "improvenet_http_requests", unit="1", description="HTTP requests answered, by route, method and status")
        self.http_duration = meter.create_histogram(
            "improvenet_http_request_duration", unit="s", description="HTTP request latency, by route and method")
        self.relay_batch = meter.create_histogram(
            "improvenet_relay_batch_size", unit="1", description="Events published per relay batch")
        self.relay_published = meter.create_counter(
            "improvenet_relay_published", unit="1", description="Events the relay published to the bus")
        self.relay_failures = meter.create_counter(
            "improvenet_relay_publish_failures", unit="1", description="Events the bus did not accept (retried)")
        self.consumer_batch = meter.create_histogram(
            "improvenet_consumer_batch_size", unit="1", description="Deliveries per polled consumer batch")
        self.consumer_events = meter.create_counter(
            "improvenet_consumer_events", unit="1",
            description="Events handled by consumers, by group and outcome (applied, duplicate, dead-lettered)")
        self.outbox_backlog = GaugeTable(("service",))
        self.outbox_oldest_age = GaugeTable(("service",))
        self.consumer_lag = GaugeTable(("group", "topic"))
        self.dead_letters = GaugeTable(("group",))
        self.up = GaugeTable(("task",))
        meter.create_observable_gauge("improvenet_outbox_backlog", [self.outbox_backlog.observe], unit="1",
                                      description="Outbox events not yet published")
        meter.create_observable_gauge("improvenet_outbox_oldest_unpublished_age", [self.outbox_oldest_age.observe],
                                      unit="s", description="Age of the oldest unpublished outbox event (0: none)")
        meter.create_observable_gauge("improvenet_consumer_lag", [self.consumer_lag.observe], unit="1",
                                      description="Events on the topic the group has not committed yet")
        meter.create_observable_gauge("improvenet_dead_letters", [self.dead_letters.observe], unit="1",
                                      description="Events dead-lettered by the group and not re-driven since")
        meter.create_observable_gauge("improvenet_worker_task_up", [self.up.observe], unit="1",
                                      description="1 while a worker task (relay, consumer) runs")


def setup_metrics(service: str) -> Metrics:
    """The process's instruments, exported through OpenTelemetry's Prometheus reader (idempotent)."""
    with _lock:
        if "metrics" in _state:
            return _state["metrics"]  # type: ignore[no-any-return]
        from opentelemetry.exporter.prometheus import PrometheusMetricReader

        reader = PrometheusMetricReader()
        views = [
            View(instrument_name="improvenet_http_request_duration",
                 aggregation=ExplicitBucketHistogramAggregation(LATENCY_BUCKETS)),
            View(instrument_name="improvenet_*_batch_size",
                 aggregation=ExplicitBucketHistogramAggregation(BATCH_BUCKETS)),
        ]
        provider = MeterProvider(resource=Resource.create({"service.name": f"improvenet-{service}"}),
                                 metric_readers=[reader], views=views)
        metrics = Metrics(provider)
        _state["metrics"] = metrics
        return metrics


def metrics() -> Metrics:
    """The instruments of this process (set up with a generic name if nobody did it first)."""
    found = _state.get("metrics")
    return found if found is not None else setup_metrics("process")  # type: ignore[no-any-return]


def render() -> bytes:
    """The Prometheus text exposition of everything this process measured."""
    from prometheus_client import REGISTRY, generate_latest

    metrics()
    return generate_latest(REGISTRY)


# --- the ASGI layer: request metrics, /metrics, and the instance id on health answers ----------------------

HEALTH_PATHS = frozenset({"/readyz", "/healthz"})
INSTANCE_HEADER = b"x-improvenet-instance"


def route_of(scope: dict[str, Any]) -> str:
    """The route template (bounded cardinality), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class ObservedApp:
    """Counts and times every request by route; answers `/metrics`; tags health answers with the
    launcher's instance id so the launcher knows it reached *its* process."""

    def __init__(self, app: Callable[..., Any], instance_id: str | None = None) -> None:
        import os
        import time

        self.app = app
        self._clock = time.perf_counter
        self._instance = (instance_id or os.environ.get("IMPROVENET_INSTANCE_ID") or "").encode()
        self._metrics = metrics()

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == "/metrics" and scope["method"] == "GET":
            body = render()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", CONTENT_TYPE.encode()),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        status = [500]
        tag = self._instance if path in HEALTH_PATHS and self._instance else None

        async def observed_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                if tag is not None:
                    message.setdefault("headers", []).append((INSTANCE_HEADER, tag))
            await send(message)

        start = self._clock()
        try:
            await self.app(scope, receive, observed_send)
        finally:
            if path not in HEALTH_PATHS:  # probes every few seconds would drown the real traffic
                attributes = {"route": route_of(scope), "method": scope["method"], "status": str(status[0])}
                self._metrics.http_requests.add(1, attributes)
                self._metrics.http_duration.record(self._clock() - start,
                                                   {"route": attributes["route"], "method": scope["method"]})
