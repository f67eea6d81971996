"""The networks app on a real PostgreSQL of its own, its directory replica seeded as hr's events write it,
and a way to deliver events to its consumers through the real inbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from libs.common.bus import Delivery, Message
from libs.common.events import new_event
from libs.common.inbox import ConsumerRunner
from libs.common.settings import asyncpg_dsn
from libs.contracts.base import EventPayload
from services.networks.graph.service import refresh_all
from services.networks.handlers import CONSUMERS
from tests.conftest import build_component, new_database

SCOPES = ["networks:read", "networks:write"]
TENANT, OTHER = "district-a", "district-b"


class Net:
    """Four schools (two districts) and twelve educators in tenant A; one school and educator in B."""

    def __init__(self, app: FastAPI, client: httpx.AsyncClient, url: str, make_token: Callable[..., str]) -> None:
        self.app, self.client, self.url, self.make_token = app, client, url, make_token
        self.districts = [uuid.uuid4(), uuid.uuid4()]
        self.schools = [uuid.uuid4() for _ in range(4)]
        self.people = [uuid.uuid4() for _ in range(12)]  # people[n] works at schools[n % 4]
        self.foreign_school, self.foreign_person = uuid.uuid4(), uuid.uuid4()

    def auth(self, tenant: str = TENANT, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make_token(tenant, SCOPES, **kw)}"}

    async def sql(self, query: str, *args: Any) -> Any:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            return await conn.fetchval(query, *args)
        finally:
            await conn.close()

    async def rows(self, query: str, *args: Any) -> list[Any]:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def seed(self) -> None:
        for n, school in enumerate(self.schools):
            await self.sql("INSERT INTO school_directory (tenant_id, school_id, district_id, name, version) "
                           "VALUES ($1, $2, $3, 'S', 1)", TENANT, school, self.districts[n // 2])
        for n, person in enumerate(self.people):
            await self.sql("INSERT INTO educator_directory (tenant_id, educator_id, school_id, career_stage, "
                           "version) VALUES ($1, $2, $3, 'intermediate_teacher', 1)", TENANT, person,
                           self.schools[n % 4])
        await self.sql("INSERT INTO school_directory (tenant_id, school_id, name, version) VALUES ($1, $2, 'F', 1)",
                       OTHER, self.foreign_school)
        await self.sql("INSERT INTO educator_directory (tenant_id, educator_id, school_id, version) "
                       "VALUES ($1, $2, $3, 1)", OTHER, self.foreign_person, self.foreign_school)

    async def post(self, path: str, body: Any, *, tenant: str = TENANT, status: int | None = 201,
                   **headers: str) -> httpx.Response:
        r = await self.client.post(path, json=body, headers={**self.auth(tenant), **headers})
        if status is not None:
            assert r.status_code == status, r.text
        return r

    async def network(self, schools: list[uuid.UUID] | None = None, **extra: Any) -> dict[str, Any]:
        body = {"name": "Principals", "kind": "principals", "focus": "math reasoning",
                "school_ids": [str(s) for s in (schools or self.schools)], "norms": ["Describe, do not judge"],
                **extra}
        return (await self.post("/networks", body)).json()  # type: ignore[no-any-return]

    async def member(self, network: dict[str, Any], person: int, tags: list[str] | None = None,
                     starts_on: str = "2026-09-01") -> dict[str, Any]:
        body = {"educator_id": str(self.people[person]), "school_id": str(self.schools[person % 4]),
                "tags": tags or [], "starts_on": starts_on}
        return (await self.post(f"/networks/{network['id']}/members", body)).json()  # type: ignore[no-any-return]

    async def settle_graphs(self) -> int:
        """What the worker's graph job does: recompute every queued scope. Returns how many."""
        return await refresh_all(self.app.state.engine)

    async def deliver(self, payload: EventPayload, tenant: str = TENANT, service: str = "observations") -> str:
        """Through the consumer that handles this payload type, with the real inbox (a replay is a duplicate)."""
        event = new_event(payload, service=service, tenant_id=tenant)
        return await self.redeliver(event)

    async def redeliver(self, event: Any) -> str:
        wanted = "networks.mentoring" if ".hr.mentor." in event.type else "networks.visits"
        group = next(c for c in CONSUMERS if c.group == wanted)
        runner = ConsumerRunner(None, self.app.state.sessions, group)  # type: ignore[arg-type]
        message = Message(topic="t", key=event.subject, value=event.value(), headers=event.headers())
        return await runner.handle(Delivery(message, 0, 0))


@pytest.fixture
async def net(pg_server: str, keys_dir: Path, make_token: Callable[..., str]) -> AsyncIterator[Net]:
    url = await new_database(pg_server, "networks", service="networks")
    app = build_component("networks", pg_server, url, keys_dir)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://networks") as client:
            n = Net(app, client, url, make_token)
            await n.seed()
            yield n
