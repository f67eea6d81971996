"""The gateway's routing against a real upstream server: pass-through, timeouts, unreachable services."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.app import create_app
from gateway.settings import GatewaySettings
from libs.common.testing.kafka_broker import free_port


async def slow(request: Request) -> JSONResponse:
    await asyncio.sleep(2)
    return JSONResponse({"late": True})


async def echo(request: Request) -> JSONResponse:
    return JSONResponse({"body": (await request.body()).decode(), "query": str(request.url.query),
                         "path": request.url.path, "request_id": request.headers.get("x-request-id"),
                         "prefix": request.headers.get("x-forwarded-prefix")},
                        status_code=201, headers={"ETag": '"9"'})


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=[Route("/slow", slow), Route("/echo/{x}", echo,
                                                                                          methods=["POST"])]),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


@pytest.fixture
async def gateway(upstream: str) -> AsyncIterator[httpx.AsyncClient]:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    app = create_app(GatewaySettings(hr_url=upstream, networks_url=dead, upstream_timeout_seconds=0.5,
                                     log_json=False))
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
            yield client


async def test_requests_pass_through_with_body_query_and_headers(gateway: httpx.AsyncClient) -> None:
    r = await gateway.post("/api/v1/hr/echo/7?a=1&b=2", content=b'{"x": 1}', headers={"X-Request-ID": "r-1"})
    assert r.status_code == 201 and r.headers["etag"] == '"9"' and r.headers["x-request-id"] == "r-1"
    seen = r.json()
    assert seen == {"body": '{"x": 1}', "query": "a=1&b=2", "path": "/echo/7", "request_id": "r-1",
                    "prefix": "/api/v1/hr"}


async def test_slow_upstream_gives_504_problem(gateway: httpx.AsyncClient) -> None:
    r = await gateway.get("/api/v1/hr/slow")
    assert r.status_code == 504 and r.headers["content-type"] == "application/problem+json"
    assert r.headers["x-request-id"]


async def test_unreachable_upstream_gives_503_with_retry_after(gateway: httpx.AsyncClient) -> None:
    r = await gateway.get("/api/v1/networks/anything")
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert r.json()["status"] == 503


async def test_gateway_not_ready_while_an_upstream_is_down(gateway: httpx.AsyncClient) -> None:
    r = await gateway.get("/readyz")
    assert r.status_code == 503 and "networks" in r.json()["detail"]
