"""The bare limit: a minimal FastAPI + asyncpg app inserting one row per POST, on the same PostgreSQL.

Every write figure of the platform is also given as a ratio to this one, measured in the same run.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

DSN = os.environ.get("REFERENCE_DSN", "")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(DSN, min_size=5, max_size=10)
    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE IF NOT EXISTS items (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "
                           "given_name text NOT NULL, family_name text NOT NULL, school_id uuid, "
                           "created_at timestamptz NOT NULL DEFAULT now())")
    app.state.pool = pool
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/items", status_code=201)
async def create(request: Request) -> JSONResponse:
    body = await request.json()
    row_id = await request.app.state.pool.fetchval(
        "INSERT INTO items (given_name, family_name, school_id) VALUES ($1, $2, $3) RETURNING id",
        body["given_name"], body["family_name"], body.get("school_id"))
    return JSONResponse({"id": str(row_id)}, status_code=201)
