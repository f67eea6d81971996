"""hr's published read model: a local replica of hr's directory (schools and educators),
built from hr's published events.

observations, networks and strategy each keep one in their own database, so they can validate
references (a visit's host school, a network member) without calling hr. Ids and non-personal
facts only. Updates carry a version: an older event never overwrites a newer one, so the replica
is right whatever order redeliveries arrive in; removals leave a tombstone for the same reason.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
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
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import CurrentPrincipal, Principal, require
from libs.common.events import Event
from libs.common.http import SessionDep
from libs.common.inbox import Consumer
from libs.common.openapi_examples import example_id
from libs.common.problems import not_found, problem_responses
from libs.common.repository import Reference, reference
from libs.contracts.base import EventPayload
from libs.contracts.hr import (
    EducatorRegistered,
    EducatorRemoved,
    EducatorUpdated,
    SchoolRegistered,
    SchoolRemoved,
    SchoolUpdated,
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


def directory_consumer(service: str, directory: Directory) -> Consumer:
    """The consumer group that keeps `service`'s replica of hr's directory.

    A polled batch is written set-based: one executemany per statement, since every upsert keeps the
    newest version whatever order it runs in (a bulk load's 50,000 events cost a few round trips, not
    100,000)."""
    sql = _statements(directory)

    def school(event: Event, p: SchoolRegistered | SchoolUpdated) -> tuple[TextClause, dict[str, Any]]:
        return sql.school, {"tenant_id": event.tenant_id, "school_id": p.school_id, "district_id": p.district_id,
                            "name": p.name, "version": p.version, "removed": False}

    def school_removed(event: Event, p: SchoolRemoved) -> tuple[TextClause, dict[str, Any]]:
        return sql.school_removed, {"tenant_id": event.tenant_id, "school_id": p.school_id, "name": "",
                                    "version": p.version, "removed": True}

    def educator(event: Event, p: EducatorRegistered | EducatorUpdated) -> tuple[TextClause, dict[str, Any]]:
        return sql.educator, {"tenant_id": event.tenant_id, "educator_id": p.educator_id, "school_id": p.school_id,
                              "career_stage": p.career_stage.value, "version": p.version, "removed": False}

    def educator_removed(event: Event, p: EducatorRemoved) -> tuple[TextClause, dict[str, Any]]:
        return sql.educator_removed, {"tenant_id": event.tenant_id, "educator_id": p.educator_id,
                                      "version": p.version, "removed": True}

    rows: dict[type[EventPayload], Callable[[Event, Any], tuple[TextClause, dict[str, Any]]]] = {
        SchoolRegistered: school, SchoolUpdated: school, SchoolRemoved: school_removed,
        EducatorRegistered: educator, EducatorUpdated: educator, EducatorRemoved: educator_removed,
    }
    by_type = {cls.event_type: (cls, row) for cls, row in rows.items()}

    def row_of(event: Event) -> tuple[TextClause, dict[str, Any]] | None:
        entry = by_type.get(event.type)
        if entry is None:
            return None  # another type on hr's topics: recorded in the inbox, nothing to replicate
        cls, row = entry
        return row(event, cls.model_validate(event.data))

    async def one(session: AsyncSession, event: Event) -> None:
        if (found := row_of(event)) is not None:
            await session.execute(*found)

    async def many(session: AsyncSession, events: Sequence[Event]) -> None:
        grouped: dict[TextClause, list[dict[str, Any]]] = defaultdict(list)
        for event in events:
            if (found := row_of(event)) is not None:
                grouped[found[0]].append(found[1])
        for statement, params in grouped.items():
            await session.execute(statement, params)

    return Consumer(group=f"{service}.directory", topics=tuple(sorted({cls.topic for cls in rows})), handler=one,
                    batch_handler=many)


def known_schools(directory: Directory, field: str, values: object) -> Reference:
    """A reference check against the replica: schools hr knows in the tenant and has not removed."""
    return _known(directory.schools, "school", "school_id", field, values)


def known_educators(directory: Directory, field: str, values: object) -> Reference:
    """A reference check against the replica: educators hr knows in the tenant and has not removed."""
    return _known(directory.educators, "educator", "educator_id", field, values)


def _known(table: Table, label: str, key: str, field: str, values: object) -> Reference:
    return reference(table, label, field, values, id_column=key, where=[table.c.removed.is_(False)],
                     replica=True)


class ReplicatedSchool(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "school_id": example_id("school_id"), "district_id": example_id("district_id"),
        "name": "Alder Creek Elementary School", "version": 3, "removed": False,
        "replicated_at": "2026-09-14T08:30:02Z"}]})

    school_id: uuid.UUID
    district_id: uuid.UUID | None
    name: str
    version: int
    removed: bool
    replicated_at: datetime


class ReplicatedEducator(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "educator_id": example_id("educator_id"), "school_id": example_id("school_id"),
        "career_stage": "novice_teacher", "version": 2, "removed": False,
        "replicated_at": "2026-09-14T08:30:02Z"}]})

    educator_id: uuid.UUID
    school_id: uuid.UUID | None
    career_stage: str | None
    version: int
    removed: bool
    replicated_at: datetime


def directory_router(service: str, directory: Directory) -> APIRouter:
    """Read the replica: what this service knows of hr's directory (handy to check replication)."""
    router = APIRouter(prefix="/directory", tags=["directory"], dependencies=[require(f"{service}:read")],
                       responses=problem_responses(400, 401, 403, 404, 422))

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
                                session: SessionDep) -> ReplicatedSchool:
        return ReplicatedSchool.model_validate(
            await _one(session, directory.schools, "school_id", principal, school_id))

    @router.get("/educators/{educator_id}", summary="An educator (ids, school, stage) as replicated from hr")
    async def replicated_educator(educator_id: uuid.UUID, principal: CurrentPrincipal,
                                  session: SessionDep) -> ReplicatedEducator:
        return ReplicatedEducator.model_validate(
            await _one(session, directory.educators, "educator_id", principal, educator_id))

    return router
