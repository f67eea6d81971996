"""Import jobs on PostgreSQL: hr's API for submitting and reading, and the worker's runner to run them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from libs.common.db import create_engine
from libs.common.settings import asyncpg_dsn
from services.hr.imports.runner import ImportRunner
from tests.integration.hr.conftest import Pipeline

MEDIA = {"oneroster": "application/zip", "edfi": "application/json"}


class Imports:
    def __init__(self, api: Pipeline, runner: ImportRunner) -> None:
        self.api, self.runner = api, runner

    async def submit(self, kind: str, content: bytes, *, tenant: str = "district-a",
                     scopes: list[str] | None = None) -> Any:
        return await self.api.client.post(f"/imports/{kind}", content=content,
                                          headers={**self.api.auth(tenant, scopes), "Content-Type": MEDIA[kind]})

    async def run_all(self) -> int:
        """What the worker does: run jobs until none is left; how many ran."""
        ran = 0
        while await self.runner.run_once():
            ran += 1
        return ran

    async def job(self, job_id: str, *, tenant: str = "district-a", scopes: list[str] | None = None) -> Any:
        r = await self.api.get(f"/imports/{job_id}", tenant=tenant, scopes=scopes)
        assert r.status_code == 200, r.text
        return r.json()

    async def run(self, kind: str, content: bytes, *, tenant: str = "district-a") -> Any:
        """Submit, run, and the job as it ended."""
        r = await self.submit(kind, content, tenant=tenant)
        assert r.status_code == 202, r.text
        await self.run_all()
        return await self.job(r.json()["id"], tenant=tenant)


@pytest.fixture
async def imports(api: Pipeline) -> AsyncIterator[Imports]:
    engine = create_engine(api.url, pool_size=2, max_overflow=2)
    runner = ImportRunner(engine, asyncpg_dsn(api.url))
    try:
        yield Imports(api, runner)
    finally:
        await runner._drop_holder()
        await engine.dispose()
