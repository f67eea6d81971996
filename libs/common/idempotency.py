"""`Idempotency-Key` on creating POSTs: a retried request gets the first answer, not a second object.

The stored answer is written in the same transaction as the object it created. Any creating route
takes the `Idempotent` dependency and wraps its response:

    async def create_thing(..., session: WriteSession, idempotent: Idempotent) -> Response:
        if (replay := await idempotent.replay()) is not None:
            return replay
        ...
        return await idempotent.remember(created(request, path, body))

Keys belong to the client that sent them (the token's issuer and subject), not to its tenant: two
clients of one tenant that pick the same key never meet. A key is remembered for 24 hours
(IDEMPOTENCY_TTL_SECONDS); an older row counts as absent and is replaced. A duplicate arriving while
the first request is still in flight waits on the row's primary key and then answers 409.

No schema change: the client is namespaced into the existing `key` column
(`<hash of issuer and subject>:<key>`), and expiry reads the existing `created_at`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import CurrentPrincipal, Principal
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
DEFAULT_TTL_SECONDS = 24 * 3600


def ttl_seconds(request: Request | None = None) -> int:
    """How long a key is remembered: a setting `idempotency_ttl_seconds` if the app's settings carry
    one, else IDEMPOTENCY_TTL_SECONDS from the environment, else 24 hours."""
    settings = getattr(getattr(request, "app", None), "state", None)
    configured = getattr(getattr(settings, "settings", None), "idempotency_ttl_seconds", None)
    if isinstance(configured, int) and configured > 0:
        return configured
    try:
        return max(1, int(os.environ.get("IDEMPOTENCY_TTL_SECONDS", DEFAULT_TTL_SECONDS)))
    except ValueError:
        return DEFAULT_TTL_SECONDS


def client_of(principal: Principal) -> str:
    """A fixed-length, unambiguous name of the calling client (issuer and subject)."""
    return hashlib.sha256(f"{principal.issuer}\n{principal.subject}".encode()).hexdigest()[:32]


def scoped_key(client: str, key: str) -> str:
    return f"{client}:{key}"


async def fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())
    return digest.hexdigest()


class IdempotentRequest:
    """One creating request and its key (or none): replay the first answer, or remember this one."""

    def __init__(self, session: AsyncSession, tenant_id: str, key: str | None, request: Request,
                 client: str | None = None, *, ttl: int | None = None) -> None:
        self.session, self.tenant_id, self.request = session, tenant_id, request
        if client is None:  # the principal `authenticate` left on the request
            principal = getattr(request.state, "principal", None)
            client = client_of(principal) if principal is not None else "anonymous"
        self.key = scoped_key(client, key) if key else None
        self.ttl = ttl if ttl is not None else ttl_seconds(request)
        self._fingerprint = ""

    async def replay(self) -> JSONResponse | None:
        if not self.key:
            return None
        self._fingerprint = await fingerprint(self.request)
        where = (idempotency_keys.c.tenant_id == self.tenant_id, idempotency_keys.c.key == self.key)
        expired = func.now() - timedelta(seconds=self.ttl)  # the database's clock, as created_at's
        # An expired key is as good as absent: remove it in this transaction, so remember() replaces it.
        await self.session.execute(delete(idempotency_keys).where(*where, idempotency_keys.c.created_at < expired))
        row = (await self.session.execute(select(idempotency_keys).where(*where))).mappings().first()
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
    return IdempotentRequest(session, principal.tenant_id, key, request, client_of(principal))


Idempotent = Annotated[IdempotentRequest, Depends(idempotent_request)]


async def idempotent_create(session: AsyncSession, tenant_id: str, key: str | None, request: Request,
                            create: Callable[[], Awaitable[Created]], *, status_code: int = 201,
                            client: str | None = None) -> JSONResponse:
    """Run `create` once per key and client; the caller holds the transaction open around this call."""
    idem = IdempotentRequest(session, tenant_id, key, request, client)
    replay = await idem.replay()
    if replay is not None:
        return replay
    body, headers = await create()
    return await idem.remember(JSONResponse(jsonable_encoder(body), status_code=status_code, headers=headers))
