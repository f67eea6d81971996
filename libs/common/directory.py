"""A local replica of hr's directory (schools and educators), built from hr's published events.

observations, networks and strategy each keep one in their own database, so they can validate
references (a visit's host school, a network member) without calling hr. Ids and non-personal
facts only. Updates carry a version: an older event never overwrites a newer one, so the replica
is right whatever order redeliveries arrive in; removals leave a tombstone for the same reason.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    TextClause,
    Uuid,
    func,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.app import SessionDep
from libs.common.auth import CurrentPrincipal, Principal, require
from libs.common.events import Event
from libs.common.inbox import Consumer
from libs.common.problems import not_found
from libs.contracts.base import REGISTRY, parse_payload
from libs.contracts.hr import (
    EDUCATOR_TOPIC,
    ORGANISATION_TOPIC,
    EducatorFacts,
    EducatorRemoved,
    SchoolFacts,
    SchoolRemoved,
)


@dataclass(frozen=True)
class Directory:
    schools: Table
    educators: Table


def directory_tables(metadata: MetaData) -> Directory:
    schools = Table(
        "school_directory", metadata,
        Column("tenant_id", Text, nullable=False),
        Column("school_id", Uuid, nullable=False),
        Column("district_id", Uuid),
        Column("name", Text, nullable=False),
        Column("version", Integer, nullable=False),
        Column("removed", Boolean, nullable=False, server_default="false"),
        Column("replicated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("tenant_id", "school_id"),
    )
    educators = Table(
        "educator_directory", metadata,
        Column("tenant_id", Text, nullable=False),
        Column("educator_id", Uuid, nullable=False),
        Column("school_id", Uuid),
        Column("career_stage", Text),
        Column("version", Integer, nullable=False),
        Column("removed", Boolean, nullable=False, server_default="false"),
        Column("replicated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("tenant_id", "educator_id"),
    )
    return Directory(schools, educators)


def create_directory_replica(connection: Connection) -> None:
    """Create the replica's tables; called from a service's migration (like the mechanism tables)."""
    tables = directory_tables(MetaData())
    tables.schools.create(connection)
    tables.educators.create(connection)


def _upsert_statement(table: Table, key: str, columns: tuple[str, ...]) -> TextClause:
    """INSERT ... ON CONFLICT that keeps the newest version (last writer wins, by hr's version).

    A fixed text statement: compiled once, not per event (this runs for every directory event).
    """
    names = ("tenant_id", key, *columns)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    return text(
        f"INSERT INTO {table.name} ({', '.join(names)}, replicated_at) "
        f"VALUES ({', '.join(':' + n for n in names)}, now()) "
        f"ON CONFLICT (tenant_id, {key}) DO UPDATE SET {updates}, replicated_at = now() "
        f"WHERE {table.name}.version < EXCLUDED.version"
    )


@dataclass(frozen=True)
class _Statements:
    school: TextClause
    school_removed: TextClause
    educator: TextClause
    educator_removed: TextClause


def _statements(directory: Directory) -> _Statements:
    return _Statements(
        school=_upsert_statement(directory.schools, "school_id", ("district_id", "name", "version", "removed")),
        school_removed=_upsert_statement(directory.schools, "school_id", ("name", "version", "removed")),
        educator=_upsert_statement(directory.educators, "educator_id",
                                   ("school_id", "career_stage", "version", "removed")),
        educator_removed=_upsert_statement(directory.educators, "educator_id", ("version", "removed")),
    )


async def apply_directory_event(session: AsyncSession, directory: Directory, event: Event,
                                statements: _Statements | None = None) -> None:
    if event.type not in REGISTRY:
        return  # a type from a newer hr: nothing this build knows how to replicate
    sql = statements or _statements(directory)
    payload = parse_payload(event.type, event.data)
    tenant = event.tenant_id
    if isinstance(payload, SchoolFacts):
        await session.execute(sql.school, {"tenant_id": tenant, "school_id": payload.school_id,
                                           "district_id": payload.district_id, "name": payload.name,
                                           "version": payload.version, "removed": False})
    elif isinstance(payload, SchoolRemoved):
        await session.execute(sql.school_removed, {"tenant_id": tenant, "school_id": payload.school_id, "name": "",
                                                   "version": payload.version, "removed": True})
    elif isinstance(payload, EducatorFacts):
        await session.execute(sql.educator, {"tenant_id": tenant, "educator_id": payload.educator_id,
                                             "school_id": payload.school_id,
                                             "career_stage": payload.career_stage.value,
                                             "version": payload.version, "removed": False})
    elif isinstance(payload, EducatorRemoved):
        await session.execute(sql.educator_removed, {"tenant_id": tenant, "educator_id": payload.educator_id,
                                                     "version": payload.version, "removed": True})


def directory_consumer(service: str, directory: Directory) -> Consumer:
    statements = _statements(directory)

    async def handle(session: AsyncSession, event: Event) -> None:
        await apply_directory_event(session, directory, event, statements)

    return Consumer(group=f"{service}.directory", topics=(ORGANISATION_TOPIC, EDUCATOR_TOPIC), handler=handle)


def directory_router(service: str, directory: Directory) -> APIRouter:
    """Read the replica: what this service knows of hr's directory (handy to check replication)."""
    router = APIRouter(prefix="/directory", tags=["directory"], dependencies=[require(f"{service}:read")])

    async def _one(session: AsyncSession, table: Table, key: str, principal: Principal,
                   value: uuid.UUID) -> dict[str, Any]:
        row = (await session.execute(select(table).where(
            table.c.tenant_id == principal.tenant_id, table.c[key] == value, table.c.removed.is_(False)
        ))).mappings().first()
        # A school-scoped token sees only its schools and their educators; anything else is not found.
        if row is None or not principal.may_see_school(row["school_id"]):
            raise not_found(key.removesuffix("_id"))
        return {k: v for k, v in row.items() if k != "tenant_id"}

    @router.get("/schools/{school_id}", summary="A school as replicated from hr")
    async def replicated_school(school_id: uuid.UUID, principal: CurrentPrincipal,
                                session: SessionDep) -> dict[str, Any]:
        return await _one(session, directory.schools, "school_id", principal, school_id)

    @router.get("/educators/{educator_id}", summary="An educator (ids, school, stage) as replicated from hr")
    async def replicated_educator(educator_id: uuid.UUID, principal: CurrentPrincipal,
                                  session: SessionDep) -> dict[str, Any]:
        return await _one(session, directory.educators, "educator_id", principal, educator_id)

    return router
