"""Request metrics per route template, `/metrics` in Prometheus format, the instance id on health
answers, and database connection failures answered as 503 with Retry-After."""

from __future__ import annotations

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from libs.common.app import RequestIdMiddleware
from libs.common.metrics import metrics
from libs.common.problems import install_problem_handlers, is_connection_failure


def app_with(instance: str = "inst-1") -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/down")
    async def down() -> None:
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "Connection refused"))

    app.add_middleware(RequestIdMiddleware)
    app.build_middleware_stack()
    import os

    os.environ["IMPROVENET_INSTANCE_ID"] = instance
    return app


def sample(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_requests_are_counted_by_route_template_and_served_at_metrics() -> None:
    app = app_with()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        before = sample((await c.get("/metrics")).text, "improvenet_http_requests_total", route="/things/{thing_id}")
        for i in range(3):
            assert (await c.get(f"/things/{i}")).status_code == 200
        assert (await c.get("/nowhere")).status_code == 404
        r = await c.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert sample(text, "improvenet_http_requests_total", route="/things/{thing_id}", status="200") == before + 3
    assert 'route="/things/0"' not in text, "raw paths would explode the label set"
    assert sample(text, "improvenet_http_requests_total", route="unmatched", status="404") >= 1
    assert sample(text, "improvenet_http_request_duration_seconds_count", route="/things/{thing_id}") >= 3
    assert "improvenet_http_request_duration_seconds_bucket" in text


async def test_health_answers_carry_the_instance_id_and_are_not_counted() -> None:
    app = app_with("inst-42")
    app.user_middleware.clear()
    app.add_middleware(RequestIdMiddleware)
    app.middleware_stack = None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        before = sample((await c.get("/metrics")).text, "improvenet_http_requests_total", route="/readyz")
        r = await c.get("/readyz")
        after = sample((await c.get("/metrics")).text, "improvenet_http_requests_total", route="/readyz")
    assert r.headers["x-improvenet-instance"] == "inst-42"
    assert before == after == 0


async def test_an_unreachable_database_is_a_503_with_retry_after() -> None:
    app = app_with()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://t") as c:
        r = await c.get("/down")
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/database-unavailable")


def test_connection_failures_are_told_from_request_errors() -> None:
    assert is_connection_failure(ConnectionRefusedError(111, "refused"))
    assert is_connection_failure(OperationalError("x", {}, OSError("gone")))
    assert is_connection_failure(asyncpg.CannotConnectNowError("the database system is starting up"))
    refused = asyncpg.ObjectInUseError("x")
    assert not is_connection_failure(refused)
    assert not is_connection_failure(IntegrityError("x", {}, ValueError("duplicate key")))
    assert not is_connection_failure(DBAPIError("x", {}, ValueError("invalid input"), connection_invalidated=False))
    assert not is_connection_failure(ValueError("bad"))


def test_the_process_has_one_set_of_instruments() -> None:
    assert metrics() is metrics()
