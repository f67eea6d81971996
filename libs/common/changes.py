"""Change queries, as Ed-Fi's: what changed since a client's last sync, deletes included.

Every tracked row carries a `change_version`, and every delete leaves a tombstone carrying one. Versions
come from one sequence per service database, so they increase for every tenant. A client:

1. reads `GET .../available-change-versions` and keeps `newest_change_version` (N);
2. the first time, loads everything (no window); afterwards, lists with `min_change_version=<last N + 1>`
   and `max_change_version=N`, and reads `.../<resource>/deletes` with the same window;
3. keeps N for the next sync.

Why a sequencer rather than a version stamped at write time: a stamp taken inside a transaction that
commits later would fall below a number a client has already passed, and the change would be missed. So
writes leave `change_version` NULL (a trigger clears it on every update), and the worker's sequencer
numbers committed rows, one transaction at a time under an advisory lock: a version a reader can see was
given after every lower one was visible. The price is that a change enters the change queries within the
sequencer's interval (a second by default), not at once; full loads see it immediately.

Tombstones are kept CHANGE_RETENTION_DAYS (30 by default); when older ones are purged, the tenant's horizon
moves up, and a client asking from below it gets 410 with the oldest version still held: it must load again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    DateTime,
    Index,
    MetaData,
    Table,
    Text,
    Uuid,
    func,
    literal,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from libs.common.auth import CurrentPrincipal
from libs.common.http import SessionDep
from libs.common.openapi_examples import example_id
from libs.common.pagination import Page, PageDep, encode_cursor
from libs.common.problems import Problem, problem_responses
from libs.common.worker import Job, every

SEQUENCE = "change_version_seq"
SEQUENCER_LOCK = 0x1C4A_C4A6E  # one sequencer per database, whatever the number of worker replicas
BATCH = 5000


@dataclass(frozen=True)
class ChangeTables:
    tombstones: Table
    horizon: Table


def change_tables(metadata: MetaData) -> ChangeTables:
    """The tombstone and horizon tables, in a service's own metadata (its migration creates them)."""
    tombstones = Table(
        "change_tombstone", metadata,
        Column("seq", BigInteger, primary_key=True, autoincrement=True),
        Column("tenant_id", Text, nullable=False),
        Column("resource", Text, nullable=False),
        Column("id", Uuid, nullable=False),
        Column("school_id", Uuid),
        Column("external_ids", JSONB, nullable=False),
        Column("change_version", BigInteger),
        Column("deleted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Index("ix_change_tombstone__window", "tenant_id", "resource", "change_version"),
    )
    horizon = Table(
        "change_horizon", metadata,
        Column("tenant_id", Text, primary_key=True),
        Column("oldest_change_version", BigInteger, nullable=False),
    )
    return ChangeTables(tombstones, horizon)


# --- the sequencer (a worker Job) ----------------------------------------------------------------------

async def number_changes(engine: AsyncEngine, tables: Sequence[str], *, batch: int = BATCH) -> int:
    """Give every committed, unnumbered row of `tables` (and every tombstone) its change version; returns
    how many. One transaction per batch, under the sequencer's lock; another replica's run waits its turn."""
    total = 0
    for table in (*tables, "change_tombstone"):
        key = "seq" if table == "change_tombstone" else "id"
        while True:
            async with engine.begin() as conn:
                if not await conn.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SEQUENCER_LOCK}):
                    return total  # another replica is numbering
                numbered = (await conn.execute(text(
                    f"UPDATE {table} SET change_version = nextval('{SEQUENCE}') WHERE {key} IN ("
                    f"SELECT {key} FROM {table} WHERE change_version IS NULL ORDER BY {key} LIMIT :n "
                    "FOR UPDATE SKIP LOCKED)"), {"n": batch})).rowcount
            total += numbered
            if numbered < batch:
                break
    return total


async def purge_tombstones(engine: AsyncEngine, retention_days: float) -> int:
    """Drop tombstones older than the retention and raise each tenant's horizon past them."""
    async with engine.begin() as conn:
        purged = await conn.scalar(text(
            "WITH purged AS (DELETE FROM change_tombstone WHERE change_version IS NOT NULL AND deleted_at < "
            "now() - make_interval(secs => :seconds) RETURNING tenant_id, change_version), "
            "raised AS (INSERT INTO change_horizon (tenant_id, oldest_change_version) "
            "SELECT tenant_id, max(change_version) + 1 FROM purged GROUP BY tenant_id "
            "ON CONFLICT (tenant_id) DO UPDATE SET oldest_change_version = "
            "GREATEST(change_horizon.oldest_change_version, EXCLUDED.oldest_change_version) RETURNING 1) "
            "SELECT count(*) FROM purged"), {"seconds": retention_days * 86400})
    return int(purged or 0)


def sequencer(tables: Sequence[str], retention_days: float, seconds: float = 1.0) -> list[Job]:
    """The worker's Jobs: number changes every `seconds`, purge expired tombstones every hour."""
    return [every("change-versions", seconds, lambda engine: number_changes(engine, tables)),
            every("change-tombstone-purge", 3600, lambda engine: purge_tombstones(engine, retention_days))]


# --- reading ----------------------------------------------------------------------------------------------

class ChangeWindow(BaseModel):
    min: int | None = None
    max: int | None = None

    @property
    def given(self) -> bool:
        return self.min is not None or self.max is not None


async def change_window(  # async, as every dependency: a sync one runs in a thread
    min_change_version: Annotated[int | None, Query(ge=0, le=2**62, description=(
        "Only what changed at or after this change version (your last `newest_change_version` + 1).")
    )] = None,
    max_change_version: Annotated[int | None, Query(ge=0, le=2**62, description=(
        "Only what changed at or before this change version (`newest_change_version` when you began)."))] = None,
) -> ChangeWindow:
    if min_change_version is not None and max_change_version is not None and min_change_version > \
            max_change_version:
        raise Problem(400, "Invalid request", "max_change_version is below min_change_version",
                      slug="validation-error",
                      errors=[{"field": "max_change_version", "message": "must be at least min_change_version"}])
    return ChangeWindow(min=min_change_version, max=max_change_version)


ChangeWindowDep = Annotated[ChangeWindow, Depends(change_window)]


async def oldest_held(session: AsyncSession | AsyncConnection, tenant_id: str) -> int:
    value = await session.scalar(text("SELECT oldest_change_version FROM change_horizon WHERE tenant_id = :t"),
                                 {"t": tenant_id})
    return int(value or 0)


async def window_clauses(session: AsyncSession, tenant_id: str, window: ChangeWindow,
                         column: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a change query; 410 when it starts below what is still held."""
    if not window.given:
        return []
    if window.min is not None:
        oldest = await oldest_held(session, tenant_id)
        if window.min < oldest:
            raise Problem(410, "Changes no longer held",
                          f"changes before version {oldest} are no longer held (deletes are kept for a limited "
                          "time): load everything again, without a window, then sync from "
                          "newest_change_version", slug="change-version-expired",
                          errors=[{"field": "min_change_version", "message": f"must be at least {oldest}"}],
                          extra={"oldest_change_version": oldest})
    clauses: list[ColumnElement[bool]] = [column.is_not(None)]
    if window.min is not None:
        clauses.append(column >= window.min)
    if window.max is not None:
        clauses.append(column <= window.max)
    return clauses


class AvailableChangeVersions(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"oldest_change_version": 0, "newest_change_version": 48213}]})

    oldest_change_version: int = Field(description="A change query may start here, no lower (410 below).")
    newest_change_version: int = Field(description="The latest change numbered: your next sync's "
                                                   "max_change_version, and your next start + 1.")


class Tombstone(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": example_id("educator_id"), "external_ids": {"staff_unique_id": "E-204817", "sourced_id": "t-5f1a22"},
        "change_version": 48190, "deleted_at": "2026-10-05T13:20:00Z"}]})

    id: uuid.UUID
    external_ids: dict[str, str] = Field(description="The ids the SIS knows it by, as they were.")
    change_version: int
    deleted_at: datetime


@dataclass(frozen=True)
class Tracked:
    """A resource whose changes a client can query: its list path and table."""

    path: str  # "/educators"
    resource: str  # the tombstones' resource name, "educator"
    table: Table
    # True where a row with no school is visible to every token of the tenant (a district, a district's
    # plan): its deletes are too. Otherwise a school-limited token learns only of its schools' deletes.
    schoolless_visible_to_all: bool = False


def change_router(tracked: Sequence[Tracked], tables: ChangeTables, *, tag: str,
                  dependencies: Sequence[Any] = ()) -> APIRouter:
    """`GET /available-change-versions` and `GET <path>/deletes` for each tracked resource. Include it before
    the resources' own routers (`<path>/deletes` would otherwise read as `<path>/{id}`)."""
    router = APIRouter(tags=[tag], dependencies=list(dependencies), responses=problem_responses(400, 410))

    @router.get("/available-change-versions", response_model=AvailableChangeVersions,
                summary="The change versions a change query may ask for")
    async def available_change_versions(principal: CurrentPrincipal, session: SessionDep) -> Any:
        newest = [select(func.max(t.table.c.change_version)).where(t.table.c.tenant_id == principal.tenant_id)
                  .scalar_subquery() for t in tracked]
        newest.append(select(func.max(tables.tombstones.c.change_version))
                      .where(tables.tombstones.c.tenant_id == principal.tenant_id).scalar_subquery())
        value = await session.scalar(select(func.greatest(*[func.coalesce(n, 0) for n in newest])))
        return AvailableChangeVersions(oldest_change_version=await oldest_held(session, principal.tenant_id),
                                       newest_change_version=int(value or 0))

    for item in tracked:
        router.add_api_route(f"{item.path}/deletes", _deletes_route(item, tables), methods=["GET"],
                             response_model=Page[Tombstone], name=f"list_{item.resource}_deletes",
                             summary=f"{item.resource.capitalize()}s deleted, in change-version order")
    return router


def _deletes_route(item: Tracked, tables: ChangeTables) -> Any:
    t = tables.tombstones

    async def deletes(principal: CurrentPrincipal, session: SessionDep, page: PageDep,
                      window: ChangeWindowDep) -> Any:
        stmt = select(t).where(t.c.tenant_id == principal.tenant_id, t.c.resource == item.resource,
                               t.c.change_version.is_not(None),
                               *await window_clauses(session, principal.tenant_id, window, t.c.change_version))
        if principal.schools is not None:  # a school-limited token learns only of what it could list
            theirs = t.c.school_id.in_([uuid.UUID(s) for s in principal.schools])
            stmt = stmt.where(or_(theirs, t.c.school_id.is_(None)) if item.schoolless_visible_to_all else theirs)
        await page.count_total(session, stmt)
        if page.after:
            after = (int(page.after.get("v", 0)), int(page.after.get("s", 0)))
            stmt = stmt.where(tuple_(t.c.change_version, t.c.seq) > tuple_(literal(after[0]), literal(after[1])))
        rows = (await session.execute(stmt.order_by(t.c.change_version, t.c.seq).limit(page.size + 1))
                ).mappings().all()
        kept = rows[:page.size]
        token = encode_cursor({"v": kept[-1]["change_version"], "s": kept[-1]["seq"]}) \
            if len(rows) > page.size else None
        return {"items": [Tombstone.model_validate(dict(r)) for r in kept], "next_page_token": token}

    return deletes
