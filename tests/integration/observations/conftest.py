"""The observations API on a real PostgreSQL: one fixture for every aggregate's tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from libs.common.settings import asyncpg_dsn
from tests.conftest import build_component, new_database

SCOPES = ["observations:read", "observations:write"]
LOOK_FORS = [{"code": "T1", "description": "Open questions", "domain": "teacher"},
             {"code": "S1", "description": "Students explain", "domain": "students"}]


class Obs:
    def __init__(self, client: httpx.AsyncClient, url: str, make_token: Callable[..., str]) -> None:
        self.client, self.url, self.make_token = client, url, make_token
        self.school, self.educators = uuid.uuid4(), [uuid.uuid4() for _ in range(3)]
        self.foreign_educator = uuid.uuid4()

    def auth(self, tenant: str = "district-a", scopes: list[str] | None = None, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make_token(tenant, scopes or SCOPES, **claims)}"}

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

    async def seed_directory(self) -> None:
        """What the directory consumer writes from hr's events."""
        await self.sql("INSERT INTO school_directory (tenant_id, school_id, name, version) VALUES ($1, $2, 'H', 1)",
                       "district-a", self.school)
        for tenant, educator in [("district-a", e) for e in self.educators] + [("district-b", self.foreign_educator)]:
            await self.sql("INSERT INTO educator_directory (tenant_id, educator_id, school_id, career_stage, version) "
                           "VALUES ($1, $2, NULL, 'teacher_leader', 1)", tenant, educator)

    async def protocol(self) -> dict[str, Any]:
        r = await self.client.post("/protocols", json={"name": "Rounds", "look_fors": LOOK_FORS}, headers=self.auth())
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    async def consume(self, *payloads: Any) -> None:
        """Deliver events through observations' own consumers, as the worker does."""
        from libs.common.db import create_engine, session_factory
        from libs.common.events import new_event
        from services.observations.handlers import CONSUMERS

        engine = create_engine(self.url)
        try:
            sessions = session_factory(engine)
            for payload in payloads:
                for consumer in CONSUMERS:
                    if payload.topic in consumer.topics:
                        async with sessions() as session, session.begin():
                            await consumer.handler(session, new_event(payload, service="networks",
                                                                      tenant_id="district-a"))
        finally:
            await engine.dispose()

    async def ok(self, method: str, path: str, body: Any = None, status: int = 200, **headers: str) -> Any:
        r = await self.client.request(method, path, json=body, headers={**self.auth(), **headers})
        assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
        return r

    async def running_visit(self, rooms: int = 1, version: str | None = None, **overrides: Any) -> dict[str, Any]:
        """A visit in progress with one submitted record per room by the first observer."""
        version = version or (await self.protocol())["versions"][0]["id"]
        body = self.visit_body(version, classrooms=[{"grade": "3", "subject": "math", "room": str(n)}
                                                    for n in range(rooms)], **overrides)
        visit = (await self.ok("POST", "/visits", body, 201)).json()
        await self.ok("POST", f"/visits/{visit['id']}/transitions", {"to": "in_progress"}, **{"If-Match": '"1"'})
        for room in visit["classrooms"]:
            r = await self.ok("POST", f"/visits/{visit['id']}/records", {
                "classroom_id": room["id"], "observer_id": str(self.educators[0]), "notes": [
                    {"observed_at": "2026-11-24T09:00:00Z", "text": "Student explains with a drawing",
                     "look_for_codes": ["S1"], "language": "en"},
                    {"observed_at": "2026-11-24T09:01:00Z", "text": "Students were engaged throughout",
                     "look_for_codes": ["S1"], "language": "en"}]}, 201)
            await self.ok("POST", f"/records/{r.json()['id']}/transitions", {"to": "submitted"},
                          **{"If-Match": r.headers["etag"]})
        return visit

    def visit_body(self, version: str, **overrides: Any) -> dict[str, Any]:
        return {"school_id": str(self.school), "visit_date": "2026-11-24", "protocol_version_id": version,
                "problem_of_practice": "Explaining reasoning", "observer_ids": [str(e) for e in self.educators[:2]],
                "classrooms": [{"grade": "3", "subject": "math", "room": "12"}], **overrides}


@pytest.fixture
async def obs(pg_server: str, keys_dir: Any, make_token: Callable[..., str],
              monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Obs]:
    url = await new_database(pg_server, "obs", service="observations")
    app = build_component("observations", pg_server, url, keys_dir)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://obs") as client:
            o = Obs(client, url, make_token)
            await o.seed_directory()
            yield o


