"""Use cases for districts and schools, each inside the caller's transaction with its events."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.changes import ChangeWindow, window_clauses
from libs.common.outbox import record_events
from libs.common.pagination import PageRequest, page_of
from libs.common.problems import not_found
from libs.common.repository import Reference, check_version, get_or_404, reference, require_known, unknown_references
from libs.contracts.base import EventPayload
from libs.contracts.hr import (
    DistrictRegistered,
    DistrictRemoved,
    DistrictUpdated,
    SchoolRegistered,
    SchoolRemoved,
    SchoolUpdated,
)
from services.hr import bulk, scope
from services.hr.changes import changes, same_facts
from services.hr.models import District, DistrictPublic, School, SchoolPublic, utcnow
from services.hr.settings import SERVICE

DISTRICTS = District.__table__  # type: ignore[attr-defined]
SCHOOLS = School.__table__  # type: ignore[attr-defined]
INSERT_DISTRICT = insert(DISTRICTS).returning(*DISTRICTS.c)  # built once: compiled once
INSERT_SCHOOL = insert(SCHOOLS).returning(*SCHOOLS.c)


def district_facts(row: Any, cls: type[DistrictRegistered] | type[DistrictUpdated]) -> EventPayload:
    return cls(district_id=row["id"], name=row["name"], version=row["version"])


def school_facts(row: Any, cls: type[SchoolRegistered] | type[SchoolUpdated]) -> EventPayload:
    return cls(school_id=row["id"], district_id=row["district_id"], name=row["name"], version=row["version"])


async def _emit(session: AsyncSession, tenant_id: str, payloads: list[EventPayload]) -> None:
    await record_events(session, payloads, service=SERVICE, tenant_id=tenant_id)


def _new(tenant_id: str, values: dict[str, Any], table: Any) -> dict[str, Any]:
    now = utcnow()
    return {"id": uuid.uuid4(), "tenant_id": tenant_id, "version": 1, "created_at": now, "updated_at": now,
            **{c.name: None for c in table.c if c.nullable and c.name not in values}, **values}


async def _district_reference(session: AsyncSession, tenant_id: str, district_id: Any, field: str = "district_id"
                              ) -> None:
    await require_known(session, tenant_id, reference(District, "district", field, district_id))


# --- districts ---------------------------------------------------------------------------------

async def create_district(session: AsyncSession, principal: Principal, values: dict[str, Any]) -> DistrictPublic:
    scope.refuse_school_scoped(principal, "district")
    row = (await session.execute(INSERT_DISTRICT, _new(principal.tenant_id, values, DISTRICTS))).mappings().one()
    await _emit(session, principal.tenant_id, [district_facts(row, DistrictRegistered)])
    return DistrictPublic.model_validate(dict(row))


async def get_district(session: AsyncSession, principal: Principal, district_id: uuid.UUID) -> DistrictPublic:
    row = await get_or_404(session, District, district_id, principal.tenant_id, label="district")
    return DistrictPublic.model_validate(dict(row))


async def update_district(session: AsyncSession, principal: Principal, district_id: uuid.UUID,
                          expected: int, patch: dict[str, Any]) -> DistrictPublic:
    row = await get_or_404(session, District, district_id, principal.tenant_id, label="district", for_update=True)
    scope.refuse_school_scoped(principal, "district")
    check_version(row["version"], expected)
    diff = changes(row, patch)
    if not diff:
        return DistrictPublic.model_validate(dict(row))
    after = (await session.execute(
        update(DISTRICTS).where(DISTRICTS.c.id == district_id)
        .values(**diff, version=DISTRICTS.c.version + 1, updated_at=utcnow()).returning(*DISTRICTS.c)
    )).mappings().one()
    if not same_facts(district_facts(row, DistrictUpdated), event := district_facts(after, DistrictUpdated)):
        await _emit(session, principal.tenant_id, [event])
    return DistrictPublic.model_validate(dict(after))


async def delete_district(session: AsyncSession, principal: Principal, district_id: uuid.UUID,
                          expected: int | None) -> None:
    row = await get_or_404(session, District, district_id, principal.tenant_id, label="district", for_update=True)
    scope.refuse_school_scoped(principal, "district")
    check_version(row["version"], expected)
    await _emit(session, principal.tenant_id, [DistrictRemoved(district_id=row["id"], version=row["version"] + 1)])
    await session.execute(delete(DISTRICTS).where(DISTRICTS.c.id == district_id))


async def list_districts(session: AsyncSession, principal: Principal, page: PageRequest, changes: ChangeWindow, *,
                         sourced_id: str | None, ed_fi_id: str | None) -> tuple[list[DistrictPublic], str | None]:
    stmt = select(DISTRICTS).where(DISTRICTS.c.tenant_id == principal.tenant_id)
    for column, value in (("sourced_id", sourced_id), ("ed_fi_id", ed_fi_id)):
        if value is not None:
            stmt = stmt.where(DISTRICTS.c[column] == value)
    stmt = stmt.where(*await window_clauses(session, principal.tenant_id, changes, DISTRICTS.c.change_version))
    rows = await _page(session, stmt, DISTRICTS, page)
    items, token = page_of(rows, page.size, lambda r: {"id": str(r["id"])})
    return [DistrictPublic.model_validate(dict(r)) for r in items], token


async def _page(session: AsyncSession, stmt: Any, table: Any, page: PageRequest) -> list[Any]:
    await page.count_total(session, stmt)
    if page.after:
        stmt = stmt.where(table.c.id > uuid.UUID(str(page.after.get("id"))))
    return list((await session.execute(stmt.order_by(table.c.id).limit(page.size + 1))).mappings().all())


# --- schools ------------------------------------------------------------------------------------

async def create_school(session: AsyncSession, principal: Principal, values: dict[str, Any]) -> SchoolPublic:
    scope.refuse_school_scoped(principal, "school")
    await _district_reference(session, principal.tenant_id, values.get("district_id"))
    row = (await session.execute(INSERT_SCHOOL, _new(principal.tenant_id, values, SCHOOLS))).mappings().one()
    await _emit(session, principal.tenant_id, [school_facts(row, SchoolRegistered)])
    return SchoolPublic.model_validate(dict(row))


async def _school(session: AsyncSession, principal: Principal, school_id: uuid.UUID, *,
                  for_update: bool = False) -> Any:
    """Another tenant's school, or one outside a school-scoped token's schools, is not found."""
    row = await get_or_404(session, School, school_id, principal.tenant_id, label="school", for_update=for_update)
    if not scope.may_see(principal, row["id"]):
        raise not_found("school")
    return row


async def get_school(session: AsyncSession, principal: Principal, school_id: uuid.UUID) -> SchoolPublic:
    return SchoolPublic.model_validate(dict(await _school(session, principal, school_id)))


async def update_school(session: AsyncSession, principal: Principal, school_id: uuid.UUID, expected: int,
                        patch: dict[str, Any]) -> SchoolPublic:
    row = await _school(session, principal, school_id, for_update=True)
    scope.refuse_school_scoped(principal, "school")
    check_version(row["version"], expected)
    diff = changes(row, patch)
    if not diff:
        return SchoolPublic.model_validate(dict(row))
    await _district_reference(session, principal.tenant_id, diff.get("district_id"))
    after = (await session.execute(
        update(SCHOOLS).where(SCHOOLS.c.id == school_id)
        .values(**diff, version=SCHOOLS.c.version + 1, updated_at=utcnow()).returning(*SCHOOLS.c)
    )).mappings().one()
    if not same_facts(school_facts(row, SchoolUpdated), event := school_facts(after, SchoolUpdated)):
        await _emit(session, principal.tenant_id, [event])
    return SchoolPublic.model_validate(dict(after))


async def delete_school(session: AsyncSession, principal: Principal, school_id: uuid.UUID,
                        expected: int | None) -> None:
    row = await _school(session, principal, school_id, for_update=True)
    scope.refuse_school_scoped(principal, "school")
    check_version(row["version"], expected)
    await _emit(session, principal.tenant_id, [SchoolRemoved(school_id=row["id"], version=row["version"] + 1)])
    await session.execute(delete(SCHOOLS).where(SCHOOLS.c.id == school_id))


async def list_schools(session: AsyncSession, principal: Principal, page: PageRequest, changes: ChangeWindow, *,
                       district_id: uuid.UUID | None, sourced_id: str | None,
                       ed_fi_id: str | None) -> tuple[list[SchoolPublic], str | None]:
    stmt = select(SCHOOLS).where(SCHOOLS.c.tenant_id == principal.tenant_id)
    if (reachable := scope.school_ids(principal)) is not None:
        stmt = stmt.where(SCHOOLS.c.id.in_(reachable))
    for column, value in (("district_id", district_id), ("sourced_id", sourced_id), ("ed_fi_id", ed_fi_id)):
        if value is not None:
            stmt = stmt.where(SCHOOLS.c[column] == value)
    stmt = stmt.where(*await window_clauses(session, principal.tenant_id, changes, SCHOOLS.c.change_version))
    rows = await _page(session, stmt, SCHOOLS, page)
    items, token = page_of(rows, page.size, lambda r: {"id": str(r["id"])})
    return [SchoolPublic.model_validate(dict(r)) for r in items], token


async def bulk_upsert_schools(session: AsyncSession, principal: Principal, match_on: str,
                              items: list[dict[str, Any]]) -> bulk.BulkResult:
    scope.refuse_school_scoped(principal, "school")
    tenant_id = principal.tenant_id
    errors = bulk.bulk_key_errors([i.get(match_on) for i in items], match_on)
    districts = {f"items[{n}].district_id": i["district_id"] for n, i in enumerate(items) if i.get("district_id")}
    missing = await unknown_references(session, tenant_id, [Reference(District, "district", districts)])
    errors += [{"field": f, "message": f"no such {label}"} for f, label in missing]
    if errors:
        raise bulk.invalid_batch(errors)
    written = await bulk.upsert(session, SCHOOLS, tenant_id, match_on, [((), list(enumerate(items)))], utcnow())
    await _emit(session, tenant_id, [school_facts(w.row._mapping, SchoolRegistered if w.outcome == "created"
                                                  else SchoolUpdated) for w in written if w.row is not None])
    return bulk.result_of(written)
