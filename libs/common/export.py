"""A service's part of the full tenant export: every table it keeps for the tenant, as JSON lines.

`GET /export` lists the service's resources with their row counts; `GET /export/{resource}` streams one
resource's rows (`application/x-ndjson`, one JSON object per line, in primary-key order). The gateway's
export job reads both from every service and writes one archive (gateway/exports.py); district IT may read
one service's resources directly too.

What is exported: every table in the service's metadata that has a `tenant_id`, except the change
queries' bookkeeping and the local replicas of hr's directory (hr, the system of record, exports those),
and what a service names in `exclude` (raw uploads, say). Columns marked personal in the models
(`info={"personal": True}`) are left out unless the token holds `personal_scope`; when they are included,
each batch of rows sent is audited first (an `audited_as` event naming the rows and fields).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import MetaData, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from libs.common.audit import record_personal_data_access
from libs.common.auth import CurrentPrincipal, Principal, require
from libs.common.db import session_factory
from libs.common.http import SessionDep
from libs.common.problems import Problem, problem_responses
from libs.contracts.audit import PersonalDataAccessed

NDJSON = "application/x-ndjson"
ALWAYS_EXCLUDED = frozenset({"change_tombstone", "change_horizon", "educator_directory", "school_directory"})
CHUNK_ROWS = 1000



class ExportedResource(BaseModel):
    name: str = Field(description="The resource (its table): `GET /export/{name}` streams it.")
    rows: int = Field(description="The tenant's rows now.")
    personal_fields: list[str] = Field(description="Fields left out unless the token holds the personal "
                                                   "data scope.")
    personal_included: bool = Field(description="Whether this token receives them.")


class ExportIndex(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"service": "hr", "resources": [
        {"name": "educator", "rows": 48213, "personal_fields": ["given_name", "family_name", "email"],
         "personal_included": False},
        {"name": "school", "rows": 61, "personal_fields": [], "personal_included": False}]}]})

    service: str
    resources: list[ExportedResource]


def exported_tables(metadata: MetaData, exclude: Sequence[str] = ()) -> dict[str, Table]:
    """The tables a tenant export holds, by name."""
    skipped = ALWAYS_EXCLUDED | set(exclude)
    return {name: table for name, table in sorted(metadata.tables.items())
            if "tenant_id" in table.c and name not in skipped}


def personal_columns(table: Table) -> list[str]:
    return [c.name for c in table.c if c.info.get("personal")]


def json_value(value: Any) -> Any:
    """A column's value as JSON: ids and dates as strings, bytes as base64, decimals exactly."""
    if isinstance(value, uuid.UUID | datetime | date):
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return value


def json_line(row: dict[str, Any]) -> bytes:
    return (json.dumps({k: json_value(v) for k, v in row.items()}, ensure_ascii=False, default=str) + "\n").encode()


def _whole_tenant(principal: Principal) -> None:
    if principal.schools is not None:
        raise Problem(403, "Forbidden", "a tenant export needs a token not limited to some schools",
                      slug="insufficient-scope")


def export_router(metadata: MetaData, *, service: str, read_scope: str, personal_scope: str | None = None,
                  audited_as: type[PersonalDataAccessed] | None = None, exclude: Sequence[str] = ()) -> APIRouter:
    """`GET /export` and `GET /export/{resource}` over `metadata`'s tenant tables (see the module doc)."""
    tables = exported_tables(metadata, exclude)
    router = APIRouter(tags=["export"], dependencies=[require(read_scope)], responses=problem_responses(403, 404))

    def may_see_personal(principal: Principal) -> bool:
        return personal_scope is not None and (principal.has(personal_scope) or principal.has("admin"))

    @router.get("/export", response_model=ExportIndex, summary="What a tenant export holds from this service")
    async def export_index(principal: CurrentPrincipal, session: SessionDep) -> Any:
        _whole_tenant(principal)
        personal = may_see_personal(principal)
        resources = []
        for name, table in tables.items():
            rows = await session.scalar(select(func.count()).select_from(table)
                                        .where(table.c.tenant_id == principal.tenant_id))
            resources.append(ExportedResource(name=name, rows=int(rows or 0), personal_fields=personal_columns(table),
                                              personal_included=personal and bool(personal_columns(table))))
        return ExportIndex(service=service, resources=resources)

    @router.get("/export/{resource}", summary="One resource's rows, as JSON lines",
                response_class=StreamingResponse,
                responses={200: {"content": {NDJSON: {"schema": {"type": "string"}, "example": (
                    '{"id": "5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f", "tenant_id": "hamilton", "name": '
                    '"Alder Creek Elementary", "version": 3}\n')}}, "description": "One JSON object per line."}})
    async def export_resource(resource: str, request: Request, principal: CurrentPrincipal) -> StreamingResponse:
        _whole_tenant(principal)
        table = tables.get(resource)
        if table is None:
            raise Problem(404, "Not found", f"{service} exports no resource {resource!r}; GET /export lists them",
                          slug="not-found")
        hidden = set() if may_see_personal(principal) else set(personal_columns(table))
        engine: AsyncEngine = request.app.state.engine
        audit = Audit(engine, service, audited_as) if audited_as is not None and not hidden else None
        return StreamingResponse(_rows(engine, table, principal, hidden, audit), media_type=NDJSON)

    return router


class Audit:
    """Personal data leaving in an export: an audit record, in its own transaction, before the rows go."""

    def __init__(self, engine: AsyncEngine, service: str, payload: type[PersonalDataAccessed]) -> None:
        self.sessions, self.service, self.payload = session_factory(engine), service, payload

    async def __call__(self, principal: Principal, table: str, ids: Sequence[uuid.UUID],
                       fields: Sequence[str]) -> None:
        async with self.sessions() as session, session.begin():
            await record_personal_data_access(session, self.payload, service=self.service, principal=principal,
                                              request_id=None, action="read", object_type=table, object_ids=ids,
                                              fields=fields)


async def _rows(engine: AsyncEngine, table: Table, principal: Principal, hidden: set[str],
                audit: Audit | None) -> AsyncIterator[bytes]:
    """The rows in primary-key order, read in one snapshot with a server-side cursor (memory stays flat)."""
    columns = [c for c in table.c if c.name not in hidden]
    personal = personal_columns(table)
    stmt = (select(*columns).where(table.c.tenant_id == principal.tenant_id)
            .order_by(*table.primary_key.columns).execution_options(yield_per=CHUNK_ROWS))
    async with engine.connect() as conn:
        result = await conn.stream(stmt)
        async for chunk in result.mappings().partitions(CHUNK_ROWS):
            if audit is not None and personal and "id" in table.c:
                await audit(principal, table.name, [r["id"] for r in chunk], personal)
            yield b"".join(json_line(dict(r)) for r in chunk)
