"""One call per process: traces (OTLP when configured), JSON logs carrying trace ids.

Trace context is stored with each outbox row and carried in bus headers, so a request and the
consumer work it causes form one trace.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from pythonjsonlogger.json import JsonFormatter

tracer = trace.get_tracer("improvenet")
_configured: dict[str, Any] = {}


class TraceIdFilter(logging.Filter):
    """Adds the current trace and span ids to every log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = format(ctx.trace_id, "032x") if ctx.is_valid else None
        record.span_id = format(ctx.span_id, "016x") if ctx.is_valid else None
        return True


def setup_logging(service: str, level: str = "INFO", json_logs: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(TraceIdFilter())
    if json_logs:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(trace_id)s %(span_id)s",
                static_fields={"service": service},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("kafka").setLevel(logging.WARNING)


def setup_telemetry(
    service: str,
    *,
    otlp_endpoint: str | None = None,
    exporter: SpanExporter | None = None,
    log_level: str = "INFO",
    json_logs: bool = True,
) -> TracerProvider | None:
    """Configure tracing and logs for this process (idempotent: the first call wins).

    With no exporter configured, no spans are recorded and no library is instrumented (that costs
    CPU on every request for nothing); trace context is still carried from requests into outbox
    rows and bus headers, so enabling export later yields whole traces.
    """
    if "provider" in _configured:
        return _configured["provider"]  # type: ignore[no-any-return]
    setup_logging(service, log_level, json_logs)
    if exporter is None and not otlp_endpoint:
        _configured["provider"] = None
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": f"improvenet-{service}"}))
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=200))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = otlp_endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint),
                                                       schedule_delay_millis=200))
    trace.set_tracer_provider(provider)
    _instrument_libraries()
    _configured["provider"] = provider
    return provider


def _instrument_libraries() -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    HTTPXClientInstrumentor().instrument()


def tracing_enabled() -> bool:
    return _configured.get("provider") is not None


def instrument_app(app: Any) -> None:
    if not tracing_enabled():
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    # No spans for each ASGI send/receive: one server span per request is what matters.
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz", exclude_spans=["receive", "send"])


def instrument_engine(engine: Any) -> None:
    if not tracing_enabled():
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine)


def current_trace_headers() -> dict[str, str]:
    """W3C trace context of the current span, to store with an outbox row."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier


def context_from(headers: Mapping[str, str]) -> otel_context.Context:
    return extract(dict(headers))


def shutdown_telemetry() -> None:
    provider = _configured.get("provider")
    if provider is not None:
        provider.force_flush()
