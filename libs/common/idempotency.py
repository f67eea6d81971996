"""`Idempotency-Key` on creating POSTs: a retried request gets the first answer, not a second object.

The stored answer is written in the same transaction as the object it created.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.problems import Problem
from libs.common.tables import idempotency_keys

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255,
           description="Any unique string; a retry with the same key returns the first response."),
]
Created = tuple[Any, dict[str, str]]


async def fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())
    return digest.hexdigest()


async def idempotent_create(session: AsyncSession, tenant_id: str, key: str | None, request: Request,
                            create: Callable[[], Awaitable[Created]], *, status_code: int = 201) -> JSONResponse:
    """Run `create` once per key; the caller holds the transaction open around this call."""
    fp = await fingerprint(request) if key else ""
    if key:
        row = (await session.execute(
            select(idempotency_keys).where(idempotency_keys.c.tenant_id == tenant_id,
                                           idempotency_keys.c.key == key)
        )).mappings().first()
        if row is not None:
            if row["fingerprint"] != fp:
                raise Problem(422, "Idempotency-Key reused", "this key was used for a different request",
                              slug="idempotency-key-reused",
                              errors=[{"field": "Idempotency-Key", "message": "used for a different request"}])
            headers = dict(row["headers"]) | {"Idempotent-Replayed": "true"}
            return JSONResponse(row["body"], status_code=row["status_code"], headers=headers)
    body, headers = await create()
    encoded = jsonable_encoder(body)
    if key:
        await session.execute(insert(idempotency_keys).values(
            tenant_id=tenant_id, key=key, fingerprint=fp, status_code=status_code, body=encoded, headers=headers))
    return JSONResponse(encoded, status_code=status_code, headers=headers)
