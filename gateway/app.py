"""The gateway: one URL for the whole platform, `/api/v1/<service>/...`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request
from starlette.responses import Response

from gateway.proxy import create_client, proxy
from gateway.routes import API_PREFIX, route
from gateway.settings import GatewaySettings
from libs.common.app import RequestIdMiddleware
from libs.common.problems import install_problem_handlers, problem_response
from libs.common.telemetry import instrument_app, setup_telemetry

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    setup_telemetry("gateway", otlp_endpoint=settings.otel_exporter_otlp_endpoint,
                    log_level=settings.log_level, json_logs=settings.log_json)
    upstreams = settings.upstreams()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.client = create_client(timeout=settings.upstream_timeout_seconds,
                                         connect_timeout=settings.upstream_connect_timeout_seconds,
                                         max_connections=settings.upstream_max_connections)
        try:
            yield
        finally:
            await app.state.client.aclose()

    app = FastAPI(title="improvenet gateway", version="0.1.0", lifespan=lifespan,
                  description="One entry point: `/api/v1/<service>/...` for hr, observations, networks, strategy.")
    install_problem_handlers(app)

    @app.get("/healthz", tags=["health"], summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="Readiness of every upstream service")
    async def readyz(request: Request) -> Any:
        client: httpx.AsyncClient = request.app.state.client

        async def check(base: str) -> str:
            try:
                r = await client.get(f"{base}/readyz", timeout=3)
                return "ok" if r.status_code == 200 else f"not ready ({r.status_code})"
            except httpx.HTTPError as exc:
                return f"unreachable ({type(exc).__name__})"

        results = await asyncio.gather(*(check(b) for b in upstreams.values()))
        checks = dict(zip(upstreams, results, strict=True))
        if all(v == "ok" for v in checks.values()):
            return {"status": "ready", "checks": checks}
        return problem_response(503, "Not ready", "; ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok"),
                                slug="not-ready", headers={"Retry-After": "2"})

    @app.api_route(API_PREFIX + "/{service}/{path:path}", methods=METHODS, include_in_schema=False)
    async def forward(request: Request, service: str, path: str) -> Response:
        target = route(request.url.path, upstreams)
        if target is None:
            return problem_response(404, "Not found", f"no service named {service!r}; try one of "
                                    + ", ".join(upstreams), slug="unknown-service", instance=request.url.path)
        return await proxy(request.app.state.client, request, *target, prefix=f"{API_PREFIX}/{service}")

    app.add_middleware(RequestIdMiddleware)
    instrument_app(app)
    return app


app = create_app()
