"""`Idempotency-Key` on creating POSTs: a retried request gets the first answer, not a second object.

The stored answer is written in the same transaction as the object it created. Any creating route
takes the `Idempotent` dependency and wraps its response:

    async def create_thing(..., session: WriteSession, idempotent: Idempotent) -> Response:
        if (replay := await idempotent.replay()) is not None:
            return replay
        ...
        return await idempotent.remember(created(request, path, body))
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import CurrentPrincipal
from libs.common.http import WriteSession
from libs.common.problems import Problem
from libs.common.tables import idempotency_keys

IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=255,
           description="Any unique string; a retry with the same key returns the first response."),
]
Created = tuple[Any, dict[str, str]]
REPLAYED = "Idempotent-Replayed"


async def fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())
    return digest.hexdigest()


class IdempotentRequest:
    """One creating request and its key (or none): replay the first answer, or remember this one."""

    def __init__(self, session: AsyncSession, tenant_id: str, key: str | None, request: Request) -> None:
        self.session, self.tenant_id, self.key, self.request = session, tenant_id, key, request
        self._fingerprint = ""

    async def replay(self) -> JSONResponse | None:
        if not self.key:
            return None
        self._fingerprint = await fingerprint(self.request)
        row = (await self.session.execute(
            select(idempotency_keys).where(idempotency_keys.c.tenant_id == self.tenant_id,
                                           idempotency_keys.c.key == self.key)
        )).mappings().first()
        if row is None:
            return None
        if row["fingerprint"] != self._fingerprint:
            raise Problem(422, "Idempotency-Key reused", "this key was used for a different request",
                          slug="idempotency-key-reused",
                          errors=[{"field": "Idempotency-Key", "message": "used for a different request"}])
        headers = dict(row["headers"]) | {REPLAYED: "true"}
        return JSONResponse(row["body"], status_code=row["status_code"], headers=headers)

    async def remember(self, response: JSONResponse) -> JSONResponse:
        if self.key:
            kept = {k: v for k, v in response.headers.items() if k.lower() in ("location", "etag")}
            await self.session.execute(insert(idempotency_keys).values(
                tenant_id=self.tenant_id, key=self.key, fingerprint=self._fingerprint,
                status_code=response.status_code, body=json.loads(bytes(response.body)), headers=kept))
        return response


async def idempotent_request(request: Request, principal: CurrentPrincipal, session: WriteSession,
                             key: IdempotencyKey = None) -> IdempotentRequest:
    return IdempotentRequest(session, principal.tenant_id, key, request)


Idempotent = Annotated[IdempotentRequest, Depends(idempotent_request)]


async def idempotent_create(session: AsyncSession, tenant_id: str, key: str | None, request: Request,
                            create: Callable[[], Awaitable[Created]], *, status_code: int = 201) -> JSONResponse:
    """Run `create` once per key; the caller holds the transaction open around this call."""
    idem = IdempotentRequest(session, tenant_id, key, request)
    replay = await idem.replay()
    if replay is not None:
        return replay
    body, headers = await create()
    return await idem.remember(JSONResponse(jsonable_encoder(body), status_code=status_code, headers=headers))
