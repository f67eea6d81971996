"""The gateway's liveness and readiness: its own database and every upstream service."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import APIRouter, Request
from sqlalchemy import text

from libs.common.problems import problem_response

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness",
            responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}})
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


READY_EXAMPLE = {"status": "ready", "checks": {"gateway database": "ok", "hr": "ok", "observations": "ok",
                                                "networks": "ok", "strategy": "ok"}}


@router.get("/readyz", summary="Readiness: the gateway's database and every upstream",
            responses={200: {"content": {"application/json": {"example": READY_EXAMPLE}}}})
async def readyz(request: Request) -> Any:
    state = request.app.state
    client: httpx.AsyncClient = state.client
    upstreams: dict[str, str] = state.settings.upstreams()

    async def check(base: str) -> str:
        try:
            r = await client.get(f"{base}/readyz", timeout=3)
            return "ok" if r.status_code == 200 else f"not ready ({r.status_code})"
        except httpx.HTTPError as exc:
            return f"unreachable ({type(exc).__name__})"

    async def database() -> str:
        try:
            async with state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return "ok"
        except Exception as exc:
            return f"unreachable ({type(exc).__name__})"

    results = await asyncio.gather(database(), *(check(b) for b in upstreams.values()))
    checks = dict(zip(["gateway database", *upstreams], results, strict=True))
    if all(v == "ok" for v in checks.values()):
        return {"status": "ready", "checks": checks}
    return problem_response(503, "Not ready", "; ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok"),
                            slug="not-ready", headers={"Retry-After": "2"})
