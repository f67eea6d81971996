"""A district's sync client for change queries (libs/common/changes.py), shared by every service's tests: it
uses only what the README and the OpenAPI document describe, plus the worker's sequencer run on demand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from libs.common.changes import number_changes, purge_tombstones
from tests.conftest import build_component


class Sync:
    def __init__(self, app: FastAPI, client: httpx.AsyncClient, make_token: Callable[..., str],
                 tables: Sequence[str], scopes: Sequence[str]) -> None:
        self.app, self.client, self.make_token = app, client, make_token
        self.tables, self.scopes = list(tables), list(scopes)
        self.headers = self.auth()

    def auth(self, tenant: str = "district-a", **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.make_token(tenant, self.scopes, **kw)}"}

    async def sequence(self) -> int:
        """What the worker's sequencer Job does every second."""
        return await number_changes(self.app.state.engine, self.tables)

    async def available(self, headers: dict[str, str] | None = None) -> dict[str, int]:
        r = await self.client.get("/available-change-versions", headers=headers or self.headers)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    async def every(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list, two per page (so paging is exercised too)."""
        items, token = [], None
        while True:
            r = await self.client.get(path, headers=headers or self.headers,
                                      params={**params, "page_size": 2, **({"page_token": token} if token else {})})
            assert r.status_code == 200, r.text
            items += r.json()["items"]
            if not (token := r.json()["next_page_token"]):
                return items

    async def expire_tombstones(self) -> dict[str, int]:
        """Number what is waiting, age every tombstone past a 30-day retention and purge it (one is expected),
        as the worker's hourly purge would; returns the versions held after."""
        await self.sequence()
        before = await self.available()
        async with self.app.state.engine.begin() as conn:  # as if the deletes happened 40 days ago
            await conn.execute(text("UPDATE change_tombstone SET deleted_at = now() - interval '40 days'"))
        assert await purge_tombstones(self.app.state.engine, retention_days=30) == 1
        held = await self.available()
        # the tombstone was numbered last (the sequencer numbers tombstones after the tables): just past it
        assert held["oldest_change_version"] == before["newest_change_version"] + 1
        return held

    async def assert_expired(self, path: str, held: dict[str, int]) -> None:
        """A change query from below the horizon: 410 change-version-expired naming where history begins."""
        stale = await self.client.get(path, params={"min_change_version": 1}, headers=self.headers)
        assert stale.status_code == 410, (path, stale.text)
        problem = stale.json()
        assert problem["type"].endswith("/change-version-expired")
        assert problem["oldest_change_version"] == held["oldest_change_version"]
        assert problem["errors"][0]["field"] == "min_change_version"

    async def create(self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
        r = await self.client.post(path, json=body, headers=headers or self.headers)
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]


@asynccontextmanager
async def sync_client(service: str, pg_server: str, database: str, keys_dir: Path, make_token: Callable[..., str],
                      tables: Sequence[str], scopes: Sequence[str]) -> AsyncIterator[Sync]:
    """`service`'s app (lifespan run) behind a Sync client on an in-process transport."""
    app = build_component(service, pg_server, database, keys_dir)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{service}") as client:
            yield Sync(app, client, make_token, tables, scopes)
