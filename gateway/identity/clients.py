"""The client registry (OAuth2 clients of each tenant) and its admin routes.

Secrets are stored as scrypt hashes and shown once. A school-limited admin sees and manages only
clients limited to its own schools, and can create only such clients. Revoking a client publishes
`ClientRevoked` through the gateway's outbox in the same transaction, so every service's verifier
refuses the client's unexpired tokens within seconds.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets
import time
import uuid
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, Text, and_, insert, literal, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from starlette.responses import Response

from gateway.identity.principal import Admin
from gateway.limits import BODY_TOO_LARGE
from gateway.models import DIRECTORY, clients
from gateway.routes import API_PREFIX
from libs.common.auth import Principal
from libs.common.openapi_examples import example_id
from libs.common.outbox import record_events
from libs.common.problems import Problem, not_found, problem_responses
from libs.common.repository import require_known
from libs.contracts.gateway import ClientRevoked
from libs.directory import known_schools

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
ERRORS = {**problem_responses(400, 401, 403, 404, 422, 429), **BODY_TOO_LARGE}


# --- secrets and scopes ------------------------------------------------------------------------

def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, **SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def secret_matches(secret: str, stored: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.scrypt(secret.encode(), salt=base64.b64decode(salt), **SCRYPT)
    return hmac.compare_digest(candidate, base64.b64decode(digest))


def new_client_id() -> str:
    return "cli_" + secrets.token_hex(10)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def check_scopes(scopes: list[str], known: Collection[str], field: str = "scopes") -> list[str]:
    unknown = sorted(set(scopes) - set(known))
    if unknown:
        raise Problem(422, "Unknown scope", f"unknown scope(s): {' '.join(unknown)}", slug="unknown-scope",
                      errors=[{"field": field, "message": f"known scopes: {' '.join(known)}"}])
    return sorted(set(scopes))


# --- the registry ------------------------------------------------------------------------------

CLIENT_COLUMNS = (clients.c.client_id, clients.c.name, clients.c.scopes, clients.c.schools, clients.c.created_at,
                  clients.c.secret_rotated_at, clients.c.revoked_at)
Schools = frozenset[str] | None


def visible(tenant_id: str, schools: Schools) -> list[ColumnElement[bool]]:
    """The clients a caller may see: its tenant's, and if it is school-limited, only clients limited
    to some of its own schools (a tenant-wide client is outside every school limit)."""
    where = [clients.c.tenant_id == tenant_id]
    if schools is not None:
        mine = literal(sorted(schools), postgresql.ARRAY(Text))
        where += [clients.c.schools.is_not(None), clients.c.schools.op("<@")(mine)]
    return where


class Clients:
    def __init__(self, engine: AsyncEngine, known_scopes: Collection[str], *, issuer: str = "improvenet") -> None:
        self._engine = engine
        self._known_scopes = tuple(known_scopes)
        self._issuer = issuer
        self._revoked: frozenset[str] = frozenset()
        self._revoked_at = 0.0

    async def create(self, tenant_id: str, name: str, scopes: list[str], schools: list[str] | None
                     ) -> tuple[dict[str, Any], str]:
        client_id, secret = new_client_id(), new_secret()
        async with self._engine.begin() as conn:
            await conn.execute(insert(clients).values(client_id=client_id, tenant_id=tenant_id, name=name,
                                                      secret_hash=hash_secret(secret),
                                                      scopes=check_scopes(scopes, self._known_scopes),
                                                      schools=schools))
        return await self.get(tenant_id, client_id), secret

    async def list(self, tenant_id: str, schools: Schools = None) -> list[dict[str, Any]]:
        async with self._engine.connect() as conn:
            # A revoked client is gone (DELETE revoked it); the audit log keeps who revoked it and when.
            rows = await conn.execute(select(*CLIENT_COLUMNS).where(clients.c.revoked_at.is_(None),
                                                                    *visible(tenant_id, schools))
                                      .order_by(clients.c.created_at))
            return [dict(r._mapping) for r in rows]

    async def get(self, tenant_id: str, client_id: str, schools: Schools = None) -> dict[str, Any]:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(*CLIENT_COLUMNS).where(
                and_(clients.c.client_id == client_id, clients.c.revoked_at.is_(None),
                     *visible(tenant_id, schools))))).first()
        if row is None:
            raise not_found("client")
        return dict(row._mapping)

    async def rotate_secret(self, tenant_id: str, client_id: str, schools: Schools = None
                            ) -> tuple[dict[str, Any], str]:
        secret = new_secret()
        async with self._engine.begin() as conn:
            done = await conn.execute(update(clients).where(
                clients.c.client_id == client_id, clients.c.revoked_at.is_(None), *visible(tenant_id, schools)
            ).values(secret_hash=hash_secret(secret), secret_rotated_at=datetime.now(UTC)))
        if done.rowcount == 0:
            raise not_found("active client")
        return await self.get(tenant_id, client_id), secret

    async def revoke(self, tenant_id: str, client_id: str, schools: Schools = None) -> None:
        """Revoke, and publish the revocation in the same transaction (it reaches every verifier)."""
        now = datetime.now(UTC)
        async with AsyncSession(self._engine) as session, session.begin():
            exists = await session.scalar(select(clients.c.revoked_at.is_(None)).where(
                clients.c.client_id == client_id, *visible(tenant_id, schools)).with_for_update())
            if exists is None:
                raise not_found("client")
            if exists:  # not revoked yet: revoking again changes nothing and publishes nothing
                await session.execute(update(clients).where(clients.c.client_id == client_id)
                                      .values(revoked_at=now))
                await record_events(session, [ClientRevoked(client_id=client_id, issuer=self._issuer,
                                                            revoked_at=now)],
                                    service="gateway", tenant_id=tenant_id)
        self._revoked_at = 0.0

    async def authenticate(self, client_id: str, secret: str) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(clients).where(clients.c.client_id == client_id))).first()
        if row is None or row.revoked_at is not None or not secret_matches(secret, row.secret_hash):
            return None
        return dict(row._mapping)

    async def is_revoked(self, client_id: str) -> bool:
        """Revocations reach every gateway replica within a few seconds (cached, refreshed)."""
        if time.monotonic() - self._revoked_at > 3:
            async with self._engine.connect() as conn:
                rows = await conn.execute(select(clients.c.client_id).where(clients.c.revoked_at.is_not(None)))
                self._revoked = frozenset(r.client_id for r in rows)
            self._revoked_at = time.monotonic()
        return client_id in self._revoked


# --- API models and routes ---------------------------------------------------------------------

class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Riverside SIS nightly sync", "scopes": ["hr:read", "hr:write"]},
        {"name": "Alder Creek observers", "scopes": ["observations:read", "observations:write"],
         "schools": [example_id("school_id")]}]})
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")
    scopes: list[str] = Field(min_length=1, max_length=20, description="What the client may ask for.")
    schools: list[uuid.UUID] | None = Field(None, max_length=1000,
                                            description="Limit the client to these schools (Ed-Fi style).")


CLIENT_EXAMPLE: dict[str, Any] = {"client_id": "riverside-sis-4f2a9c", "name": "Riverside SIS nightly sync",
                  "scopes": ["hr:read", "hr:write"], "schools": None, "created_at": "2026-09-01T14:05:00Z",
                  "secret_rotated_at": None, "revoked_at": None}


class ClientPublic(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CLIENT_EXAMPLE]})

    client_id: str
    name: str
    scopes: list[str]
    schools: list[str] | None
    created_at: datetime
    secret_rotated_at: datetime | None
    revoked_at: datetime | None


class ClientWithSecret(ClientPublic):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {**CLIENT_EXAMPLE, "client_secret": "s3cr3t-shown-once-Qm9vZ3llLWJvb2d5LXNlY3JldA"}]})

    client_secret: str = Field(description="Shown once: store it now.")


async def check_schools(engine: AsyncEngine, principal: Principal, schools: list[uuid.UUID] | None) -> None:
    """Every school a client is limited to exists in the tenant (hr's directory, replicated here) and,
    for a school-limited admin, is one of its own: one invalid-reference problem naming each bad field."""
    if schools is None:
        if principal.schools is not None:
            raise Problem(403, "Forbidden", "a school-limited admin can only create school-limited clients",
                          slug="outside-school-scope", errors=[{"field": "schools", "message": "required"}])
        return
    ref = known_schools(DIRECTORY, "schools", schools)
    if principal.schools is not None:  # a school outside the admin's limit is as unknown as one elsewhere
        ref = dataclasses.replace(ref, where=(*ref.where, DIRECTORY.schools.c.school_id.in_(
            [s for s in schools if principal.may_see_school(s)])))
    async with AsyncSession(engine) as session:
        await require_known(session, principal.tenant_id, ref)


router = APIRouter(prefix=API_PREFIX + "/admin", tags=["admin"], responses=ERRORS)


def _with_secret(client: dict[str, Any], secret: str, status: int = 200) -> JSONResponse:
    return JSONResponse(ClientWithSecret(**client, client_secret=secret).model_dump(mode="json"),
                        status_code=status, headers={"Cache-Control": "no-store"})


@router.post("/clients", status_code=201, response_model=ClientWithSecret,
             summary="Register a client (its secret is shown once)")
async def create_client(body: ClientCreate, request: Request, principal: Admin) -> Any:
    state = request.app.state
    check_scopes(body.scopes, state.settings.scopes)
    await check_schools(state.engine, principal, body.schools)
    schools = [str(s) for s in body.schools] if body.schools is not None else None
    client, secret = await state.clients.create(principal.tenant_id, body.name, body.scopes, schools)
    return _with_secret(client, secret, 201)


@router.get("/clients", response_model=list[ClientPublic], summary="List your tenant's clients")
async def list_clients(request: Request, principal: Admin) -> Any:
    return await request.app.state.clients.list(principal.tenant_id, principal.schools)


@router.get("/clients/{client_id}", response_model=ClientPublic, summary="Read a client")
async def read_client(client_id: str, request: Request, principal: Admin) -> Any:
    return await request.app.state.clients.get(principal.tenant_id, client_id, principal.schools)


@router.post("/clients/{client_id}/secret", response_model=ClientWithSecret,
             summary="Rotate a client's secret (the old one stops working; tokens already issued last)")
async def rotate_client_secret(client_id: str, request: Request, principal: Admin) -> Any:
    client, secret = await request.app.state.clients.rotate_secret(principal.tenant_id, client_id,
                                                                   principal.schools)
    return _with_secret(client, secret)


@router.delete("/clients/{client_id}", status_code=204,
               summary="Revoke a client: its secret and every token it holds stop working")
async def revoke_client(client_id: str, request: Request, principal: Admin) -> Response:
    await request.app.state.clients.revoke(principal.tenant_id, client_id, principal.schools)
    return Response(status_code=204)
