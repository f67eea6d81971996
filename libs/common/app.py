"""The shape every service shares: one FastAPI app with the same lifespan, errors, health and auth."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from opentelemetry import context as otel_context
from opentelemetry.propagate import extract
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.common.auth import TokenVerifier
from libs.common.bus import create_bus
from libs.common.conditional import ConditionalGet, refuse_unknown_query_parameters
from libs.common.db import create_engine, session_factory
from libs.common.metrics import ObservedApp, setup_metrics
from libs.common.migrations import current_revision, head_revision
from libs.common.openapi import contract_openapi, operation_id_function
from libs.common.outbox import RelayWaker
from libs.common.problems import install_problem_handlers, problem_response
from libs.common.settings import ServiceSettings
from libs.common.telemetry import instrument_app, instrument_engine, setup_telemetry, tracing_enabled

REQUEST_ID = "x-request-id"


class RequestIdMiddleware:
    """Echo the caller's X-Request-ID (or a new one) on every response (pure ASGI: no body copies).

    Every app of the platform (the gateway too) adds this middleware, so it also puts the metrics layer
    in front of the app: request counts and latency per route, `GET /metrics`, and the launcher's
    instance id on /readyz and /healthz answers (`libs.common.metrics.ObservedApp`), and `If-None-Match`
    answered 304 (`libs.common.conditional.ConditionalGet`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app: ASGIApp = ObservedApp(ConditionalGet(app))  # type: ignore[assignment]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = next((v.decode() for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = request_id or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        if tracing_enabled():
            await self.app(scope, receive, send_with_id)
            return
        # Tracing off: still carry the caller's trace context into outbox rows and calls onwards.
        carrier = {k.decode(): v.decode() for k, v in scope["headers"] if k in (b"traceparent", b"tracestate")}
        token = otel_context.attach(extract(carrier)) if carrier else None
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if token is not None:
                otel_context.detach(token)


class BusProbe:
    """Readiness of the bus, checked at most every few seconds (probes are frequent)."""

    def __init__(self, settings: ServiceSettings, ttl: float = 5.0) -> None:
        self._bus = create_bus(settings)
        self._ttl = ttl
        self._checked_at = 0.0
        self._error: str | None = "not checked yet"

    async def status(self) -> str | None:
        if time.monotonic() - self._checked_at > self._ttl:
            try:
                await self._bus.ping()
                self._error = None
            except Exception as exc:
                self._error = repr(exc)
            self._checked_at = time.monotonic()
        return self._error

    async def close(self) -> None:
        await self._bus.close()


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: database, migrations and bus reachable",
                responses={503: {"description": "Not ready"}})
    async def readyz(request: Request) -> Any:
        state = request.app.state
        checks: dict[str, str] = {}
        try:
            async with state.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), 3)
            checks["database"] = "ok"
            revision = await current_revision(state.engine)
            checks["migrations"] = "ok" if revision == state.head_revision else (
                f"at {revision}, expected {state.head_revision}")
        except Exception as exc:
            checks["database"] = f"unreachable: {exc!r}"
            checks["migrations"] = "unknown"
        bus_error = await state.bus_probe.status()
        checks["bus"] = "ok" if bus_error is None else f"unreachable: {bus_error}"
        if all(v == "ok" for v in checks.values()):
            # The instance id tells the launcher it reached the process it started, not a stranger on the port.
            return {"status": "ready", "checks": checks, "instance": os.environ.get("IMPROVENET_INSTANCE_ID")}
        return problem_response(503, "Not ready", "; ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok"),
                                slug="not-ready", headers={"Retry-After": "2"})

    return router


def create_service_app(settings: ServiceSettings, *, title: str, description: str,
                       routers: Sequence[APIRouter], migrations: Path, version: str = "0.1.0") -> FastAPI:
    """The FastAPI app of one service; `migrations` is its Alembic folder (readiness checks the head)."""
    setup_telemetry(settings.service, otlp_endpoint=settings.otel_exporter_otlp_endpoint,
                    log_level=settings.log_level, json_logs=settings.log_json)
    setup_metrics(settings.service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.service_database_url, pool_size=settings.db_pool_size,
                               max_overflow=settings.db_max_overflow)
        instrument_engine(engine)
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessions = session_factory(engine)
        app.state.verifier = TokenVerifier(settings.issuers())
        app.state.head_revision = head_revision(migrations)
        app.state.bus_probe = BusProbe(settings)
        waker = RelayWaker(engine)
        waker.start()
        try:
            yield
        finally:
            await waker.stop()
            await app.state.bus_probe.close()
            await app.state.verifier.close()
            await engine.dispose()

    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan,
                  default_response_class=JSONResponse,
                  generate_unique_id_function=operation_id_function(settings.service),
                  dependencies=[Depends(refuse_unknown_query_parameters)])
    install_problem_handlers(app)
    app.include_router(health_router())
    for router in routers:
        app.include_router(router)
    app.add_middleware(RequestIdMiddleware)
    instrument_app(app)
    app.openapi = contract_openapi(app)  # type: ignore[method-assign]
    return app
