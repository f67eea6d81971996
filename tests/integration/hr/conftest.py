"""A client of hr's API on a real PostgreSQL, with helpers for the pipeline's tests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest

from libs.common.settings import asyncpg_dsn
from tests.conftest import build_component

ALL = ["hr:read", "hr:write", "hr:pii"]


class Pipeline:
    def __init__(self, client: httpx.AsyncClient, url: str, make_token: Callable[..., str]) -> None:
        self.client, self.url, self.make_token = client, url, make_token

    def auth(self, tenant: str = "district-a", scopes: list[str] | None = None, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make_token(tenant, scopes or ALL, **kw)}"}

    async def request(self, method: str, path: str, body: Any = None, *, tenant: str = "district-a",
                      scopes: list[str] | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.request(method, path, json=body,
                                         headers={**self.auth(tenant, scopes), **(headers or {})})

    async def post(self, path: str, body: Any, **kw: Any) -> httpx.Response:
        return await self.request("POST", path, body, **kw)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.request("GET", path, **kw)

    async def ok(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        r = await self.request(method, path, body, **kw)
        assert r.status_code in (200, 201), r.text
        return r.json()

    async def school(self, name: str = "Hamilton Elementary", tenant: str = "district-a") -> str:
        return str((await self.ok("POST", "/schools", {"name": name}, tenant=tenant))["id"])

    async def educator(self, stage: str, school_id: str | None = None, tenant: str = "district-a",
                       **fields: Any) -> dict[str, Any]:
        body = {"given_name": "G", "family_name": "F", "career_stage": stage, "school_id": school_id, **fields}
        return await self.ok("POST", "/educators", body, tenant=tenant)  # type: ignore[no-any-return]

    async def scalar(self, sql: str) -> Any:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()

    async def count(self, table: str) -> int:
        return int(await self.scalar(f"SELECT count(*) FROM {table}"))

    async def events(self, suffix: str = "") -> list[dict[str, Any]]:
        conn = await asyncpg.connect(asyncpg_dsn(self.url))
        try:
            rows = await conn.fetch("SELECT type, payload::text AS payload FROM outbox "
                                    "WHERE topic <> 'platform.audit' ORDER BY seq")
        finally:
            await conn.close()
        return [{"type": r["type"], **json.loads(r["payload"])} for r in rows if r["type"].endswith(suffix)]


@pytest.fixture
async def api(hr_database: str, pg_server: str, keys_dir: Any, make_token: Callable[..., str]
              ) -> AsyncIterator[Pipeline]:
    app = build_component("hr", pg_server, hr_database, keys_dir)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hr") as client:
            yield Pipeline(client, hr_database, make_token)
